"""okd_streams.render.forked: tasks shared out to forked workers; nothing lost, nothing left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from okd_streams.render import forked

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="needs fork")


def square(task: int) -> tuple[int, int]:
    return task * task, os.getpid()


def test_every_task_is_answered_once_by_the_workers():
    results = dict(forked.run_forked(list(range(200)), square, jobs=2))
    assert sorted(results) == list(range(200))
    assert all(value == index * index for index, (value, _) in results.items())
    workers = {pid for _, pid in results.values()}
    assert os.getpid() not in workers and 1 <= len(workers) <= 2


def test_a_worker_that_raises_stops_the_run_with_its_exception(tmp_path):
    def fails_on_seven(task: int) -> int:
        _note_worker(tmp_path)
        if task == 7:
            raise KeyError("seven")
        time.sleep(0.01)
        return task

    with pytest.raises(KeyError, match="seven"):
        list(forked.run_forked(list(range(20)), fails_on_seven, jobs=2))
    assert _left_running(tmp_path) == [], "no worker left behind"


def test_what_a_dead_worker_took_is_done_by_the_parent(tmp_path):
    parent = os.getpid()

    def dies_once(task: int) -> int:
        if os.getpid() != parent:
            _note_worker(tmp_path)
            if task == 3:
                os.kill(os.getpid(), signal.SIGKILL)  # out of memory, or killed by the user
        return task + 1

    results = dict(forked.run_forked(list(range(10)), dies_once, jobs=2))
    assert results == {task: task + 1 for task in range(10)}
    assert _left_running(tmp_path) == []


def test_too_many_tasks_at_once_are_refused():
    with pytest.raises(ValueError):
        list(forked.run_forked(list(range(forked.MAX_TASKS + 1)), square, jobs=2))


def test_stopping_early_kills_and_reaps_the_workers(tmp_path):
    def slow(task: int) -> int:
        _note_worker(tmp_path)
        time.sleep(0.05)
        return task

    results = forked.run_forked(list(range(100)), slow, jobs=2)
    next(results)
    results.close()  # the consumer gives up (Ctrl-C in the parent)
    assert _left_running(tmp_path) == []


def test_workers_ignore_ctrl_c_and_the_parent_stops_them(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(
        "import time, sys\n"
        "from okd_streams.render import forked\n"
        "def slow(task):\n    time.sleep(0.1)\n    return task\n"
        "try:\n"
        "    for index, _ in forked.run_forked(list(range(200)), slow, jobs=2):\n"
        "        print(index, flush=True)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=os.getcwd(),
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert process.stdout.readline().strip().isdigit()  # at work
    os.killpg(process.pid, signal.SIGINT)  # as a terminal sends it: to the whole group
    out, err = process.communicate(timeout=30)
    assert out.strip().endswith("interrupted") and "Traceback" not in err, err
    time.sleep(0.1)
    assert subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout == ""


def _note_worker(folder) -> None:
    with open(folder / "workers", "a", encoding="utf-8") as note:
        note.write(f"{os.getpid()}\n")


def _left_running(folder) -> list[int]:
    """The workers seen at work that still exist (running, or dead but not reaped)."""
    left = []
    for pid in {int(word) for word in (folder / "workers").read_text(encoding="utf-8").split()}:
        try:
            os.kill(pid, 0)
            left.append(pid)
        except ProcessLookupError:
            pass
    return left


def test_no_process_to_be_had_means_the_parent_does_it_all(monkeypatch):
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")  # fork's EAGAIN: a limit on processes

    monkeypatch.setattr(os, "fork", no_fork)
    results = dict(forked.run_forked(list(range(30)), square, jobs=2))
    assert sorted(results) == list(range(30))
    assert {pid for _, pid in results.values()} == {os.getpid()}


def test_a_second_worker_refused_leaves_the_work_to_the_first(monkeypatch):
    real_fork = os.fork
    calls = []

    def one_fork() -> int:
        calls.append(1)
        if len(calls) > 1:
            raise OSError(12, "Cannot allocate memory")
        return real_fork()

    monkeypatch.setattr(os, "fork", one_fork)
    results = dict(forked.run_forked(list(range(30)), square, jobs=2))
    assert sorted(results) == list(range(30))
    assert len({pid for _, pid in results.values()}) == 1 and os.getpid() not in {pid for _, pid in results.values()}
