"""`okd-streams diff` on real temporary git repositories, and the Tekton-aware diff itself."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okd_streams.cli import main
from okd_streams.tekton.diff import diff_object, diff_objects
from tests.conftest import snapshot
from tests.gitrepo import commit_all, edit, streams_repo

ALL = ["okd-fcos", "okd-scos"]
BASE_PIPELINE = "base/pipelines/okd-coreos.yaml"
OLD_DEFAULT = "https://matrix-client.matrix.org"
NEW_DEFAULT = "https://matrix.example.org"


@pytest.fixture
def repo(tmp_path):
    return streams_repo(tmp_path)


def run_diff(root: Path, capsys, monkeypatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(root)
    code = main(["diff", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out


def change_base_default(root: Path) -> None:
    edit(root / BASE_PIPELINE, f"      default: {OLD_DEFAULT}", f"      default: {NEW_DEFAULT}")


def test_a_base_param_default_change_names_the_param_and_both_values_for_every_stream(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    change_base_default(root)
    expected = f'param "matrix-endpoint" default: "{OLD_DEFAULT}" -> "{NEW_DEFAULT}"'

    code, out = run_diff(root, capsys, monkeypatch, "--base", "main", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert [s["name"] for s in report["streams"]] == ALL
    for stream in report["streams"]:
        assert stream["status"] == "changed"
        [pipeline] = stream["objects"]
        assert (pipeline["kind"], pipeline["name"], pipeline["status"]) == ("Pipeline", "okd-coreos", "changed")
        assert pipeline["changes"] == [
            {
                "category": "params",
                "message": expected,
                "path": "spec.params[matrix-endpoint].default",
                "old": OLD_DEFAULT,
                "new": NEW_DEFAULT,
            }
        ]
        assert f"-  - default: {OLD_DEFAULT}\n+  - default: {NEW_DEFAULT}\n" in stream["diff"]

    code, out = run_diff(root, capsys, monkeypatch, "--base", "main")
    assert code == 1
    for name in ALL:
        section = out.split(f"=== {name}:")[1].split("\n=== ")[0]
        assert expected in section
        assert f"--- a/{name}/Pipeline/okd-coreos (main)" in section
        assert f"+++ b/{name}/Pipeline/okd-coreos (working tree)" in section


def test_markdown_is_a_pr_comment_with_one_collapsible_section_per_stream(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    change_base_default(root)
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main", "--format", "markdown")
    assert code == 1
    assert out.startswith("### okd-streams diff: 2 of 2 affected streams differ between main (")
    assert out.count("<details>") == 2 and out.count("</details>") == 2
    for name in ALL:
        assert f"<summary><strong>{name}</strong>: changed: 1 changed object</summary>" in out
    assert out.count(f'`param "matrix-endpoint" default: "{OLD_DEFAULT}" -> "{NEW_DEFAULT}"`') == 2
    assert out.count("```diff\n") == 2


def test_one_stream_edited_diffs_only_it_in_tekton_terms(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    card = root / "streams/okd-scos/stream.yaml"
    edit(card, 'schedule: "30 6 * * *"', 'schedule: "0 7 * * *"')
    edit(card, "value: release-4.19", "value: release-4.20")
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main", "--summary-only")
    assert code == 1
    assert "okd-fcos" not in out
    assert 'trigger schedule: "30 6 * * *" -> "0 7 * * *"' in out
    assert 'PipelineRun template (Pipeline "okd-coreos") param "branch": "release-4.19" -> "release-4.20"' in out
    assert "--- a/" not in out, "--summary-only leaves out the YAML diff"


def test_a_component_added_to_a_stream(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    edit(
        root / "streams/okd-fcos/kustomization.yaml",
        "  - ../../overlays/fcos\n",
        "  - ../../overlays/fcos\n  - ../../overlays/hpc\n",
    )
    edit(root / "base/tasks/cosa-init.yaml", "coreos-assembler:v0.18.0", "coreos-assembler:v0.19.0")
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main", "--format", "json")
    assert code == 1
    streams = {s["name"]: s for s in json.loads(out)["streams"]}
    fcos = {(o["kind"], o["name"]): o for o in streams["okd-fcos"]["objects"]}
    messages = [c["message"] for c in fcos[("Pipeline", "okd-coreos")]["changes"]]
    assert 'task "hpc-layer" added (runs Task "hpc-layer-packages")' in messages
    assert 'task "hpc-layer" now runs after "cosa-build-baseos" (runAfter)' in messages
    assert 'task "cosa-generate-release-meta" now runs after "hpc-layer" (runAfter)' in messages
    assert any(m.startswith('param "hpc-packages" added (default ["openmpi"') for m in messages)
    assert fcos[("Task", "hpc-layer-packages")]["status"] == "added"
    for name in ALL:
        task = next(o for o in streams[name]["objects"] if o["name"] == "cosa-init")
        assert [c["category"] for c in task["changes"]] == ["images"]
        assert task["changes"][0]["message"] == (
            'step "init" image: "quay.io/coreos-assembler/coreos-assembler:v0.18.0" -> '
            '"quay.io/coreos-assembler/coreos-assembler:v0.19.0"'
        )


def test_no_change_exits_0(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main")
    assert code == 0
    assert "no stream is affected" in out
    (root / "streams/okd-scos/README.md").write_text("reworded\n")
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main")
    assert code == 0
    assert "=== okd-scos: renders the same ===" in out


def test_the_users_tree_is_never_touched(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    marker = root.parent / "post-checkout-ran"
    hook = Path(repo.git_dir) / "hooks/post-checkout"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    change_base_default(root)
    (root / "streams/okd-scos/untracked.txt").write_text("mine\n")
    repo.git.add(BASE_PIPELINE)
    edit(root / "streams/okd-scos/stream.yaml", "value: release-4.19", "value: release-4.20")  # unstaged
    before = (
        snapshot(root),
        repo.git.status("--porcelain"),
        repo.git.stash("list"),
        repo.head.commit.hexsha,
        repo.git.diff("--cached"),
    )
    code, _ = run_diff(root, capsys, monkeypatch, "--base", "main")
    assert code == 1
    after = (
        snapshot(root),
        repo.git.status("--porcelain"),
        repo.git.stash("list"),
        repo.head.commit.hexsha,
        repo.git.diff("--cached"),
    )
    assert before == after
    assert repo.git.worktree("list").count("\n") == 0, "the temporary worktrees are removed"
    assert not list((Path(repo.git_dir) / "worktrees").glob("*")), "and pruned"
    assert not marker.exists(), "no hook of the user's runs in the temporary checkouts"


def test_head_revision_compares_two_commits(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    repo.git.checkout("-q", "-b", "topic")
    change_base_default(root)
    commit_all(repo, "new default")
    repo.git.checkout("-q", "main")
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main", "--head", "topic", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["head"]["revision"] == "topic" and len(report["head"]["commit"]) == 40
    assert [s["name"] for s in report["streams"]] == ALL
    assert repo.active_branch.name == "main" and not repo.is_dirty(untracked_files=True)
    code, _ = run_diff(root, capsys, monkeypatch, "--base", "topic", "--head", "topic")
    assert code == 0


def test_a_removed_stream(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    repo.git.rm("-r", "-q", "streams/okd-fcos")
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main", "--format", "json")
    assert code == 1
    [stream] = json.loads(out)["streams"]
    assert stream["name"] == "okd-fcos" and stream["status"] == "removed"
    assert {o["status"] for o in stream["objects"]} == {"removed"}


def test_a_stream_that_no_longer_renders_is_reported_not_a_crash(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    edit(root / "streams/okd-fcos/kustomization.yaml", "  - stream.yaml\n", "  - stream.yaml\n  - missing.yaml\n")
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main")
    assert code == 1
    assert "=== okd-fcos: fails to render ===" in out
    assert "kustomize fails at working tree:" in out and "missing.yaml" in out


def test_unknown_base_is_a_usage_error(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo.working_tree_dir)
    assert main(["diff", "--base", "nope"]) == 2
    assert "unknown revision 'nope'" in capsys.readouterr().err


def test_streams_can_be_named(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    change_base_default(root)
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main", "okd-scos", "--format", "json")
    assert code == 1 and [s["name"] for s in json.loads(out)["streams"]] == ["okd-scos"]
    monkeypatch.chdir(root)
    assert main(["diff", "--base", "main", "nope"]) == 2


# -- the Tekton-aware diff itself -------------------------------------------------------------

PIPELINE = {
    "apiVersion": "tekton.dev/v1",
    "kind": "Pipeline",
    "metadata": {"name": "build", "namespace": "ns"},
    "spec": {
        "params": [{"name": "version", "type": "string"}, {"name": "arch", "default": "x86_64"}],
        "workspaces": [{"name": "src"}],
        "tasks": [
            {"name": "fetch", "taskRef": {"name": "git-clone"}, "workspaces": [{"name": "out", "workspace": "src"}]},
            {
                "name": "build",
                "runAfter": ["fetch"],
                "taskRef": {"name": "make"},
                "params": [{"name": "arch", "value": "$(params.arch)"}],
            },
            {
                "name": "push",
                "runAfter": ["build"],
                "taskRef": {"name": "push"},
                "when": [{"input": "$(params.version)", "operator": "notin", "values": [""]}],
            },
        ],
        "finally": [{"name": "notify", "taskRef": {"name": "notify"}}],
    },
}


def messages(old, new) -> list[str]:
    return [line.message for line in diff_object(old, new)]


def test_pipeline_semantics():
    new = copy.deepcopy(PIPELINE)
    spec = new["spec"]
    spec["params"][0]["default"] = "4.19"
    spec["params"][1]["type"] = "array"
    spec["params"].append({"name": "extra"})
    spec["workspaces"].append({"name": "cache"})
    spec["tasks"][1]["params"][0]["value"] = "aarch64"
    spec["tasks"][2]["runAfter"] = ["fetch"]
    spec["tasks"][2]["params"] = [{"name": "digest", "value": "$(tasks.build.results.digest)"}]
    spec["tasks"][2]["when"][0]["operator"] = "in"
    spec["tasks"][0]["workspaces"][0]["workspace"] = "cache"
    del spec["finally"]
    spec["tasks"].append({"name": "scan", "taskSpec": {"steps": [{"name": "s", "image": "alpine:3.20"}]}})
    assert messages(PIPELINE, new) == [
        'task "scan" added (runs inline taskSpec)',
        'finally task "notify" removed',
        # push -> build stays an edge (now through a result reference): only the new one is news
        'task "push" now runs after "fetch" (runAfter)',
        'param "version" now has a default: "4.19" (no longer required)',
        'param "arch" type: (none) -> "array"',
        'param "extra" added (required: no default)',
        'task "build" param "arch": "$(params.arch)" -> "aarch64"',
        'task "push" now passes param "digest": "$(tasks.build.results.digest)"',
        'task "push" when: "$(params.version)" notin [""] -> "$(params.version)" in [""]',
        'pipeline workspace "cache" added',
        'task "fetch" workspace "out" workspace: "src" -> "cache"',
    ]


def test_dag_edges_removed_and_added():
    new = copy.deepcopy(PIPELINE)
    new["spec"]["tasks"][2]["runAfter"] = ["fetch"]
    assert messages(PIPELINE, new) == [
        'task "push" now runs after "fetch" (runAfter)',
        'task "push" no longer runs after "build" (was: runAfter)',
    ]


def test_task_semantics_and_fallback():
    task = {
        "apiVersion": "tekton.dev/v1",
        "kind": "Task",
        "metadata": {"name": "make"},
        "spec": {
            "params": [{"name": "target", "default": "all"}],
            "results": [{"name": "digest"}],
            "steps": [{"name": "build", "image": "golang:1.22", "script": "make"}],
        },
    }
    new = copy.deepcopy(task)
    new["spec"]["params"][0]["default"] = "install"
    new["spec"]["steps"][0]["script"] = "make install"
    new["spec"]["steps"][0]["image"] = "golang:1.23"
    new["spec"]["steps"].append({"name": "test", "image": "golang:1.23"})
    new["spec"]["results"] = []
    new["spec"]["timeout"] = "1h"
    new["metadata"]["labels"] = {"tier": "build"}
    assert messages(task, new) == [
        'param "target" default: "all" -> "install"',
        'result "digest" removed',
        'step "build" script changed',
        'step "test" added (image "golang:1.23")',
        'step "build" image: "golang:1.22" -> "golang:1.23"',
        'metadata.labels: (none) -> {"tier": "build"}',
        'spec.timeout: (none) -> "1h"',
    ]


def test_objects_are_paired_by_kind_namespace_and_name():
    moved = copy.deepcopy(PIPELINE)
    moved["metadata"]["namespace"] = "other"
    cron = {"kind": "CronJob", "metadata": {"name": "nightly"}, "spec": {"schedule": "0 1 * * *"}}
    result = diff_objects([PIPELINE, cron], [moved, dict(cron, spec={"schedule": "0 2 * * *"}), {"kind": "X"}])
    assert [(o.kind, o.namespace, o.status) for o in result] == [
        ("CronJob", "", "changed"),
        ("Pipeline", "ns", "removed"),
        ("Pipeline", "other", "added"),
        ("X", "", "added"),
    ]
    assert result[0].lines[0].message == 'trigger schedule: "0 1 * * *" -> "0 2 * * *"'


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "spec",
                    "tasks",
                    "params",
                    "steps",
                    "when",
                    "runAfter",
                    "image",
                    "default",
                    "value",
                    "taskSpec",
                    "kind",
                    "metadata",
                    "workspaces",
                    "results",
                    "schedule",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["Pipeline", "Task", "CronJob", "TriggerTemplate", "PipelineRun", "TaskRun", "Other"]),
    JSONISH,
    JSONISH,
)
def test_hostile_objects_never_crash(kind, first, second):
    old = {"kind": kind, "metadata": {"name": "x"}, "spec": first}
    new = {"kind": kind, "metadata": {"name": "x"}, "spec": second}
    result = diff_objects([old, "junk", None], [new, 3])
    if first != second:
        assert result and result[0].lines
        for line in result[0].lines:
            assert isinstance(line.message, str) and line.message
    json.dumps([o.to_json() for o in result], default=str)


def test_markdown_fences_survive_backticks(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    edit(
        root / "base/tasks/cosa-init.yaml",
        "      workingDir: /srv\n",
        "      workingDir: /srv  # ```` fenced ````\n      args: ['```` fenced ````']\n",
    )
    code, out = run_diff(root, capsys, monkeypatch, "--base", "main", "--format", "markdown", "okd-scos")
    assert code == 1
    fence = re.search(r"^(`{3,})diff$", out, re.M).group(1)
    assert len(fence) >= 5 and len(re.findall(rf"^{fence}(?:diff)?$", out, re.M)) == 2
