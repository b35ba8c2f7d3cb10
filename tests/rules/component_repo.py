"""A copy of this repository with a new `openstack` Component patching the okd-coreos Pipeline,
listed in okd-scos, checked through the real CLI (real kustomize, real merge keys): the tree the
component rules' tests (K003, K012) change one thing in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from okd_streams.cli import main

REPO = Path(__file__).resolve().parents[2]
PATCH = "overlays/openstack/patch-okd-coreos.yaml"
PATCH_HEAD = """---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: okd-coreos
spec:
"""


def openstack_repo(tmp_path: Path, patch_body: str, listed: list[str] | None, metadata: str = "") -> Path:
    """The copy, the component's patch `PATCH_HEAD + patch_body`, its kustomization's `metadata`
    block (declarations) as given, and okd-scos listing the components `listed` in place of scos
    (None: no stream lists it, so `check` reaches it through its probe)."""
    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / ".yamllint", tmp_path / ".yamllint")
    component = tmp_path / "overlays" / "openstack"
    component.mkdir()
    (component / "kustomization.yaml").write_text(
        "---\napiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        + metadata
        + "patches:\n  - path: patch-okd-coreos.yaml\n"
    )
    (tmp_path / PATCH).write_text(PATCH_HEAD + patch_body)
    if listed is not None:
        stream = tmp_path / "streams" / "okd-scos" / "kustomization.yaml"
        entries = "".join(f"  - ../../overlays/{name}\n" for name in listed)
        stream.write_text(stream.read_text().replace("  - ../../overlays/scos\n", entries))
    return tmp_path


def check_json(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict]]:
    """`okd-streams check --no-cache --format json` in `repo`: exit code, findings above info."""
    monkeypatch.chdir(repo)
    code = main(["check", "--no-cache", "--format", "json"])
    problems = [p for p in json.loads(capsys.readouterr().out) if p["level"] != "info"]
    return code, problems
