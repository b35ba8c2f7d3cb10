"""Components no stream uses are checked through a probe; streams' components belong together."""

from __future__ import annotations

import json
from pathlib import Path

from okd_streams.cli import main
from tests.lint.test_check_repository import copy_repo

HPC_PATCH = "overlays/hpc/patch-okd-coreos.yaml"


def _edit(repo: Path, relative: str, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _problems(capsys) -> list[dict]:
    return json.loads(capsys.readouterr().out)


def test_unused_component_runafter_typo_by_check_and_lint(tmp_path, monkeypatch, capsys):
    repo = copy_repo(tmp_path)
    _edit(repo, HPC_PATCH, "        - cosa-build-baseos\n      taskRef", "        - cosa-build-baseosx\n      taskRef")
    monkeypatch.chdir(repo)
    assert main(["check", "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert f"{HPC_PATCH}:25:11: error" in out and "[T040]" in out
    assert "overlays/hpc (probe via okd-fcos)" in out and "2 streams checked, 2 components probed" in out
    assert main(["lint", "--no-cache", "--format", "json", "overlays/hpc"]) == 1
    errors = [p for p in _problems(capsys) if p["level"] == "error"]
    assert [(p["path"], p["line"], p["code"]) for p in errors] == [(HPC_PATCH, 25, "T040")]


def test_unused_component_task_param_of_wrong_type(tmp_path, monkeypatch, capsys):
    repo = copy_repo(tmp_path)
    _edit(
        repo,
        HPC_PATCH,
        "          value: $(params.hpc-image-suffix)",
        "          value:\n            - a\n            - b",
    )
    monkeypatch.chdir(repo)
    assert main(["check", "--no-cache", "--format", "json"]) == 1
    errors = [p for p in _problems(capsys) if p["level"] == "error"]
    assert errors and all(p["path"] == HPC_PATCH for p in errors)


def test_base_mistake_reported_once_in_base(tmp_path, monkeypatch, capsys):
    repo = copy_repo(tmp_path)
    pipeline = repo / "base/pipelines/okd-coreos.yaml"
    text = pipeline.read_text()
    first = text.index("runAfter:\n") + len("runAfter:\n")
    end = text.index("\n", first)
    name = text[first:end].strip().removeprefix("- ")
    pipeline.write_text(text[:first] + text[first:end].replace(name, name + "x") + text[end:])
    monkeypatch.chdir(repo)
    assert main(["check", "--no-cache", "--format", "json"]) == 1
    errors = [p for p in _problems(capsys) if p["level"] == "error"]
    assert len(errors) == 1 and errors[0]["path"] == "base/pipelines/okd-coreos.yaml"


def test_stream_with_two_os_layers(tmp_path, monkeypatch, capsys):
    repo = copy_repo(tmp_path)
    _edit(
        repo,
        "streams/okd-scos/kustomization.yaml",
        "  - ../../overlays/scos",
        "  - ../../overlays/scos\n  - ../../overlays/fcos",
    )
    monkeypatch.chdir(repo)
    assert main(["check", "--no-cache", "--format", "json", "okd-scos"]) == 1
    errors = [p for p in _problems(capsys) if p["level"] == "error"]
    assert [(p["path"], p["line"], p["code"]) for p in errors] == [("streams/okd-scos/kustomization.yaml", 11, "K011")]
    assert '"scos"' in errors[0]["message"] and '"fcos"' in errors[0]["message"]


def test_card_os_contradicts_layer(tmp_path, monkeypatch, capsys):
    repo = copy_repo(tmp_path)
    _edit(repo, "streams/okd-scos/stream.yaml", "  os: scos", "  os: fcos")
    monkeypatch.chdir(repo)
    assert main(["check", "--no-cache", "--format", "json", "okd-scos"]) == 1
    errors = [p for p in _problems(capsys) if p["level"] == "error"]
    assert [(p["path"], p["code"]) for p in errors] == [("streams/okd-scos/stream.yaml", "C007")]


def test_affected_counts_an_unused_component(tmp_path):
    from okd_streams.files.git import Change
    from okd_streams.streams.affected import check_scope, compute

    repo = copy_repo(tmp_path)
    affected = compute(repo, [Change(HPC_PATCH, "M")])
    assert affected.names == [] and list(affected.probes) == ["overlays/hpc"] and not affected.outside
    scope = check_scope(repo, affected, "HEAD")
    assert scope.names == [] and any("overlays/hpc" in note for note in scope.notes)
