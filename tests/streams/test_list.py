"""`okd-streams list` on a real copy of the repository, and on broken stream folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from okd_streams.cli import main
from tests.conftest import REPO, snapshot


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def listed(root: Path, capsys, *args: str):
    assert main(["list", "--root", str(root), *args]) == 0
    return capsys.readouterr().out


def test_text_lists_every_stream_with_its_settings(root, capsys):
    out = listed(root, capsys)
    header, scos = out.splitlines()[0], next(line for line in out.splitlines() if line.startswith("okd-scos "))
    assert header.split() == ["NAME", "NAMESPACE", "OS", "VERSION", "COMPONENTS", "SYNC", "SCHEDULES"]
    assert scos.split()[:6] == ["okd-scos", "okd-scos", "scos", "4.19", "scos", "automatic"]
    assert "okd-coreos 30 6 * * *" in scos and "okd-release 0 5 * * 1" in scos
    assert "okd-scos: OKD on CentOS Stream CoreOS" in out
    assert "branch=release-4.19" in out and "target-release-stream=4-scos-next" in out
    assert "okd-fcos" in out and "manual" in out


def test_json_has_the_key_params(root, capsys):
    data = {s["name"]: s for s in json.loads(listed(root, capsys, "--format", "json"))}
    assert set(data) == {"okd-fcos", "okd-scos"}
    scos = data["okd-scos"]
    assert scos["namespace"] == "okd-scos" and scos["os"] == "scos" and scos["version"] == "4.19"
    assert scos["components"] == ["scos"] and scos["sync"] == "automatic" and scos["owners"] == ["okd-wg"]
    assert scos["schedules"] == {"okd-coreos": "30 6 * * *", "okd-release": "0 5 * * 1"}
    assert scos["params"]["okd-coreos"]["branch"] == "release-4.19"
    assert scos["params"]["okd-release"]["release-stream"] == "4.19.0-0.okd-scos-nightly"
    assert scos["notes"] == []


def test_lists_a_scaffolded_stream(root, capsys):
    places = ["--set", "target-release-stream=4-hpc-next", "--set", "release-imagestream=release-hpc-next"]
    assert main(["new", "hpc", "--component", "hpc", *places, "--root", str(root), "--no-input"]) == 0
    capsys.readouterr()
    data = {s["name"]: s for s in json.loads(listed(root, capsys, "--format", "json"))}
    assert data["hpc"]["components"] == ["scos", "hpc"] and data["hpc"]["namespace"] == "hpc"


BROKEN = {
    "not-yaml": {"kustomization.yaml": "resources: [\n", "stream.yaml": "spec: {\n"},
    "wrong-types": {
        "kustomization.yaml": "---\nnamespace: [a]\ncomponents: 3\n",
        "stream.yaml": "---\nkind: StreamCard\nspec:\n  pipelines: [1, 2]\n  owners: owner\n  description: {a: b}\n",
    },
    "odd-params": {
        "kustomization.yaml": "---\ncomponents: [../../overlays/scos, 7, null]\n",
        "stream.yaml": "---\nkind: StreamCard\nspec:\n  pipelines:\n    okd-coreos:\n"
        "      schedule: [x]\n      params: [1, {name: 2}, {name: a, value: [x, 1]}]\n"
        "    7: null\n",
    },
    "binary": {"kustomization.yaml": "\x00\x01", "stream.yaml": "\x00"},
    "empty": {},
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_streams_are_listed_not_crashed_on(root, capsys, name):
    folder = root / "streams" / name
    folder.mkdir()
    for file, text in BROKEN[name].items():
        (folder / file).write_text(text)
    before = snapshot(root)
    out = listed(root, capsys)
    assert name in out and "okd-scos" in out and "!" in out
    data = {s["name"]: s for s in json.loads(listed(root, capsys, "--format", "json"))}
    assert data[name]["notes"] or data[name]["params"]
    assert snapshot(root) == before


def test_no_streams(tmp_path, capsys):
    (tmp_path / "base").mkdir()
    (tmp_path / "streams").mkdir()
    assert "no streams" in listed(tmp_path, capsys)
    assert json.loads(listed(tmp_path, capsys, "--format", "json")) == []


def test_outside_a_repository_is_exit_2(tmp_path, capsys):
    assert main(["list", "--root", str(tmp_path)]) == 2
    assert "not inside an okd-streams repository" in capsys.readouterr().err
