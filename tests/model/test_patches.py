"""Findings on what a patch brought land in the patch: a patch file, an inline strategic-merge
patch and an inline JSON 6902 patch of a Component (tests/model/patch_tree), through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from okd_streams.cli import main

TREE = Path(__file__).resolve().parent / "patch_tree"


def test_findings_point_at_the_patch_that_brought_the_value(tmp_path, monkeypatch, capsys):
    shutil.copytree(TREE, tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    main(["check", "--format", "json"])
    found = {
        (p["path"], p["line"], p["column"], p["code"])
        for p in json.loads(capsys.readouterr().out)
        if p["code"] in ("T021", "T040")
    }
    assert found == {
        ("overlays/extra/patch-release.yaml", 10, 11, "T021"),  # a value the patch file changed
        ("overlays/extra/kustomization.yaml", 13, 22, "T040"),  # a task an inline JSON 6902 patch added
        ("overlays/extra/kustomization.yaml", 28, 24, "T040"),  # a task an inline strategic merge added
    }


def test_what_the_base_brought_stays_in_the_base(tmp_path, monkeypatch, capsys):
    shutil.copytree(TREE, tmp_path / "repo")
    release = tmp_path / "repo" / "base" / "release.yaml"
    release.write_text(release.read_text().replace("value: $(params.flavour)", "value: $(params.flavours)"))
    patch = tmp_path / "repo" / "overlays" / "extra" / "patch-release.yaml"
    patch.write_text(
        patch.read_text().replace(
            "    - name: build\n      params:\n        - name: flavour\n          value: $(params.flavor)\n", ""
        )
    )
    monkeypatch.chdir(tmp_path / "repo")
    main(["check", "--format", "json"])
    found = {(p["path"], p["line"], p["code"]) for p in json.loads(capsys.readouterr().out) if p["code"] == "T021"}
    assert found == {("base/release.yaml", 17, "T021")}


def test_a_streams_own_patch_over_a_components_value_is_the_streams(tmp_path, monkeypatch, capsys):
    """kustomize applies a kustomization's own patches after its components': the value the
    stream's patch set is reported there, not at the component line it replaced."""
    shutil.copytree(TREE, tmp_path / "repo")
    stream = tmp_path / "repo" / "streams" / "demo"
    (stream / "kustomization.yaml").write_text(
        (stream / "kustomization.yaml").read_text() + "patches:\n  - path: patch-flavour.yaml\n"
    )
    (stream / "patch-flavour.yaml").write_text(
        "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: release\nspec:\n  tasks:\n"
        "    - name: build\n      params:\n        - name: flavour\n          value: $(params.flavr)\n"
    )
    monkeypatch.chdir(tmp_path / "repo")
    main(["check", "--format", "json"])
    found = {(p["path"], p["line"], p["code"]) for p in json.loads(capsys.readouterr().out) if p["code"] == "T021"}
    assert found == {("streams/demo/patch-flavour.yaml", 10, "T021")}
