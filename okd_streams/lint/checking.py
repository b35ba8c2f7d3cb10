"""The shared pipeline behind `check` and `lint`: render, build units, run every rule."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.config import Config
from okd_streams.lint import engine
from okd_streams.lint.output import Progress
from okd_streams.model.objects import FileContext, Unit
from okd_streams.model.repo import (
    CARD_NAME,
    SOURCE_DIRS,
    SourceTree,
    Stream,
    auxiliary,
    discover_streams,
    source_files,
    unit_from_files,
    unit_from_render,
    walk_yaml,
)
from okd_streams.problem import Problem
from okd_streams.render import kustomization as kz
from okd_streams.render.cache import Cache, CachedRenderer, FileHashes, digest, open_cache, package_version
from okd_streams.render.kustomize import Kustomize, RenderResult, build_many, find_kustomize


@dataclass
class StreamSummary:
    name: str
    objects: int = 0
    errors: int = 0
    warnings: int = 0
    rendered: bool = False


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    summaries: list[StreamSummary] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


Renderer = Callable[[list[Path], Callable[[RenderResult], None]], dict[Path, RenderResult]]


def default_renderer(directories: list[Path], on_done: Callable[[RenderResult], None]) -> dict[Path, RenderResult]:
    kustomize = find_kustomize()
    return build_many(directories, on_done=on_done, builder=lambda d: _build(d, kustomize))


def tree_loader(tree: SourceTree) -> Callable[[Path], Any]:
    """Kustomization data for `kustomization.Walker`, from the files `tree` parses (once)."""
    def load(path: Path) -> Any:
        parsed = tree.file(path)
        if not parsed.documents or any(issue.kind != "duplicate-key" for issue in parsed.issues):
            return None
        return parsed.documents[0].data
    return load


def tree_documents(tree: SourceTree) -> Callable[[Path], list]:
    """The data of every document of a file, from the files `tree` parses (once)."""
    return lambda path: [document.data for document in tree.file(path).documents]


def cached_renderer(root: Path, tree: SourceTree, cache: Cache | None,
                    hashes: FileHashes | None = None) -> CachedRenderer:
    """Renders streams from the cache when nothing they read changed, else with kustomize."""
    return CachedRenderer(cache, base=root, walker=kz.Walker(tree_loader(tree)), hashes=hashes or FileHashes(root),
                          documents=tree_documents(tree))


def _build(directory: Path, kustomize: Kustomize) -> RenderResult:
    from okd_streams.render.kustomize import build

    return build(directory, kustomize)


def failed_unit(label: str, stream: str | None, kustomization: str, error: str) -> Unit:
    return Unit(label, [], stream=stream, rendered=True, build_error=error, kustomization=kustomization)


def stream_units(streams: list[Stream], tree: SourceTree, renderer: Renderer | None = None,
                 progress: bool | None = None, *, renders: CachedRenderer | None = None) -> list[Unit]:
    """Render every stream (in parallel, from the render cache when unchanged) and return one
    unit per stream, failed or not. `renders`: the CachedRenderer to use (it keeps each stream's
    closure and render key); by default one using the repository's cache."""
    if renderer is None:
        if renders is None:
            root = streams[0].directory.parent.parent if streams else tree.base
            renders = cached_renderer(root, tree, open_cache(root))
        renderer = renders
    buildable = [s for s in streams if s.kustomization is not None]
    bar = Progress(len(buildable), "rendered", progress)
    by_dir = {s.directory.resolve(): s for s in buildable}
    results = renderer([s.directory.resolve() for s in buildable], lambda r: bar.step(by_dir[r.directory].name))
    bar.close()
    return [stream_unit(stream, results.get(stream.directory.resolve()), tree, renders) for stream in streams]


def stream_unit(stream: Stream, result: RenderResult | None, tree: SourceTree,
                renders: CachedRenderer | None = None) -> Unit:
    """One stream's unit from its render (None: the stream has no kustomization)."""
    if stream.kustomization is None or result is None:
        return failed_unit(stream.name, stream.name, tree.display(stream.directory),
                           f"stream folder {tree.display(stream.directory)} has no kustomization.yaml")
    shown = tree.display(stream.kustomization)
    card = stream.card(tree)
    if not result.ok:
        unit = failed_unit(stream.name, stream.name, shown, result.error or "kustomize failed")
        unit.card = card  # K001 can then point at a card field a replacement needs
        return unit
    graph = renders.closures.get(result.directory) if renders is not None else None
    unit = unit_from_render(result, tree, stream.name, stream=stream.name, card=card, graph=graph)
    unit.kustomization = shown
    return unit


def check_repository(root: Path, config: Config, names: list[str] | None = None,
                     renderer: Renderer | None = None, progress: bool | None = None,
                     *, only_files: list[Path] | None = None, cache: bool = True,
                     reuse_report: bool = False) -> Report:
    """Everything `okd-streams check` does, as data.

    `only_files` scopes the run to a change (`check --since`): file rules run only on those
    of the repository's source files, the `.tekton/` unit only when one of them is there,
    and `names` lists exactly the streams to check (an empty list: none).

    `reuse_report` (the CLI): when the caller needs the problems and summaries but not the
    units, a full check of a repository in which no file changed since a cached full check
    (see `_report_key`) returns that check's report, with `units` empty."""
    clock = _Clock()
    tree = SourceTree(root)
    streams = discover_streams(root)
    every_stream = streams
    if names or (names is not None and only_files is not None):
        known = {s.name: s for s in streams}
        unknown = [n for n in names if n not in known]
        if unknown:
            from okd_streams.errors import UsageError

            raise UsageError(f"no such stream: {', '.join(unknown)}; streams: {', '.join(known) or 'none'}")
        streams = [known[n] for n in names]
    report = Report()
    store = open_cache(root, cache)
    fingerprint = rules_fingerprint(root, config)
    memo = None
    if reuse_report and store is not None and renderer is None and names is None and only_files is None:
        memo = _ReportMemo(root, store, fingerprint)
        found = memo.load()
        if found is not None:
            clock.lap("whole report from the cache")
            return found
    renders = job = None
    buildable = [s for s in streams if s.kustomization is not None]
    if renderer is None:  # closures, keys and cache hits now; kustomize runs in the background
        renders = cached_renderer(root, tree, store, memo.hashes if memo is not None else None)
        job = renders.start([s.directory.resolve() for s in buildable])
    else:
        report.units = stream_units(streams, tree, renderer, progress)
    clock.lap("closures, cache lookups")
    # File rules need no render: they run here while kustomize builds on the other cores.
    try:
        sources = source_files(root)
        kustomizations = frozenset(tree.display(p) for p in sources if p.name in kz.NAMES)
        aux = auxiliary(tree, [p for p in sources if p.name in kz.NAMES], load=tree_loader(tree))
        if only_files is not None:
            wanted = {Path(p).resolve() for p in only_files}
            sources = [p for p in sources if p.resolve() in wanted]
        escaping = []
        if only_files is None:  # symlinked folders (and non-YAML files) leading out of the repository
            escaping = tree.escaping_links([root / name for name in SOURCE_DIRS if (root / name).exists()])
        context = FileContext(root=root, foreign=False, kustomization_files=kustomizations, auxiliary=aux,
                              cache=store)
        hashes = renders.hashes if renders is not None else FileHashes(root)
        report.problems.extend(cached_file_problems(sources, tree, context, config, store, fingerprint, hashes))
        report.problems.extend(engine.check_files(escaping, context, config))
        clock.lap("file rules")
        if job is not None:  # each stream's unit and unit rules as soon as its render is there
            bar = Progress(len(buildable), "rendered", progress)
            by_dir: dict[Path, list[Stream]] = {}
            for stream in buildable:
                by_dir.setdefault(stream.directory.resolve(), []).append(stream)
            done: dict[str, Unit] = {}
            for result in job.results():
                for stream in by_dir[result.directory]:
                    bar.step(stream.name)
                    unit = done[stream.name] = stream_unit(stream, result, tree, renders)
                    report.problems.extend(_unit_problems(unit, config, renders, store, fingerprint))
            bar.close()
            for stream in streams:
                if stream.name not in done:  # no kustomization: nothing was rendered
                    unit = done[stream.name] = stream_unit(stream, None, tree)
                    report.problems.extend(_unit_problems(unit, config, renders, store, fingerprint))
            report.units = [done[stream.name] for stream in streams]
        else:
            for unit in report.units:
                report.problems.extend(_unit_problems(unit, config, renders, store, fingerprint))
    except BaseException:  # an error or Ctrl-C: stop kustomize rather than wait for it
        if job is not None:
            job.cancel()
        raise
    report.problems.extend(_ci_problems(root, tree, config, only_files))
    clock.lap("render, units, unit rules")
    report.problems.extend(_repo_problems(root, tree, every_stream, report.units, config, names, only_files,
                                          renders))
    clock.lap("repo rules")
    report.problems = engine.finalize(report.problems)
    clock.done(renders, store)
    prune(store)
    counts: dict[tuple[str | None, str], int] = {}
    for problem in report.problems:
        counts[(problem.stream, problem.level)] = counts.get((problem.stream, problem.level), 0) + 1
    for unit in report.units:
        report.summaries.append(StreamSummary(
            unit.label, len(unit.objects), counts.get((unit.stream, "error"), 0),
            counts.get((unit.stream, "warning"), 0), unit.build_error is None))
    if memo is not None and renders is not None:
        memo.save(report, renders)
    return report


class _ReportMemo:
    """The whole report of a full check, kept under a key made of every file of the repository
    (outside tool folders such as .git and .cache: paths, contents, symlink targets, folders),
    git's index and exclude file (which files Argo CD would see), okd-streams' code and
    settings, the kustomize in use and OKD_STREAMS_* variables. What the builds read outside
    that walk (a base in ../, a file in build/) is listed in the entry and checked on reuse.

    Any change to the repository, even to a README, makes a new key: the check then runs,
    from the per-stream, per-file and per-unit caches."""

    KIND = "reports"

    def __init__(self, root: Path, store: Cache, fingerprint: str) -> None:
        self.root = root.resolve()
        self.store = store
        self.fingerprint = fingerprint
        self.hashes = FileHashes(self.root)
        self.walked: set[Path] = set()
        self.key = self._key()

    def _key(self) -> str:
        from okd_streams.model.repo import SKIP_DIRS
        from okd_streams.render.kustomize import find_kustomize

        entries = []
        for current, folders, files in os.walk(self.root):
            folders[:] = sorted(d for d in folders if d not in SKIP_DIRS)
            for name in folders:
                path = os.path.join(current, name)
                entries.append((os.path.relpath(path, self.root), "d", os.readlink(path)
                                if os.path.islink(path) else ""))
            for name in sorted(files):
                file = Path(current, name)
                self.walked.add(file)
                link = os.readlink(file) if os.path.islink(file) else ""
                entries.append((os.path.relpath(file, self.root), self.hashes.digest(file), link))
        git: list[tuple[str, int | None, int | None]] = []
        for name in (".git/index", ".git/info/exclude", ".git"):
            try:
                info = os.stat(self.root / name)
                git.append((name, info.st_size, info.st_mtime_ns))
            except OSError:
                git.append((name, None, None))
        settings = [rule.context_key(FileContext(root=self.root)) for rule in engine.selected_rules("file")
                    if hasattr(rule, "context_key")]
        env = sorted((k, v) for k, v in os.environ.items() if k.startswith("OKD_STREAMS_")
                     and k not in ("OKD_STREAMS_TIMINGS", "OKD_STREAMS_CACHE_DIR"))
        return digest("report", self.fingerprint, find_kustomize().version, entries, git, settings, env)

    def load(self) -> Report | None:
        entry = self.store.get(self.KIND, self.key)
        if entry is None:
            return None
        try:
            external = entry["external"]
            if any(self._now(kind, path) != value for kind, path, value in external):
                return None
            problems = decode_problems(entry["problems"])
            summaries = [StreamSummary(*row) for row in entry["summaries"]]
        except (TypeError, KeyError, ValueError):
            return None
        return None if problems is None else Report(problems=problems, summaries=summaries)

    def _now(self, kind: str, path: str) -> Any:
        if kind == "file":
            return self.hashes.digest(Path(path))
        if kind == "names":
            return list(self.hashes.kustomization_names(Path(path)))
        try:  # "tree": what a folder read whole holds now
            return sorted(str(p) for p in Path(path).rglob("*") if p.is_file())
        except OSError:
            return None

    def save(self, report: Report, renders: CachedRenderer) -> None:
        if any(key is None for key in renders.keys.values()):
            return  # a build whose inputs are not all known (a remote base): never reused
        external: set[tuple] = set()
        for graph in renders.closures.values():
            external.update(("file", str(p), None) for p in graph.files if p not in self.walked)
            external.update(("names", str(d), None) for d in graph.directories
                            if self.root not in d.parents and d != self.root)
            external.update(("tree", str(t), None) for t in graph.trees if self.root not in t.parents)
        rows = [[kind, path, self._now(kind, path)] for kind, path, _ in sorted(external)]
        self.store.put(self.KIND, self.key, {
            "external": rows,
            "problems": [p.as_row() for p in report.problems],
            "summaries": [dataclasses.astuple(s) for s in report.summaries]})


class _Clock:
    """With OKD_STREAMS_TIMINGS=1, where a check's time went, on stderr (for `make bench`)."""

    def __init__(self) -> None:
        self.on = bool(os.environ.get("OKD_STREAMS_TIMINGS"))
        self.last = (time.perf_counter(), time.process_time())

    def lap(self, what: str) -> None:
        if self.on:
            now = (time.perf_counter(), time.process_time())
            sys.stderr.write(f"okd-streams timing: {what:<24} {now[0] - self.last[0]:7.3f}s wall "
                             f"{now[1] - self.last[1]:7.3f}s cpu\n")
            self.last = now

    def done(self, renders: CachedRenderer | None, store: Cache | None) -> None:
        if self.on and renders is not None:
            counts = "off" if store is None else f"{store.hits} hits, {store.misses} misses, {store.writes} writes"
            sys.stderr.write(f"okd-streams timing: kustomize built {renders.rendered} folders in {renders.runs} runs; "
                             f"cache {counts}\n")


def rules_fingerprint(root: Path, config: Config) -> str:
    """What cached problems depend on besides their input: okd-streams' code, Python, the
    configuration, where the repository is (problems show paths relative to it) and the
    working folder (ignore patterns are matched against paths resolved from it)."""
    settings = dataclasses.asdict(config)
    return digest("unit-problems", package_version(), sys.version_info[:2], str(root.resolve()), os.getcwd(),
                  settings)


def prune(store: Cache | None) -> None:
    """Keep the cache bounded: after a run that wrote entries, drop the oldest beyond the limit."""
    if store is not None and store.writes:
        for kind in ("problems", "files", "yamllint", "reports"):
            store.prune(kind)


def _unit_problems(unit: Unit, config: Config, renders: CachedRenderer | None, store: Cache | None,
                   fingerprint: str) -> list[Problem]:
    """engine.check_unit, remembered per (render key, stream card, rules, configuration)."""
    source = None
    if store is not None and renders is not None and unit.build_error is None and unit.directory is not None:
        render_key = renders.keys.get(Path(unit.directory))
        if render_key is not None:
            source = digest(render_key, renders.hashes.digest(Path(unit.directory) / CARD_NAME))
    return cached_unit_problems(unit, config, store, fingerprint, source)


def unit_problems_key(fingerprint: str, source: str | None, label: str, stream: str | None,
                      kustomization: str | None, foreign: bool, rendered: bool) -> str | None:
    return None if source is None else digest(fingerprint, source, label, stream, kustomization, foreign, rendered)


def cached_unit_problems(unit: Unit, config: Config, store: Cache | None, fingerprint: str,
                         source: str | None) -> list[Problem]:
    """engine.check_unit(unit), from the cache when `source` (a digest of everything the unit
    is made of; None: not cacheable) was checked before with the same rules and settings."""
    key = None
    if store is not None:
        key = unit_problems_key(fingerprint, source, unit.label, unit.stream, unit.kustomization, unit.foreign,
                                unit.rendered)
        problems = cached_problems(store, "problems", key)
        if problems is not None:
            return problems
    problems = engine.check_unit(unit, config)
    if store is not None and key is not None:
        store.put("problems", key, [p.as_row() for p in problems])
    return problems


def cached_problems(store: Cache | None, kind: str, key: str | None) -> list[Problem] | None:
    if store is None or key is None:
        return None
    return decode_problems(store.get(kind, key))


def file_source(tree: SourceTree, path: Path, hashes: FileHashes) -> str:
    """A file as the file rules see it: its path as shown, its content, and whether a symlink
    leads it out of the tree (then it is not read)."""
    memo = hashes.memo.setdefault("file sources", {})
    found = memo.get(path)
    if found is None:
        found = memo[path] = digest(tree.display(path), hashes.digest(Path(path)), str(tree.escapes(Path(path))))
    return found


def cached_file_problems(paths: list[Path], tree: SourceTree, context: FileContext, config: Config,
                         store: Cache | None, fingerprint: str, hashes: FileHashes,
                         foreign: bool = False) -> list[Problem]:
    """engine.check_files on the files at `paths`, each file's problems from the cache when the
    file, the context and the rules are unchanged: an unchanged file is not even parsed."""
    rules = engine.selected_rules("file")
    if store is None:
        return engine.check_files([tree.file(path) for path in paths], context, config, foreign=foreign, rules=rules)
    shared = digest(fingerprint, "file rules", foreign, str(context.root), context.foreign,
                    sorted(context.kustomization_files), sorted(context.unincluded), sorted(context.auxiliary),
                    [rule.context_key(context) for rule in rules if hasattr(rule, "context_key")])
    problems = []
    for path in paths:
        key = digest(shared, file_source(tree, path, hashes))
        found = cached_problems(store, "files", key)
        if found is None:
            found = engine.check_files([tree.file(path)], context, config, foreign=foreign, rules=rules)
            store.put("files", key, [p.as_row() for p in found])
        problems.extend(found)
    return problems


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


CI_DIR = ".tekton"  # this repository's own Pipelines-as-Code runs


def _ci_problems(root: Path, tree: SourceTree, config: Config, only_files: list[Path] | None) -> list[Problem]:
    """The Tekton rules on `.tekton/`, whose objects are checked together as one loose unit."""
    folder = (root / CI_DIR).resolve()
    if not folder.is_dir():
        return []
    if only_files is not None and not any(folder in Path(p).resolve().parents for p in only_files):
        return []
    unit = unit_from_files([tree.file(path) for path in walk_yaml(folder)], CI_DIR, foreign=False)
    return engine.check_unit(unit, config)


def _repo_problems(root: Path, tree: SourceTree, streams: list[Stream], units: list[Unit], config: Config,
                   names: list[str] | None, only_files: list[Path] | None,
                   renders: CachedRenderer | None = None) -> list[Problem]:
    """Repo-scope rules (Argo CD: argocd/ against every stream), on the units already rendered.

    `check STREAM...` keeps the findings about those streams and about argocd/ itself; a run
    scoped to changed files (`--since`) keeps every finding when argocd/ changed (it concerns
    every stream), else those about the streams it checks."""
    from okd_streams.model.context import RepoContext

    context = RepoContext(root, tree, streams, units)
    if renders is not None:  # closures computed for the render cache, and the Walker that made them
        context.closures.update(renders.closures)
        context.walker = renders.walker
        context.renderer = renders
    problems = engine.check_repo(context, config)
    if names is None and only_files is None:
        return problems
    wanted = set(names or [])
    if only_files is not None:
        argocd_dir = (root / "argocd").resolve()
        if any(argocd_dir == Path(p).resolve() or argocd_dir in Path(p).resolve().parents for p in only_files):
            return problems
        return [p for p in problems if p.stream in wanted]
    return [p for p in problems if p.stream in wanted or p.stream is None]
