"""The pre-commit hooks, run for real and offline on a fresh clone of the project, and `.tekton/`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from okd_streams.cli import build_parser, main
from tests.conftest import REPO
from tests.gitrepo import clone_of_project, edit

# Any attempt to reach the network fails fast: proxies that refuse, no package index, git limited to files.
OFFLINE = dict.fromkeys(
    ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"), "http://127.0.0.1:9"
)
OFFLINE.update({"no_proxy": "", "NO_PROXY": "", "PIP_NO_INDEX": "1", "GIT_ALLOW_PROTOCOL": "file"})


def has_command(name: str) -> bool:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return name in sub.choices


HAS_DOCS = has_command("docs")


@pytest.fixture
def clone(tmp_path):
    """A new git repository holding the project's files, as a fresh clone would after `make setup`."""
    root = tmp_path / "okd-streams"
    root.mkdir()
    repo = clone_of_project(root)
    if HAS_DOCS:
        # docs/ is generated; whether this checkout's copy is current is `make check`'s business.
        # Here the hook's wiring is under test, so the clone starts with current docs.
        before = os.getcwd()
        try:
            os.chdir(root)
            assert main(["docs"]) == 0
        finally:
            os.chdir(before)
        repo.git.add("-A")
        if repo.is_dirty():
            repo.git.commit("-q", "-m", "docs")
    return repo


def pre_commit(root: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(OFFLINE)
    env["PRE_COMMIT_HOME"] = str(home)
    env["OKD_STREAMS_PYTHON"] = sys.executable  # the environment `make setup` made (.venv)
    env["PRE_COMMIT_COLOR"] = "never"
    if not HAS_DOCS:
        env["SKIP"] = "okd-streams-docs"  # the `docs` command is not there yet: its hook cannot run
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )


def test_pre_commit_run_all_files_passes_offline_on_a_fresh_clone(clone, tmp_path):
    root = Path(clone.working_tree_dir)
    done = pre_commit(root, tmp_path / "pre-commit-home", "run", "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("yamllint.") and line.endswith("Passed") for line in lines), done.stdout
    assert any(line.startswith("okd-streams check") and line.endswith("Passed") for line in lines), done.stdout
    docs = [line for line in lines if line.startswith("okd-streams docs")]
    assert docs and docs[0].endswith("Passed" if HAS_DOCS else "Skipped"), done.stdout
    assert not clone.is_dirty(untracked_files=True), "the hooks write nothing"


def test_pre_commit_fails_on_a_staged_broken_stream(clone, tmp_path):
    root = Path(clone.working_tree_dir)
    edit(root / "streams/okd-fcos/kustomization.yaml", "  - stream.yaml\n", "  - stream.yaml\n  - missing.yaml\n")
    clone.git.add("streams/okd-fcos/kustomization.yaml")
    done = pre_commit(root, tmp_path / "pre-commit-home", "run")
    assert done.returncode != 0
    assert "okd-streams check (the streams the staged changes affect)" in done.stdout
    assert "Failed" in done.stdout
    assert "streams/okd-fcos/kustomization.yaml:" in done.stdout and "[K001]" in done.stdout
    assert ": info " not in done.stdout, "info findings must not bury the error"
    assert "checking 1 stream affected by the changes since" in done.stdout and ": okd-fcos" in done.stdout


def test_the_hook_checks_only_the_streams_the_staged_change_affects(clone, tmp_path):
    root = Path(clone.working_tree_dir)
    edit(root / "streams/okd-scos/stream.yaml", "value: release-4.19", "value: release-4.20")
    edit(root / "streams/okd-fcos/kustomization.yaml", "  - stream.yaml\n", "  - stream.yaml\n  - missing.yaml\n")
    clone.git.add("streams/okd-scos/stream.yaml")  # the broken okd-fcos edit stays unstaged
    # (the docs hook would fail here, rightly: the stream catalog shows the card's values)
    done = pre_commit(root, tmp_path / "pre-commit-home", "run", "okd-streams-check", "--verbose")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "affected by the changes since the last commit (staged changes): okd-scos" in output
    assert "1 streams checked: 0 errors" in output
    assert "  - missing.yaml\n" in (root / "streams/okd-fcos/kustomization.yaml").read_text(), (
        "pre-commit put the unstaged change back"
    )


@pytest.mark.skipif(not HAS_DOCS, reason="the docs command is not there yet")
def test_pre_commit_fails_on_stale_generated_docs(clone, tmp_path):
    root = Path(clone.working_tree_dir)
    stale = root / "docs/reference/rules.md"
    stale.write_text(stale.read_text() + "\nhand edit\n")
    clone.git.add("docs/reference/rules.md")
    done = pre_commit(root, tmp_path / "pre-commit-home", "run")
    assert done.returncode != 0
    assert "docs/reference/rules.md is stale" in done.stdout


def test_yamllint_hook_fails_on_style(clone, tmp_path):
    root = Path(clone.working_tree_dir)
    edit(root / "overlays/scos/kustomization.yaml", "kind: Component\n", "kind: Component   \n")
    clone.git.add("-A")
    done = pre_commit(root, tmp_path / "pre-commit-home", "run", "yamllint")
    assert done.returncode != 0
    assert "overlays/scos/kustomization.yaml" in done.stdout and "trailing-spaces" in done.stdout


def test_the_configurations_are_valid_and_run_offline(tmp_path):
    env = {**os.environ, **OFFLINE, "PRE_COMMIT_HOME": str(tmp_path)}
    for command, path in (
        ("validate-config", ".pre-commit-config.yaml"),
        ("validate-manifest", ".pre-commit-hooks.yaml"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "pre_commit", command, str(REPO / path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"], "local hooks only: nothing to download"
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert set(hooks) == {"yamllint", "okd-streams-check", "okd-streams-docs"}
    assert {hook["language"] for hook in hooks.values()} == {"system"}
    for hook in hooks.values():
        assert hook["entry"].startswith("scripts/pre-commit-hook ")
    assert os.access(REPO / "scripts/pre-commit-hook", os.X_OK)
    manifest = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert manifest["okd-streams-lint"]["entry"] == "okd-streams lint"
    assert manifest["okd-streams-lint"]["language"] == "python"
    assert manifest["okd-streams-lint"]["types"] == ["yaml"]
    assert manifest["okd-streams-check"]["entry"].startswith("okd-streams check --staged")


def test_the_hook_script_says_what_to_do_without_an_environment(tmp_path):
    env = {**os.environ, "OKD_STREAMS_PYTHON": shutil.which("false") or "/bin/false"}
    done = subprocess.run(
        [str(REPO / "scripts/pre-commit-hook"), "okd_streams", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "run `make setup`" in done.stderr


# -- .tekton/: the project checks itself with Tekton, and okd-streams lints that too -------------


def test_the_pull_request_pipelinerun_lints_clean(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["lint", ".tekton", "--format", "json", "--strict"]) == 0
    problems = json.loads(capsys.readouterr().out)
    assert [p for p in problems if p["level"] != "info"] == []
    run = yaml.safe_load((REPO / ".tekton/pull-request.yaml").read_text())
    assert run["apiVersion"] == "tekton.dev/v1" and run["kind"] == "PipelineRun"
    annotations = run["metadata"]["annotations"]
    assert annotations["pipelinesascode.tekton.dev/on-event"] == "[pull_request]"
    assert annotations["pipelinesascode.tekton.dev/on-target-branch"] == "[main]"
    assert int(annotations["pipelinesascode.tekton.dev/max-keep-runs"]) > 0
    assert {p["name"]: p["value"] for p in run["spec"]["params"]} == {
        "repo_url": "{{ repo_url }}",
        "revision": "{{ revision }}",
    }
    steps = [step for task in run["spec"]["pipelineSpec"]["tasks"] for step in task["taskSpec"]["steps"]]
    assert all(":" in step["image"].rsplit("/", 1)[-1] for step in steps), "images pinned"
    assert any("make check" in step["script"] and "make test" in step["script"] for step in steps)


def test_check_runs_the_tekton_rules_on_dot_tekton(tmp_path, capsys, monkeypatch):
    for folder in ("base", "overlays", "streams", ".tekton"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / ".yamllint", tmp_path / ".yamllint")
    edit(tmp_path / ".tekton/pull-request.yaml", "apiVersion: tekton.dev/v1\n", "apiVersion: tekton.dev/v1beta1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    errors = [(p["path"], p["code"], p["stream"]) for p in problems if p["level"] == "error"]
    assert errors == [(".tekton/pull-request.yaml", "S001", None)]
