"""okd-streams new-overlay NAME: a Component skeleton that passes `check` at once, written atomically."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from okd_streams.cli import main
from okd_streams.files.loader import parse_text
from okd_streams.model import components as comp
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
    assert _declared(folder) == comp.Declared("openstack", "overlays/openstack", None, ("os",), ())
    assert "# What a stream listing it must list too (K010): `os` is any OS layer" in kustomization
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


def _declared(folder: Path) -> comp.Declared:
    document = parse_text((folder / "kustomization.yaml").read_text()).documents[0]
    declared = comp.declared(document.data, f"overlays/{folder.name}")
    return comp.Declared(declared.name, declared.path, declared.layer, declared.requires, declared.conflicts)


def _check_json(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = main(["check", "--no-cache", "--format", "json"])
    return code, [p for p in json.loads(capsys.readouterr().out) if p["level"] != "info"]


def test_an_unused_new_component_passes_check_through_its_probe(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    assert main(["new-overlay", "openstack"]) == 0
    capsys.readouterr()
    assert main(["check", "--no-cache"]) == 0
    assert "overlays/openstack (probe via okd-fcos)" in capsys.readouterr().out


def test_an_os_layer_declares_its_layer_and_passes_check_in_place_of_another(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    assert main(["new-overlay", "rhcos", "--os-layer", "--conflicts", "hpc"]) == 0
    assert "in place of its OS layer, with `os: rhcos` in its card" in capsys.readouterr().out
    folder = repo / "overlays" / "rhcos"
    assert _declared(folder) == comp.Declared("rhcos", "overlays/rhcos", "os", (), ("hpc",))
    assert "# An OS layer: a stream lists exactly one (K011)" in (folder / "kustomization.yaml").read_text()
    assert "`os: rhcos`" in (folder / "README.md").read_text()
    code, problems = _check_json(capsys)
    assert (code, problems) == (0, [])


def test_requires_and_conflicts_are_declared_and_checked_through_a_stream_that_fits(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    assert main(["new-overlay", "openstack", "--requires", "scos", "--conflicts", "fcos"]) == 0
    folder = repo / "overlays" / "openstack"
    assert _declared(folder) == comp.Declared("openstack", "overlays/openstack", None, ("os", "scos"), ("fcos",))
    capsys.readouterr()
    assert main(["check", "--no-cache"]) == 0
    assert "overlays/openstack (probe via okd-scos)" in capsys.readouterr().out


def test_a_component_requiring_one_no_stream_lists_is_written_with_a_note(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    assert main(["new-overlay", "hpc-gpu", "--requires", "hpc"]) == 0
    assert "no stream lists what hpc-gpu requires (hpc)" in capsys.readouterr().out
    assert _declared(repo / "overlays" / "hpc-gpu").requires == ("os", "hpc")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--requires", "hpx"], 'no component overlays/hpx; did you mean "hpc"?'),
        (["--conflicts", "openstack"], "a component cannot name itself"),
        (["--os-layer", "--requires", "os"], "an OS layer is the `os` a feature requires"),
        (["--requires", "scos", "--conflicts", "scos"], "scos is both required and conflicting"),
    ],
)
def test_declarations_naming_no_component_or_contradicting_are_refused(args, says, repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    before = snapshot(repo)
    assert main(["new-overlay", "openstack", *args]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
    assert snapshot(repo) == before
