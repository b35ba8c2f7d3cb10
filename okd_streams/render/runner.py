"""Renders in parallel: from the cache when nothing a build reads changed, else with kustomize.

`CachedRenderer` is what `check` and `lint` render with: each folder's kustomize closure and
render key (okd_streams.render.cache), the cache's hits at once, and the rest built by
kustomize, one process per core (`cpu_jobs`), eight streams per kustomize run when that
cannot change their output (`kustomize.build_batch`). `build_all` runs any builder over
folders in the same pool (`okd-streams diff`, which renders git revisions, uncached).
Either way a Ctrl-C kills the running kustomize processes instead of waiting for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from okd_streams.files.loader import YamlError
from okd_streams.files.read import load_file
from okd_streams.render import kustomization as kz
from okd_streams.render import origins, probe
from okd_streams.render.cache import Cache, FileHashes, render_key
from okd_streams.render.kustomize import (
    REMOTE_FAILED,
    Kustomize,
    RenderResult,
    build,
    build_batch,
    find_kustomize,
    kill_running,
    parse_output,
)

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

BATCH_SIZE = 8  # streams per kustomize run (see kustomize.build_batch); past ~12 kustomize slows down
# Kustomization fields that act on the whole build, at its top: streams using them are built alone.
ROOT_FIELDS = frozenset(
    {
        "sortOptions",
        "vars",
        "helmCharts",
        "helmGlobals",
        "helmChartInflationGenerator",
        "buildMetadata",
        "transformers",
        "generators",
        "validators",
    }
)

Work = Callable[[list[Path]], list[RenderResult]]


class CachedRenderer:
    """Renders kustomization folders: from the cache when their closure is unchanged, else with
    kustomize, several at a time in parallel (batched when that cannot change the output).

    After a call, `closures[directory]` holds each folder's closure (computed once, for the
    key) and `keys[directory]` its render key (or None), for whoever builds units from the
    renders. One per run: what it remembers is that run's.
    """

    def __init__(
        self,
        cache: Cache | None,
        base: Path | None = None,
        walker: kz.Walker | None = None,
        hashes: FileHashes | None = None,
        kustomize: Kustomize | None = None,
        jobs: int | None = None,
        batch: bool = True,
        documents: Callable[[Path], list] | None = None,
    ) -> None:
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
        # Strings of the rendered objects, shared by the run's renders: a thousand streams
        # repeat the same keys, scripts and images.
        self.strings: dict[str, str] = {}

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

    def __call__(
        self, directories: list[Path], on_done: Callable[[RenderResult], None] | None = None
    ) -> dict[Path, RenderResult]:
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
            found = self.cache.render(key, directory) if key is not None and self.cache is not None else None
            if found is not None:
                hits.append(found)
            else:
                todo.append(directory)
        return RenderJob(self._work, self.groups(todo) if todo else [], hits, self.jobs, self._built)

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
            groups.extend(members[i : i + size] for i in range(0, len(members), size))
        return groups

    def _build_group(self, group: list[Path]) -> list[RenderResult]:
        out = None
        namespaces = [self.walker.namespace(directory) for directory in group]
        if len(group) > 1 and all(namespaces):
            self.runs += 1
            found = build_batch(group, namespaces, self.kustomize, strings=self.strings)
            if found is not None:
                out = [found[d.resolve()] for d in group]
        if out is None:
            out = []
            for directory in group:
                self.runs += 1
                out.append(build(directory, self.kustomize, annotate=False, strings=self.strings))
        for directory, result in zip(group, out, strict=True):
            if not result.ok and self.closure(directory).remote and REMOTE_FAILED in (result.error or ""):
                self._build_local(result, self.closure(directory))
            if result.ok:
                origins.assign(
                    result.objects, result.directory, self.closure(directory), self._documents, self.walker.load
                )
        return out

    def _build_local(self, result: RenderResult, graph: kz.Closure) -> None:
        """A build whose remote bases cannot be fetched: its objects become those of the build
        without them, so what is local is still checked; the fetch's error is kept beside."""
        self.runs += 1
        output = probe.without_remote(result.directory, graph, self.kustomize)
        if output is None:
            return
        try:
            result.objects = parse_output(output, None, self.strings)
        except (YamlError, RecursionError, ValueError, TypeError, OverflowError):
            return
        result.remote_error, result.error = result.error, None

    def _read_documents(self, path: Path) -> list:
        found = self._resource_documents.get(path)
        if found is None:
            found = self._resource_documents[path] = [d.data for d in load_file(path).documents]
        return found

    def _finish(self, result: RenderResult) -> None:
        """Store a successful render (in the worker thread, while kustomize runs elsewhere)."""
        key = self.keys.get(result.directory)
        if self.cache is not None and key is not None and result.ok:
            self.cache.put_render(key, result)

    def _work(self, group: list[Path]) -> list[RenderResult]:
        out = self._build_group(group)
        for result in out:
            self._finish(result)
        return out

    def _built(self, count: int) -> None:
        self.rendered += count


class RenderJob:
    """Renders in progress: the cache's hits at once, groups of folders built by `work` in a
    pool of threads as they finish. Between two results the caller is free to do other work
    (file rules) while kustomize runs."""

    def __init__(
        self,
        work: Work,
        groups: list[list[Path]],
        hits: list[RenderResult] | None = None,
        jobs: int | None = None,
        built: Callable[[int], None] | None = None,
    ) -> None:
        self.hits = hits or []
        self.built = built
        self.pending: set[Future] = set()
        self.pool: ThreadPoolExecutor | None = None
        if groups:
            from concurrent.futures import ThreadPoolExecutor  # only when kustomize runs

            self.pool = ThreadPoolExecutor(
                max_workers=min(jobs or cpu_jobs(), len(groups)), thread_name_prefix="okd-streams-render"
            )
            self.pending = {self.pool.submit(work, group) for group in groups}

    def results(self) -> Iterator[RenderResult]:
        """Every result once: the cache's first, then each build as it finishes."""
        yield from self.hits
        self.hits = []
        try:
            while self.pending:
                from concurrent.futures import FIRST_COMPLETED, wait

                done, self.pending = wait(self.pending, return_when=FIRST_COMPLETED)
                for future in done:
                    out = future.result()
                    if self.built is not None:
                        self.built(len(out))
                    yield from out
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


def cpu_jobs() -> int:
    """Processes (kustomize runs, lint workers) at once: $OKD_STREAMS_JOBS, else one per core."""
    try:
        return max(1, int(os.environ["OKD_STREAMS_JOBS"]))
    except (KeyError, ValueError):
        return max(1, os.cpu_count() or 1)


def build_all(
    directories: list[Path],
    builder: Callable[[Path], RenderResult],
    on_done: Callable[[RenderResult], None] | None = None,
) -> dict[Path, RenderResult]:
    """`builder(directory)` for every folder, in parallel (kustomize is a subprocess: threads
    suffice), uncached."""
    results: dict[Path, RenderResult] = {}
    for result in RenderJob(lambda group: [builder(group[0])], [[d] for d in directories]).results():
        results[result.directory] = result
        if on_done is not None:
            on_done(result)
    return results
