"""The render cache: a stream is rendered again only when something its build reads changed.

A render is stored under a key that is the SHA-256 of

  - the cache scheme (how the wrapper kustomization and origins work, and the stored format),
  - the kustomize in use (`Kustomize.version`: its version line and the binary's identity),
  - every file of the stream's kustomize closure (`kustomization.Walker`), as (path relative
    to the repository root, SHA-256 of its content), and which kustomization file names
    exist in each folder on the way (a second `kustomization.yml` beside the first makes
    kustomize fail).

A closure that may not be everything the build reads (a remote base, a kustomization that
does not parse, plugin configurations that name further files) is never cached: such a
stream is rendered every time. Failed builds are not cached either.

The cache lives in `.cache/okd-streams/` under the repository root (gitignored; the folder
also ignores itself), or in $OKD_STREAMS_CACHE_DIR, or, for `lint` outside any repository,
in $XDG_CACHE_HOME/okd-streams (default ~/.cache/okd-streams). Entries are JSON (never
pickle: a cache folder must not be able to run code), written to a temporary file and
renamed into place, so two runs sharing the cache never see half an entry; an entry that
does not parse, or whose key does not match its name, is ignored and written again.

Besides renders, the same store keeps lint results: each file's and each unit's problems
per (input, rules version, configuration), the findings of file rules whose results depend
on settings of their own (yamllint's) per (file, those settings), and the whole report of a
full check per (every file of the repository, rules, configuration): a warm `check` loads,
it does not recompute (okd_streams.lint.session). `lint` keeps each PATH's problems in one
SQLite table instead (okd_streams.render.store): hundreds are stored at once, and a file each
would cost an inode each. Callers use the typed methods (`render`, `problems`, `set_problems`,
`report` and their `put_`s); which entries live in files and which in a table is this
module's business.

Renders that are not cached are built in parallel by okd_streams.render.runner.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from okd_streams.files.paths import read_regular
from okd_streams.problem import Problem
from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import Kustomize, RenderedObject, RenderResult
from okd_streams.render.store import EntryTable, encode

SCHEME = "okd-streams-render/2"  # bump when the wrapper, the origin scheme or the stored format changes
CACHE_ENV = "OKD_STREAMS_CACHE_DIR"
NO_CACHE_ENV = "OKD_STREAMS_NO_CACHE"
MAX_ENTRIES = 20_000  # per kind; the least recently written beyond this are removed
# The kinds of entries: a folder of JSON files each, but LINT_SETS (one SQLite table).
RENDERS, UNIT_PROBLEMS, FILE_PROBLEMS, RULE_PROBLEMS, REPORTS = "renders", "problems", "files", "file-rules", "reports"
FILE_KINDS = (RENDERS, UNIT_PROBLEMS, FILE_PROBLEMS, RULE_PROBLEMS, REPORTS)
LINT_SETS = "lint-sets"


def default_directory(root: Path | None) -> Path:
    """$OKD_STREAMS_CACHE_DIR, else ROOT/.cache/okd-streams, else the user's cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    if root is not None:
        return Path(root) / ".cache" / "okd-streams"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "okd-streams"


def disabled_by_environment() -> bool:
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def digest(*parts: Any) -> str:
    """SHA-256 of a JSON rendering of `parts` (the one way keys are made)."""
    text = json.dumps(parts, separators=(",", ":"), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Cache:
    """The one disk store of a run: renders and lint results, each under a key made by `digest`.

    Entries are JSON files, `<kind>/<key>.json`, but a lint's sets, stored by the hundred in
    one SQLite table, `lint-sets.sqlite` (`table`). Every failure to read or write is a miss."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._prepared: set[str] = set()
        self._lock = threading.Lock()
        self._tables: dict[str, EntryTable] = {}

    def table(self, kind: str) -> EntryTable:
        """The entries of `kind` kept in one SQLite file (okd_streams.render.store), for kinds
        stored by the hundred at once: a file each would cost an inode each."""
        found = self._tables.get(kind)
        if found is None:
            found = self._tables[kind] = EntryTable(
                self.directory / f"{kind}.sqlite", SCHEME, MAX_ENTRIES, prepare=self._prepare_directory
            )
        return found

    # -- typed entries -------------------------------------------------------------------
    def render(self, key: str, directory: Path) -> RenderResult | None:
        """The render stored under `key`, its objects' origins made absolute under `directory`."""
        return decode_render(directory, self.get(RENDERS, key))

    def put_render(self, key: str, result: RenderResult) -> bool:
        text = encode_render(result)
        return text is not None and self.put(RENDERS, key, None, text=text)

    def problems(self, kind: str, key: str) -> list[Problem] | None:
        """Problems stored as `kind` (UNIT_PROBLEMS, FILE_PROBLEMS, RULE_PROBLEMS) under `key`."""
        return decode_problems(self.get(kind, key))

    def put_problems(self, kind: str, key: str, problems: Iterable[Problem]) -> bool:
        return self.put(kind, key, [p.as_row() for p in problems])

    def set_problems(self, key: str) -> list[Problem] | None:
        """A lint set's problems (okd_streams.lint.linting), from the sets' table."""
        return decode_problems(self.table(LINT_SETS).get(key))

    def put_sets(self, entries: list[tuple[str, str]]) -> int:
        """Store lint sets' problems, (key, `encode_problems` text) each, in one transaction."""
        return self.table(LINT_SETS).put_many(entries, encoded=True)

    def report(self, key: str) -> Any | None:
        """A whole check's report (okd_streams.lint.session.ReportMemo says what it holds)."""
        return self.get(REPORTS, key)

    def put_report(self, key: str, value: dict) -> bool:
        return self.put(REPORTS, key, value)

    def prune_all(self) -> None:
        """Keep the store bounded: after a run that wrote entries, drop the oldest beyond the limit.
        (The sets' table bounds itself as it is written.)"""
        if self.writes:
            for kind in FILE_KINDS:
                self.prune(kind)

    # -- entries as JSON ------------------------------------------------------------------
    def _path(self, kind: str, key: str) -> Path:
        return self.directory / kind / f"{key}.json"

    def get(self, kind: str, key: str) -> Any | None:
        """The stored value, or None: missing, unreadable, not JSON or stored under another key."""
        try:
            with open(self._path(kind, key), "rb") as handle:
                entry = json.loads(handle.read())
        except (OSError, ValueError, RecursionError):
            with self._lock:
                self.misses += 1
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or entry.get("scheme") != SCHEME:
            with self._lock:
                self.misses += 1
            return None
        with self._lock:
            self.hits += 1
        return entry.get("value")

    def put(self, kind: str, key: str, value: Any, text: str | None = None) -> bool:
        """Store `value` atomically (temporary file + rename). `text`: its JSON, if already made."""
        body = text if text is not None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        data = '{"scheme":' + json.dumps(SCHEME) + ',"key":' + json.dumps(key) + ',"value":' + body + "}"
        folder = self.directory / kind
        try:
            self._prepare(kind, folder)
            # A name no other writer uses (process and thread in it), created exclusively; the
            # rename is atomic, so readers see the old entry or the new one, never a part.
            temporary = os.path.join(folder, f".{key[:24]}.{os.getpid()}.{threading.get_ident()}.tmp")
            try:
                handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:  # left by a killed run that had our process id
                import tempfile

                handle, temporary = tempfile.mkstemp(prefix=f".{key[:16]}-", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data.encode("utf-8", "surrogatepass"))
                os.replace(temporary, os.path.join(folder, f"{key}.json"))
            except BaseException:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
                raise
        except (OSError, UnicodeError):
            return False
        with self._lock:
            self.writes += 1
        return True

    def _prepare(self, kind: str, folder: Path) -> None:
        if kind in self._prepared:
            return
        folder.mkdir(parents=True, exist_ok=True)
        self._prepare_directory()
        self._prepared.add(kind)

    def _prepare_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():  # the cache ignores itself, whatever the repository's .gitignore says
            _write_quietly(ignore, "# created by okd-streams: everything here is a cache\n*\n")
            _write_quietly(
                self.directory / "CACHEDIR.TAG",
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by okd-streams.\n",
            )

    def prune(self, kind: str, keep: int = MAX_ENTRIES) -> int:
        """Remove the oldest entries of `kind` beyond `keep` (and leftover temporary files)."""
        folder = self.directory / kind
        try:
            entries = [entry for entry in os.scandir(folder) if entry.is_file()]
        except OSError:
            return 0
        removed = 0
        stale = [e for e in entries if e.name.endswith(".tmp")]
        entries = [e for e in entries if e.name.endswith(".json")]
        if len(entries) > keep:
            entries.sort(key=lambda e: _mtime(e))
            stale.extend(entries[: len(entries) - keep])
        for entry in stale:
            if entry.name.endswith(".tmp") and _age(entry) < 3600:
                continue  # maybe another run is writing it right now
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
        return removed


def _write_quietly(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError:
        pass


def _mtime(entry: os.DirEntry) -> float:
    try:
        return entry.stat().st_mtime
    except OSError:
        return 0.0


def _age(entry: os.DirEntry) -> float:
    import time

    return time.time() - _mtime(entry)


def open_cache(root: Path | None, enabled: bool = True) -> Cache | None:
    """The cache for a run, or None when turned off (--no-cache, $OKD_STREAMS_NO_CACHE)."""
    if not enabled or disabled_by_environment():
        return None
    return Cache(default_directory(root))


class FileHashes:
    """SHA-256 of each file's content, read once per run however many streams share it."""

    MISSING = "-"
    SPECIAL = "special"  # not a regular file: never read (kustomize's own failure is reported)

    def __init__(self, base: Path | None = None) -> None:
        self.base = Path(os.path.abspath(base)) if base is not None else None
        self._digests: dict[Path, str] = {}
        self._stamps: dict[Path, tuple] = {}  # what os.stat said when each file was hashed
        self._names: dict[Path, tuple[str, ...]] = {}
        self._shown: dict[Path, str] = {}
        self._lock = threading.Lock()

    def digest(self, path: Path) -> str:
        found = self._digests.get(path)
        if found is None:
            try:
                info = os.stat(path)
                self._stamps[path] = _stamp(info)
                if not stat.S_ISREG(info.st_mode):  # a FIFO or device: opening it would block
                    found = self.SPECIAL
                else:
                    # Non-blocking: some "regular" files (/proc/kmsg) block a reader forever.
                    hasher = hashlib.sha256()
                    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
                    with os.fdopen(handle, "rb", buffering=0) as stream:  # in chunks: hashed, not loaded
                        for chunk in iter(lambda: stream.read(1 << 20), b""):
                            if chunk is None:  # would block
                                raise BlockingIOError
                            hasher.update(chunk)
                    found = hasher.hexdigest()
            except BlockingIOError:
                found = self.SPECIAL
            except (OSError, ValueError):
                found = self.MISSING
            with self._lock:
                self._digests[path] = found
        return found

    def read(self, path: Path) -> bytes | None:
        """The bytes of the file as the rules read them (yamlio.read_regular), hashed as
        `digest` hashes them: one read for a key and the parse behind it. None (and the file
        hashed as usual) when the rules would not get bytes, or when it was hashed already."""
        if path in self._digests:
            return None
        raw, _, info = read_regular(path)
        if raw is None or info is None:  # unreadable, special, or too large: `digest` says what it is
            self.digest(path)
            return None
        with self._lock:
            self._stamps[path] = _stamp(info)
            self._digests[path] = hashlib.sha256(raw).hexdigest()
        return raw

    def changed(self, path: Path) -> bool:
        """Whether the file at `path` looks changed (size, time, inode) since it was hashed."""
        try:
            return _stamp(os.stat(path)) != self._stamps.get(path)
        except OSError:
            return self._stamps.get(path) is not None

    def kustomization_names(self, directory: Path) -> tuple[str, ...]:
        found = self._names.get(directory)
        if found is None:
            found = tuple(name for name in kz.NAMES if os.path.lexists(directory / name))
            self._names[directory] = found
        return found

    def shown(self, path: Path) -> str:
        """`path` relative to the base (so keys survive moving the repository), else absolute."""
        found = self._shown.get(path)
        if found is None:
            text = str(path)
            if self.base is not None:
                prefix = str(self.base).rstrip("/") + "/"
                text = text[len(prefix) :] if text.startswith(prefix) else os.path.relpath(text, self.base)
            found = self._shown[path] = text
        return found


def _stamp(info: os.stat_result) -> tuple:
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def render_key(kustomize: Kustomize, directory: Path, graph: kz.Closure, hashes: FileHashes) -> str | None:
    """The key of a stream's render, or None when its closure may miss something it reads."""
    if graph.remote or graph.incomplete:
        return None
    files = sorted((hashes.shown(path), hashes.digest(path)) for path in graph.files)
    folders = sorted((hashes.shown(folder), hashes.kustomization_names(folder)) for folder in graph.directories)
    return digest(SCHEME, kustomize.version, hashes.shown(directory), files, folders)


def encode_render(result: RenderResult) -> str | None:
    """The JSON of a render, or None when JSON would not give back the same data (keys that are
    not strings, dates, binary, NaN): such a render is not cached."""
    directory = str(result.directory)
    rows = [[obj.data, os.path.relpath(obj.origin, directory) if obj.origin else None] for obj in result.objects]
    try:
        text = json.dumps(rows, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    try:
        if json.loads(text) != [[obj.data, row[1]] for obj, row in zip(result.objects, rows, strict=True)]:
            return None
    except (ValueError, RecursionError):
        return None
    return text


def decode_render(directory: Path, value: Any) -> RenderResult | None:
    if not isinstance(value, list):
        return None
    result = RenderResult(directory, cached=True)
    base = str(directory)
    for row in value:
        if not isinstance(row, list) or len(row) != 2 or not isinstance(row[0], dict):
            return None
        origin = row[1]
        if origin is not None and not isinstance(origin, str):
            return None
        result.objects.append(RenderedObject(row[0], os.path.normpath(os.path.join(base, origin)) if origin else None))
    return result


def encode_problems(problems: Iterable[Problem]) -> str | None:
    """The text problems are stored as (made in a lint worker, stored by the main process)."""
    return encode([p.as_row() for p in problems])


def decode_problems(stored: Any) -> list[Problem] | None:
    if not isinstance(stored, list):
        return None
    problems = []
    width = len(dataclasses.fields(Problem))
    for row in stored:
        if not isinstance(row, list) or len(row) != width:
            return None
        try:
            problems.append(Problem(*row))
        except TypeError:
            return None
    return problems


@lru_cache(maxsize=1)  # the code this process runs does not change under it
def package_version() -> str:
    """A fingerprint of okd-streams' own files (code, rules, schemas): cached results computed
    by other code are never reused. Each file counts by its size and modification time, in
    nanoseconds: an edit changes them, and reading them is a twentieth of hashing the files
    (a changed file with both unchanged is not a case an editor or git produces)."""
    package = Path(__file__).resolve().parent.parent
    parts = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".yaml", ".json")):
                path = os.path.join(folder, name)
                try:
                    found = os.stat(path)
                    parts.append((os.path.relpath(path, package), found.st_size, found.st_mtime_ns))
                except OSError:
                    parts.append((path, -1, -1))
    return digest(parts)
