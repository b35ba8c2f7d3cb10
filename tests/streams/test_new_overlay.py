"""okd-streams new-overlay NAME: a Component skeleton that passes `check` at once, written atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from okd_streams.cli import main
from tests.conftest import snapshot

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for folder in ("base", "overlays", "streams", "argocd"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / ".yamllint", tmp_path / ".yamllint")
    return tmp_path


def test_the_new_component_passes_check_at_once(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    assert main(["new-overlay", "openstack", "--description", "Build the OpenStack boot image."]) == 0
    folder = repo / "overlays" / "openstack"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "kustomization.yaml", "patch-okd-coreos.yaml"]
    kustomization = (folder / "kustomization.yaml").read_text()
    assert "kind: Component" in kustomization and "metadata:\n  name: openstack\n" in kustomization
    assert "Build the OpenStack boot image." in (folder / "README.md").read_text()
    assert not [p for p in (repo / "overlays").iterdir() if p.name.startswith(".")]  # no leftover
    capsys.readouterr()
    stream = repo / "streams" / "okd-scos" / "kustomization.yaml"
    stream.write_text(
        stream.read_text().replace(
            "  - ../../overlays/scos\n", "  - ../../overlays/scos\n  - ../../overlays/openstack\n"
        )
    )
    assert main(["check", "--no-cache"]) == 0, capsys.readouterr().out


def test_dry_run_writes_nothing(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    before = snapshot(repo)
    assert main(["new-overlay", "openstack", "--dry-run"]) == 0
    assert "--- overlays/openstack/patch-okd-coreos.yaml" in capsys.readouterr().out
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("name", "says"),
    [("hpc", "overlays/hpc already exists"), ("Open.Stack", "contains a dot"), ("a/b", "path separator")],
)
def test_an_existing_folder_or_a_bad_name_is_refused_with_one_line(name, says, repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    before = snapshot(repo)
    assert main(["new-overlay", name]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(repo) == before


def test_help_says_what_it_writes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["new-overlay", "--help"])
    assert exit_info.value.code == 0
    assert "overlays/NAME" in capsys.readouterr().out
