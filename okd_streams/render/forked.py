"""Work shared out to forked processes, one per core: `run_forked(tasks, work, jobs)`.

Why not multiprocessing.Pool: its import, its three threads in the parent and a message per
task cost a cold catalog lint about a tenth of its time, the parent's threads competing
with the workers for the two cores. Here the parent only waits on pipes:

  - the tasks' numbers are written to one pipe before the fork; each worker reads the next
    when it is free (a slow task does not hold up the others);
  - each worker writes a frame per finished task to a pipe of its own, and ends with
    os._exit (no atexit handler, no buffered output of the parent written twice);
  - a worker that raises sends the exception, and the parent raises it;
  - a worker that dies (killed, out of memory) leaves its unfinished tasks to the parent,
    which does them itself: nothing is lost;
  - workers ignore Ctrl-C: the parent, interrupted, stops and reaps them.

Workers inherit everything the parent holds (the configuration, the parsed rules, the
renders): `work` runs in the child on that copy, and only its results travel back.
"""

from __future__ import annotations

import gc
import os
import pickle
import selectors
import signal
import struct
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

MAX_TASKS = 4096  # their numbers (4 bytes each) must fit in a pipe's buffer before any worker reads
_NUMBER = struct.Struct(">I")
_FRAME = struct.Struct(">QB")  # payload length, kind
_RESULT, _RAISED = 0, 1


def can_fork() -> bool:
    return hasattr(os, "fork")


def run_forked(tasks: list[Task], work: Callable[[Task], Result], jobs: int) -> Iterator[tuple[int, Result]]:
    """(index, work(tasks[index])) for every task, in the order they finish, computed in
    `jobs` forked processes. More than MAX_TASKS tasks: group them first."""
    if len(tasks) > MAX_TASKS:
        raise ValueError(f"at most {MAX_TASKS} tasks at once (got {len(tasks)})")
    if not tasks:
        return
    numbers_read = _task_numbers(len(tasks))
    if numbers_read is None:  # no pipe to be had, or one smaller than usual: all done here
        for index, task in enumerate(tasks):
            yield index, work(task)
        return
    workers: dict[int, int] = {}  # result pipe -> process id
    done: set[int] = set()
    finished = False
    gc.freeze()  # what the workers inherit is never scanned by their collector: no copy-on-write of it
    try:
        for _ in range(min(jobs, len(tasks))):
            try:
                results_read, results_write = os.pipe()
            except OSError:  # out of file descriptors: fewer workers (or none: see below)
                break
            try:
                pid = os.fork()
            except OSError:  # out of processes or memory: likewise
                os.close(results_read)
                os.close(results_write)
                break
            if pid == 0:  # the worker
                os.close(results_read)
                for other in workers:
                    os.close(other)
                _serve(numbers_read, results_write, tasks, work)  # never returns
            os.close(results_write)
            workers[results_read] = pid
        os.close(numbers_read)
        numbers_read = -1
        yield from _collect(workers, done)
        finished = True
    finally:
        if numbers_read >= 0:
            os.close(numbers_read)
        _stop(workers, kill=not finished)
        gc.unfreeze()
    for index, task in enumerate(tasks):  # left by a worker that died, or all when none started
        if index not in done:
            yield index, work(task)


def _task_numbers(count: int) -> int | None:
    """The reading end of a pipe holding the numbers 0..count-1, the writing end closed (a
    worker reading past the last number gets end-of-file); None when that cannot be had."""
    try:
        numbers_read, numbers_write = os.pipe()
    except OSError:
        return None
    numbers = b"".join(_NUMBER.pack(index) for index in range(count))
    os.set_blocking(numbers_write, False)
    try:
        written = os.write(numbers_write, numbers)
    except BlockingIOError:
        written = 0
    os.close(numbers_write)
    if written < len(numbers):  # the user's pipe buffers are limited
        os.close(numbers_read)
        return None
    return numbers_read


def _serve(numbers: int, results: int, tasks: list, work: Callable) -> None:
    """A worker's life: take numbers until there are none, send each task's frame, exit."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent answers Ctrl-C and stops us
        while True:
            taken = os.read(numbers, _NUMBER.size)
            if len(taken) < _NUMBER.size:
                break
            (index,) = _NUMBER.unpack(taken)
            try:
                frame = _frame(_RESULT, (index, work(tasks[index])))
            except BaseException as exc:  # noqa: BLE001 - the parent raises it
                frame = _raised(exc)
                _write_all(results, frame)
                code = 1
                break
            _write_all(results, frame)
    except BaseException:  # noqa: BLE001 - a broken pipe (the parent is gone): nothing to tell
        code = 1
    finally:
        os._exit(code)


def _frame(kind: int, value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _FRAME.pack(len(payload), kind) + payload


def _raised(exc: BaseException) -> bytes:
    try:
        return _frame(_RAISED, exc)
    except Exception:  # noqa: BLE001 - not picklable: its type and message still are
        return _frame(_RAISED, RuntimeError(f"{type(exc).__name__}: {exc}"))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _collect(workers: dict[int, int], done: set[int]) -> Iterator[tuple[int, Any]]:
    """Frames from every worker as they come, until each pipe is closed."""
    selector = selectors.DefaultSelector()
    buffers: dict[int, bytearray] = {}
    for fd in workers:
        selector.register(fd, selectors.EVENT_READ)
        buffers[fd] = bytearray()
    try:
        while buffers:
            for key, _ in selector.select():
                fd = key.fd
                chunk = os.read(fd, 1 << 20)
                if not chunk:  # the worker is done (or died)
                    selector.unregister(fd)
                    del buffers[fd]
                    continue
                buffer = buffers[fd]
                buffer += chunk
                while len(buffer) >= _FRAME.size:
                    length, kind = _FRAME.unpack_from(buffer)
                    end = _FRAME.size + length
                    if len(buffer) < end:
                        break
                    value = pickle.loads(buffer[_FRAME.size : end])
                    del buffer[:end]
                    if kind == _RAISED:
                        raise value
                    index, result = value
                    done.add(index)
                    yield index, result
    finally:
        selector.close()


def _stop(workers: dict[int, int], kill: bool) -> None:
    """Close the pipes and reap every worker. `kill`: the parent stops early (interrupted, or
    a worker raised): workers still at work are killed first."""
    for fd, pid in workers.items():
        try:
            os.close(fd)
        except OSError:
            pass
        try:
            if kill and os.waitpid(pid, os.WNOHANG)[0] == 0:
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass
    workers.clear()
