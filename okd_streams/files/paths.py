"""Where files are and reading their bytes safely: the filesystem half of reading YAML.

Symlinks that lead out of the tree a file is named in (`Boundaries`, `outside`) are refused,
as kustomize and Argo CD refuse them; a file is read only if it is a regular file of at most
MAX_FILE_BYTES (`read_regular`), so a FIFO never blocks a run and a huge file is never read
whole. What goes wrong is a `LoadIssue` in position, never an exception.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 4 * 1024 * 1024


@dataclass
class LoadIssue:
    """Something wrong with the file itself (not with what it describes)."""

    line: int
    column: int
    kind: str  # "syntax" | "duplicate-key" | "tag" | "key" | "encoding" | "too-large" | "too-complex" | "symlink"
    message: str


def _within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


class Boundaries:
    """Boundaries resolved once, for `outside` on many files: a lint of hundreds of folders
    checks each file against its few ancestors, not against every boundary (no files x paths)."""

    def __init__(self, boundaries: list[Path] | tuple[Path, ...]) -> None:
        self.items = list(boundaries)
        self.usable = True
        self._folders: dict[str, str] = {}
        self.named: set[str] = set()
        self.real: set[str] = set()
        for boundary in self.items:
            named = os.path.abspath(boundary)
            try:
                real = real_folder(named, self._folders)  # a lint of hundreds of folders: each ancestor once
            except (OSError, RuntimeError):
                self.usable = False
                return
            self.named.update((named, real))
            self.real.add(real)

    def __bool__(self) -> bool:
        return bool(self.items)

    @staticmethod
    def _within_any(path: str, folders: set[str]) -> bool:
        while True:
            if path in folders:
                return True
            parent = os.path.dirname(path)
            if parent == path:
                return False
            path = parent

    def outside(self, path: Path, is_link: bool | None = None) -> Path | None:
        """See `outside`. `is_link`: whether `path` itself is a symlink, when the caller knows."""
        if not self.items or not self.usable:
            return None
        nominal = os.path.abspath(path)
        if not self._within_any(nominal, self.named):
            return None
        try:
            real = self._real(nominal, is_link)
        except (OSError, RuntimeError):  # a symlink loop: reading it fails, and says so
            return None
        return None if self._within_any(real, self.real) else Path(real)

    def _real(self, nominal: str, is_link: bool | None = None) -> str:
        """`os.path.realpath(nominal)`, with each folder resolved once: files of one folder share it."""
        folder, name = os.path.split(nominal)
        if not name or (os.path.islink(nominal) if is_link is None else is_link):
            return os.path.realpath(nominal)
        return os.path.join(real_folder(folder, self._folders), name)


def real_folder(folder: str, memo: dict[str, str]) -> str:
    """`os.path.realpath(folder)` for an absolute, normalised `folder`, each ancestor resolved
    once per `memo`: a folder that is no symlink is its resolved parent joined with its name."""
    found = memo.get(folder)
    if found is None:
        parent, name = os.path.split(folder)
        if not name or parent == folder or os.path.islink(folder):
            found = os.path.realpath(folder)
        else:
            found = os.path.join(real_folder(parent, memo), name)
        memo[folder] = found
    return found


def outside(path: Path, boundaries: list[Path] | tuple[Path, ...] | Boundaries) -> Path | None:
    """Where `path` really is when a symlink leads it out of the boundary it is named in, else
    None. A path named outside every boundary (a base that kustomize reached through `../`) is
    not judged here: only a link inside the tree that points out of it is refused."""
    if isinstance(boundaries, Boundaries):
        return boundaries.outside(path)
    if not boundaries:
        return None
    nominal = Path(os.path.abspath(path))
    try:
        resolved = [b.resolve() for b in boundaries]
    except (OSError, RuntimeError):
        return None
    if not any(
        _within(nominal, Path(os.path.abspath(b))) or _within(nominal, r)
        for b, r in zip(boundaries, resolved, strict=True)
    ):
        return None
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: reading it fails, and says so
        return None
    return None if any(_within(real, r) for r in resolved) else real


def read_limited(path: Path) -> tuple[bytes | None, LoadIssue | None]:
    """The bytes of a regular file of at most MAX_FILE_BYTES, or why not: never blocks on a
    FIFO or device, never reads more than the limit of a huge file into memory."""
    raw, issue, _ = read_regular(path)
    return raw, issue


def read_regular(path: Path) -> tuple[bytes | None, LoadIssue | None, os.stat_result | None]:
    """`read_limited`, with what os.stat said before the read (to tell later whether the file
    changed), or None when it could not say."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return None, LoadIssue(1, 1, "encoding", f"cannot read file: {exc.strerror or exc}"), None
    if not stat.S_ISREG(info.st_mode):
        return None, LoadIssue(1, 1, "encoding", "not a regular file (a FIFO, socket or device), not read"), info
    if info.st_size > MAX_FILE_BYTES:
        return (
            None,
            LoadIssue(
                1,
                1,
                "too-large",
                f"file is {info.st_size} bytes; okd-streams reads YAML files up to {MAX_FILE_BYTES} (4 MiB): split it",
            ),
            info,
        )
    try:
        raw = _read_at_most(path, MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, LoadIssue(1, 1, "encoding", f"cannot read file: {exc.strerror or exc}"), info
    if len(raw) > MAX_FILE_BYTES:  # grew while we read it
        return (
            None,
            LoadIssue(
                1,
                1,
                "too-large",
                f"file is over {MAX_FILE_BYTES} bytes; okd-streams reads YAML files up to 4 MiB: split it",
            ),
            info,
        )
    return raw, None, info


def _read_at_most(path: Path, limit: int) -> bytes:
    """Up to `limit` bytes of a file, with plain system calls (no buffered stream); never
    waits on a FIFO swapped in after the stat."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        chunks = []
        size = 0
        while size < limit:
            chunk = os.read(handle, limit - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(handle)


def symlink_issue(target: Path) -> LoadIssue:
    return LoadIssue(
        1,
        1,
        "symlink",
        f"symlink to {target}, outside the repository: not read (kustomize refuses "
        "files outside a kustomization's folder and Argo CD refuses repositories "
        "with out-of-bounds symlinks); copy the file in or remove the link",
    )


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: a temporary file in the same folder, then
    `os.replace` (a reader never sees half a file; the mode of an existing file is kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def decode(raw: bytes) -> tuple[str | None, LoadIssue | None]:
    """Bytes to text, refusing what is not a UTF-8 text file."""
    if len(raw) > MAX_FILE_BYTES:
        return None, LoadIssue(
            1, 1, "too-large", f"file is {len(raw)} bytes; okd-streams reads YAML files up to {MAX_FILE_BYTES}"
        )
    if b"\x00" in raw:
        return None, LoadIssue(1, 1, "encoding", "binary file (contains NUL bytes), not YAML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, LoadIssue(line, 1, "encoding", f"not UTF-8 text (bad byte at offset {exc.start})")
    return text, None
