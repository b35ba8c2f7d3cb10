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

Besides renders, the cache keeps yamllint's findings per (file content, yamllint
configuration, yamllint version), each file's and each unit's problems per (input, rules
version, configuration), and the whole report of a full check per (every file of the
repository, rules, configuration): a warm `check` loads, it does not recompute
(okd_streams.lint.checking). `lint` keeps each PATH's problems in one SQLite table instead
(`Cache.table`, okd_streams.render.store): hundreds are stored at once, and a file each
would cost an inode each.

Renders that are not cached are built in parallel (one kustomize per core), eight streams
per kustomize run when that cannot change their output (`kustomize.build_batch`).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okd_streams.files.loader import load_file, read_regular
from okd_streams.render import kustomization as kz
from okd_streams.render import origins
from okd_streams.render.kustomize import (
    Kustomize,
    RenderedObject,
    RenderResult,
    build,
    build_batch,
    find_kustomize,
    forget_strings,
    kill_running,
)
from okd_streams.render.store import EntryTable

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

SCHEME = "okd-streams-render/2"  # bump when the wrapper, the origin scheme or the stored format changes
CACHE_ENV = "OKD_STREAMS_CACHE_DIR"
NO_CACHE_ENV = "OKD_STREAMS_NO_CACHE"
MAX_ENTRIES = 20_000  # per kind; the least recently written beyond this are removed
BATCH_SIZE = 8  # streams per kustomize run (see kustomize.build_batch); past ~12 kustomize slows down
# Kustomization fields that act on the whole build, at its top: streams using them are built alone.
ROOT_FIELDS = frozenset({"sortOptions", "vars", "helmCharts", "helmGlobals", "helmChartInflationGenerator",
                         "buildMetadata", "transformers", "generators", "validators"})


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
    """A folder of JSON entries, `<kind>/<key>.json`, and of `<kind>.sqlite` tables for kinds
    stored by the hundred (`table`). Every failure to read or write is a miss."""

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
            found = self._tables[kind] = EntryTable(self.directory / f"{kind}.sqlite", SCHEME, MAX_ENTRIES,
                                                    prepare=self._prepare_directory)
        return found

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
        data = ('{"scheme":' + json.dumps(SCHEME) + ',"key":' + json.dumps(key) + ',"value":' + body + "}")
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
            _write_quietly(self.directory / "CACHEDIR.TAG",
                           "Signature: 8a477f597d28d172789f06886806bc55\n"
                           "# This file is a cache directory tag created by okd-streams.\n")

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
        self.memo: dict[str, dict] = {}  # more per-run derived values, by what they are

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
                text = text[len(prefix):] if text.startswith(prefix) else os.path.relpath(text, self.base)
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


class CachedRenderer:
    """Renders kustomization folders: from the cache when their closure is unchanged, else with
    kustomize, several at a time in parallel (batched when that cannot change the output).

    Callable as a `checking.Renderer`. After a call, `closures[directory]` holds each folder's
    closure (computed once, for the key) and `keys[directory]` its render key (or None), for
    whoever builds units from the renders.
    """

    def __init__(self, cache: Cache | None, base: Path | None = None, walker: kz.Walker | None = None,
                 hashes: FileHashes | None = None, kustomize: Kustomize | None = None, jobs: int | None = None,
                 batch: bool = True, documents: Callable[[Path], list] | None = None) -> None:
        self.cache = cache
        self.walker = walker or kz.Walker()
        self.hashes = hashes or FileHashes(base)
        self._kustomize = kustomize
        self.jobs = jobs or cpu_jobs()
        self.batch = batch
        self.closures: dict[Path, kz.Closure] = {}
        self.keys: dict[Path, str | None] = {}
        self.rendered = 0  # folders kustomize built in this run (not from the cache)
        # The data of every document of a resource file (for origins): from the caller's parsed
        # tree when it has one, so no file is parsed twice, else read here once per run.
        self._documents = documents or self._read_documents
        self._resource_documents: dict[Path, list] = {}
        self.runs = 0  # kustomize processes started

    @property
    def kustomize(self) -> Kustomize:
        if self._kustomize is None:
            self._kustomize = find_kustomize()
        return self._kustomize

    def closure(self, directory: Path) -> kz.Closure:
        graph = self.closures.get(directory)
        if graph is None:
            graph = self.closures[directory] = self.walker.closure(directory)
        return graph

    def key(self, directory: Path) -> str | None:
        if directory not in self.keys:
            self.keys[directory] = render_key(self.kustomize, directory, self.closure(directory), self.hashes)
        return self.keys[directory]

    def __call__(self, directories: list[Path],
                 on_done: Callable[[RenderResult], None] | None = None) -> dict[Path, RenderResult]:
        results: dict[Path, RenderResult] = {}
        for result in self.start(directories).results():
            results[result.directory] = result
            if on_done is not None:
                on_done(result)
        return results

    def start(self, directories: list[Path]) -> RenderJob:
        """Compute keys and load what the cache has (in this thread), then start kustomize on
        the rest in the background; the job yields every result as it is ready."""
        hits: list[RenderResult] = []
        todo: list[Path] = []
        for directory in directories:
            directory = directory.resolve()
            key = self.key(directory)
            found = None
            if key is not None and self.cache is not None:
                found = decode_render(directory, self.cache.get("renders", key))
            if found is not None:
                hits.append(found)
            else:
                todo.append(directory)
        return RenderJob(self, hits, todo)

    # -- rendering ------------------------------------------------------------------------
    def groups(self, directories: list[Path]) -> list[list[Path]]:
        """Folders to build together: same settings files, no top-acting fields, at most
        BATCH_SIZE, and never fewer groups than workers (two streams use both cores)."""
        if not self.batch:
            return [[d] for d in directories]
        alone: list[list[Path]] = []
        together: dict[frozenset, list[Path]] = {}
        for directory in directories:
            graph = self.closure(directory)
            if graph.keys & ROOT_FIELDS or graph.remote or graph.incomplete:
                alone.append([directory])
            else:
                together.setdefault(frozenset(graph.settings), []).append(directory)
        groups = alone
        for members in together.values():
            size = max(1, min(BATCH_SIZE, -(-len(members) // self.jobs)))
            groups.extend(members[i:i + size] for i in range(0, len(members), size))
        return groups

    def _build_group(self, group: list[Path]) -> list[RenderResult]:
        out = None
        namespaces = [self.walker.namespace(directory) for directory in group]
        if len(group) > 1 and all(namespaces):
            self.runs += 1
            found = build_batch(group, namespaces, self.kustomize)
            if found is not None:
                out = [found[d.resolve()] for d in group]
        if out is None:
            out = []
            for directory in group:
                self.runs += 1
                out.append(build(directory, self.kustomize, annotate=False))
        for directory, result in zip(group, out, strict=True):
            if result.ok:
                origins.assign(result.objects, result.directory, self.closure(directory), self._documents,
                               self.walker.load)
        return out

    def _read_documents(self, path: Path) -> list:
        found = self._resource_documents.get(path)
        if found is None:
            found = self._resource_documents[path] = [d.data for d in load_file(path).documents]
        return found

    def _finish(self, result: RenderResult) -> None:
        """Store a successful render (in the worker thread, while kustomize runs elsewhere)."""
        key = self.keys.get(result.directory)
        if self.cache is None or key is None or not result.ok:
            return
        text = encode_render(result)
        if text is not None:
            self.cache.put("renders", key, None, text=text)

    def _work(self, group: list[Path]) -> list[RenderResult]:
        out = self._build_group(group)
        for result in out:
            self._finish(result)
        return out


class RenderJob:
    """Renders in progress: cache hits at once, kustomize builds as they finish. Between two
    results the caller is free to do other work (file rules) while kustomize runs."""

    def __init__(self, renderer: CachedRenderer, hits: list[RenderResult], todo: list[Path]) -> None:
        self.renderer = renderer
        self.hits = hits
        self.pending: set[Future] = set()
        self.pool: ThreadPoolExecutor | None = None
        if todo:
            from concurrent.futures import ThreadPoolExecutor  # only when kustomize runs

            groups = renderer.groups(todo)
            self.pool = ThreadPoolExecutor(max_workers=min(renderer.jobs, len(groups)),
                                           thread_name_prefix="okd-streams-render")
            self.pending = {self.pool.submit(renderer._work, group) for group in groups}

    def results(self) -> Iterator[RenderResult]:
        """Every result once: the cache's first, then each build as it finishes."""
        yield from self.hits
        self.hits = []
        try:
            while self.pending:
                from concurrent.futures import FIRST_COMPLETED, wait

                done, self.pending = wait(self.pending, return_when=FIRST_COMPLETED)
                for future in done:
                    for result in future.result():
                        self.renderer.rendered += 1
                        yield result
        except BaseException:  # Ctrl-C: stop the running builds instead of waiting for them
            self.cancel()
            raise
        self.close()

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            kill_running()
            self.pool = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
            forget_strings()  # the renders keep theirs; the table need not outlive the job
            cache = self.renderer.cache
            if cache is not None and cache.writes:
                cache.prune("renders")


def cpu_jobs() -> int:
    """Processes (kustomize runs, lint workers) at once: $OKD_STREAMS_JOBS, else one per core."""
    try:
        return max(1, int(os.environ["OKD_STREAMS_JOBS"]))
    except (KeyError, ValueError):
        return max(1, os.cpu_count() or 1)


def package_version() -> str:
    """A digest of okd-streams' own source (rules and engine): cached results computed by other
    code are never reused."""
    global _PACKAGE_VERSION
    if _PACKAGE_VERSION is None:
        package = Path(__file__).resolve().parent
        parts = []
        for folder, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".yaml", ".json")):
                    path = Path(folder, name)
                    try:
                        parts.append((str(path.relative_to(package)), hashlib.sha256(path.read_bytes()).hexdigest()))
                    except OSError:
                        parts.append((str(path), "-"))
        _PACKAGE_VERSION = digest(parts)
    return _PACKAGE_VERSION


_PACKAGE_VERSION: str | None = None
