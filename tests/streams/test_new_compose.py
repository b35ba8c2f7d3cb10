"""`okd-streams new --component X` when X conflicts with a component the source lists: the
copy leaves the source's out (with a note), the card's entries for the Pipelines that went
with it are left out too, and two added components that conflict are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from okd_streams.cli import main
from tests.streams.test_new_stream import card, copy_repo, no_leftovers, state


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("compose") / "repo")


def components(root: Path, name: str) -> list[str]:
    data = yaml.safe_load((root / "streams" / name / "kustomization.yaml").read_text())
    return data["components"]


def test_a_conflicting_component_of_the_source_is_left_out_with_its_pipeline(repo, capsys):
    args = ["new", "fcos-local", "--from", "okd-fcos", "--component", "local", "--root", str(repo), "--no-input"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "okd-fcos lists the component okd-payload; local conflicts with it" in out
    assert "no Pipeline okd-payload" in out
    assert components(repo, "fcos-local") == ["../../base/stream-card", "../../overlays/fcos", "../../overlays/local"]
    assert set(card(repo, "fcos-local")["spec"]["pipelines"]) == {"okd-coreos", "okd-release"}
    readme = " ".join((repo / "streams/fcos-local/README.md").read_text().split())
    assert "`okd-coreos` and `okd-release` are started by hand (`okd-streams run fcos-local`)" in readme
    assert "CronJobs" not in readme and "okd-payload" not in readme
    assert main(["check", "fcos-local", "--root", str(repo)]) == 0


def test_an_added_os_layer_replaces_the_source_s_and_the_card_follows(repo, capsys):
    args = ["new", "scos-copy", "--from", "okd-fcos", "--component", "scos", "--dry-run", "--root", str(repo)]
    places = ["okd-release.target-release-stream=4-x", "okd-release.release-imagestream=release-x"]
    places += ["okd-payload.release-pushspec=quay.io/x/p", "okd-payload.release-name=4.19.0-x.1"]
    places += ["okd-payload.content-pushspec=quay.io/x/c", "okd-payload.os-image=quay.io/x/os:4.19"]
    assert main([*args, *(a for p in places for a in ("--set", p)), "--no-input"]) == 0
    out = capsys.readouterr().out
    assert "okd-fcos lists the component fcos; scos replaces its OS layer" in out
    assert "  - ../../overlays/scos\n" in out and "overlays/fcos" not in out
    assert "  os: scos\n" in out


def test_two_added_components_that_conflict_are_refused(repo, capsys):
    before = state(repo)
    args = ["new", "x", "--component", "local", "--component", "okd-payload", "--root", str(repo), "--no-input"]
    assert main(args) == 2
    assert "--component local and --component okd-payload cannot be listed together" in capsys.readouterr().err
    assert state(repo) == before
    no_leftovers(repo)


def test_the_readme_of_a_scheduled_stream_names_its_time_zone(repo, capsys):
    args = ["new", "tz", "--from", "okd-scos", "--dry-run", "--root", str(repo), "--no-input"]
    args += ["--set", "okd-release.target-release-stream=4-tz", "--set", "okd-release.release-imagestream=release-tz"]
    assert main(args) == 0
    readme = " ".join(capsys.readouterr().out.split())
    assert "its CronJobs start the Pipelines" in readme and "(cron, Etc/UTC)" in readme
