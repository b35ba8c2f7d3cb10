"""Atomic writing: the stream is built in a hidden folder inside streams/ (so that `../../base`
resolves; discover_streams skips dot-folders) and renamed to streams/NAME only once it passed
every check. Clean-ups run to the end even under Ctrl-C, SIGTERM or SIGHUP."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from okd_streams.files import edit
from okd_streams.model.repo import CARD_NAME
from okd_streams.streams.scaffold.plan import README_NAME, TEMP_PREFIX, Plan


def hidden_folder(parent: Path, name: str) -> Path:
    """A new hidden folder in `parent` (streams/, or overlays/ for a component) for `name`, with
    the permissions a plain mkdir gives."""
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{name}-", dir=parent))
    os.chmod(folder, 0o777 & ~_umask())
    return folder


def write_files(folder: Path, plan: Plan) -> None:
    """The stream's files into `folder`: written anew each time, copied ones kept once there."""
    (folder / "kustomization.yaml").write_text(edit.dump(plan.kustomization), encoding="utf-8")
    (folder / CARD_NAME).write_text(edit.dump(plan.card), encoding="utf-8")
    (folder / README_NAME).write_text(plan.readme, encoding="utf-8")
    for path in plan.extra_files:
        target = folder / path.name
        if target.exists():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.copytree(path, target, symlinks=True)
        else:
            shutil.copy2(path, target, follow_symlinks=False)


def move_into_place(folder: Path, final: Path) -> None:
    os.rename(folder, final)


def uninterrupted(action: Callable[[], None]) -> None:
    """Run a clean-up to the end even if Ctrl-C is pressed again meanwhile (it is idempotent)."""
    for _ in range(100):
        try:
            action()
            return
        except KeyboardInterrupt:
            continue


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def interrupt_on_termination() -> Callable[[], None]:
    """SIGTERM and SIGHUP (a closed terminal) unwind like Ctrl-C, so the clean-up runs."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    # What signal.signal() gives back (and takes): a handler, SIG_DFL/SIG_IGN, or None (not set from Python).
    previous: dict[int, Callable[[int, FrameType | None], Any] | int | signal.Handlers | None] = {}

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                previous[number] = signal.signal(number, interrupt)
            except (OSError, ValueError):
                pass

    def restore() -> None:
        for number, handler in previous.items():
            try:
                signal.signal(number, handler)
            except (OSError, ValueError, TypeError):
                pass

    return restore
