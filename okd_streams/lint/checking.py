"""`okd-streams check`: render every stream, build units, run every rule, as one report.

What the run remembers, and the cached lint results, are the session's
(okd_streams.lint.session); renders come from okd_streams.render.runner.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from okd_streams.config import Config
from okd_streams.lint import engine
from okd_streams.lint.output import Progress
from okd_streams.lint.session import (
    Report,
    ReportMemo,
    Session,
    StreamSummary,
    failed_unit,
    rules_fingerprint,
    tree_loader,
    tree_renderer,
)
from okd_streams.model.objects import Unit
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
from okd_streams.render.cache import Cache, FileHashes, digest, open_cache
from okd_streams.render.kustomize import RenderResult
from okd_streams.render.runner import CachedRenderer

__all__ = ["Report", "StreamSummary", "check_repository", "stream_units"]


def stream_units(streams: list[Stream], tree: SourceTree, progress: bool | None = None) -> list[Unit]:
    """Render every stream (in parallel, from the render cache when unchanged) and return one
    unit per stream, failed or not."""
    root = streams[0].directory.parent.parent if streams else tree.base
    store = open_cache(root)
    renders = tree_renderer(tree, store, FileHashes(root))
    buildable = [s for s in streams if s.kustomization is not None]
    bar = Progress(len(buildable), "rendered", progress)
    by_dir = {s.directory.resolve(): s for s in buildable}
    results = renders([s.directory.resolve() for s in buildable], lambda r: bar.step(by_dir[r.directory].name))
    bar.close()
    if store is not None:
        store.prune_all()
    return [stream_unit(stream, results.get(stream.directory.resolve()), tree, renders) for stream in streams]


def stream_unit(
    stream: Stream, result: RenderResult | None, tree: SourceTree, renders: CachedRenderer | None = None
) -> Unit:
    """One stream's unit from its render (None: the stream has no kustomization)."""
    if stream.kustomization is None or result is None:
        return failed_unit(
            stream.name,
            stream.name,
            tree.display(stream.directory),
            f"stream folder {tree.display(stream.directory)} has no kustomization.yaml",
        )
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


def check_repository(
    root: Path,
    config: Config,
    names: list[str] | None = None,
    progress: bool | None = None,
    *,
    only_files: list[Path] | None = None,
    cache: bool = True,
    reuse_report: bool = False,
) -> Report:
    """Everything `okd-streams check` does, as data.

    `only_files` scopes the run to a change (`check --since`): file rules run only on those
    of the repository's source files, the `.tekton/` unit only when one of them is there,
    and `names` lists exactly the streams to check (an empty list: none).

    `reuse_report` (the CLI): when the caller needs the problems and summaries but not the
    units, a full check of a repository in which no file changed since a cached full check
    (see `session.ReportMemo`) returns that check's report, with `units` empty."""
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
    session = Session(config, tree, store, rules_fingerprint(root, config), FileHashes(root.resolve()))
    memo = None
    if reuse_report and store is not None and names is None and only_files is None:
        memo = ReportMemo(root, session)
        found = memo.load()
        if found is not None:
            clock.lap("whole report from the cache")
            return found
    buildable = [s for s in streams if s.kustomization is not None]
    # Closures, keys and cache hits now; kustomize runs in the background.
    renders = session.renderer()
    job = renders.start([s.directory.resolve() for s in buildable])
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
        context = session.file_context(root, foreign=False, kustomization_files=kustomizations, auxiliary=aux)
        report.problems.extend(session.file_problems(sources, context, whole_files=True))
        report.problems.extend(engine.check_files(escaping, context, config))
        clock.lap("file rules")
        # Each stream's unit and unit rules as soon as its render is there.
        bar = Progress(len(buildable), "rendered", progress)
        by_dir: dict[Path, list[Stream]] = {}
        for stream in buildable:
            by_dir.setdefault(stream.directory.resolve(), []).append(stream)
        done: dict[str, Unit] = {}
        for result in job.results():
            for stream in by_dir[result.directory]:
                bar.step(stream.name)
                unit = done[stream.name] = stream_unit(stream, result, tree, renders)
                report.problems.extend(_unit_problems(session, unit))
        bar.close()
        for stream in streams:
            if stream.name not in done:  # no kustomization: nothing was rendered
                unit = done[stream.name] = stream_unit(stream, None, tree)
                report.problems.extend(_unit_problems(session, unit))
        report.units = [done[stream.name] for stream in streams]
    except BaseException:  # an error or Ctrl-C: stop kustomize rather than wait for it
        job.cancel()
        raise
    report.problems.extend(_ci_problems(session, root, only_files))
    clock.lap("render, units, unit rules")
    report.problems.extend(_repo_problems(root, tree, every_stream, report.units, config, names, only_files, renders))
    clock.lap("repo rules")
    report.problems = engine.finalize(report.problems)
    clock.done(renders, store)
    session.finish()
    counts: dict[tuple[str | None, str], int] = {}
    for problem in report.problems:
        counts[(problem.stream, problem.level)] = counts.get((problem.stream, problem.level), 0) + 1
    for unit in report.units:
        report.summaries.append(
            StreamSummary(
                unit.label,
                len(unit.objects),
                counts.get((unit.stream, "error"), 0),
                counts.get((unit.stream, "warning"), 0),
                unit.build_error is None,
            )
        )
    if memo is not None:
        memo.save(report, renders)
    return report


class _Clock:
    """With OKD_STREAMS_TIMINGS=1, where a check's time went, on stderr (for `make bench`)."""

    def __init__(self) -> None:
        self.on = bool(os.environ.get("OKD_STREAMS_TIMINGS"))
        self.last = (time.perf_counter(), time.process_time())

    def lap(self, what: str) -> None:
        if self.on:
            now = (time.perf_counter(), time.process_time())
            sys.stderr.write(
                f"okd-streams timing: {what:<24} {now[0] - self.last[0]:7.3f}s wall {now[1] - self.last[1]:7.3f}s cpu\n"
            )
            self.last = now

    def done(self, renders: CachedRenderer | None, store: Cache | None) -> None:
        if self.on and renders is not None:
            cache_state = "off" if store is None else f"{store.hits} hits, {store.misses} misses, {store.writes} writes"
            sys.stderr.write(
                f"okd-streams timing: kustomize built {renders.rendered} folders in {renders.runs} runs; "
                f"cache {cache_state}\n"
            )


def _unit_problems(session: Session, unit: Unit) -> list[Problem]:
    """A stream's unit rules, remembered per (render key, stream card, rules, configuration)."""
    source = None
    renders = session.renders
    if renders is not None and unit.build_error is None and unit.directory is not None:
        render_key = renders.keys.get(Path(unit.directory))
        if render_key is not None:
            source = digest(render_key, renders.hashes.digest(Path(unit.directory) / CARD_NAME))
    return session.unit_problems(unit, source)


CI_DIR = ".tekton"  # this repository's own Pipelines-as-Code runs


def _ci_problems(session: Session, root: Path, only_files: list[Path] | None) -> list[Problem]:
    """The Tekton rules on `.tekton/`, whose objects are checked together as one loose unit."""
    folder = (root / CI_DIR).resolve()
    if not folder.is_dir():
        return []
    if only_files is not None and not any(folder in Path(p).resolve().parents for p in only_files):
        return []
    unit = unit_from_files([session.tree.file(path) for path in walk_yaml(folder)], CI_DIR, foreign=False)
    return session.check_unit(unit)


def _repo_problems(
    root: Path,
    tree: SourceTree,
    streams: list[Stream],
    units: list[Unit],
    config: Config,
    names: list[str] | None,
    only_files: list[Path] | None,
    renders: CachedRenderer,
) -> list[Problem]:
    """Repo-scope rules (Argo CD: argocd/ against every stream), on the units already rendered.

    `check STREAM...` keeps the findings about those streams and about argocd/ itself; a run
    scoped to changed files (`--since`) keeps every finding when argocd/ changed (it concerns
    every stream), else those about the streams it checks."""
    from okd_streams.model.context import RepoContext

    context = RepoContext(root, tree, streams, units, renderer=renders)
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
