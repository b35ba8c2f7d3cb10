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
from okd_streams.lint import engine, probes
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
    kustomization_documents,
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
        built = renders.closure(stream.directory.resolve()) if renders is not None else kz.closure(stream.directory)
        unit.kustomizations = kustomization_documents(built, tree)[1]  # ... or an entry it lists
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
    probed = _probes(root, tree, every_stream, renders, names, only_files)
    probe_dirs = {p.folder: p for p in probed if p.folder is not None}
    job = renders.start([s.directory.resolve() for s in buildable] + list(probe_dirs))
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
        probe_results: dict[Path, RenderResult] = {}
        for result in job.results():
            if result.directory in probe_dirs:
                probe_results[result.directory] = result
                continue
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
        probe_units = _probe_problems(session, report, probed, probe_results, set(done))
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
    for probe, probe_unit in probe_units:
        report.summaries.append(
            StreamSummary(
                probe.label,
                len(probe_unit.objects) if probe_unit is not None else 0,
                counts.get((probe.label, "error"), 0),
                counts.get((probe.label, "warning"), 0),
                probe_unit is not None and probe_unit.build_error is None,
                probe=True,
            )
        )
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


def probe_component(root: Path, config: Config, directory: Path, cache: bool = True) -> list[Problem]:
    """`lint overlays/NAME`: the component's probe (through the stream that uses it, else the
    first it can join), checked like `check` checks it."""
    tree = SourceTree(root)
    streams = discover_streams(root)
    store = open_cache(root, cache)
    session = Session(config, tree, store, rules_fingerprint(root, config), FileHashes(root.resolve()))
    renders = session.renderer()
    probe = probes.plan(tree, streams, [directory.resolve()])[0]
    folder = probes.write(root, tree, probe)
    if folder is None or probe.stream is None:
        return []
    stream_dir = probe.stream.directory.resolve()
    results = renders([folder, stream_dir])
    report = Report()
    stream_problems = _unit_problems(session, stream_unit(probe.stream, results[stream_dir], tree, renders))
    report.problems.extend(p for p in stream_problems if p.stream is None or p.stream == probe.stream.name)
    _probe_problems(session, report, [probe], {folder: results[folder]}, {probe.stream.name})
    session.finish()
    return [p for p in report.problems if p.stream == probe.label]


def _probes(
    root: Path,
    tree: SourceTree,
    streams: list[Stream],
    renders: CachedRenderer,
    names: list[str] | None,
    only_files: list[Path] | None,
) -> list[probes.Probe]:
    """Probes of the Components no stream uses: all of them on a full check, those holding a
    changed file on `check --since`, none on `check STREAM...`; their kustomizations written."""
    if names and only_files is None:
        return []
    closures = {s.directory.resolve(): renders.closure(s.directory.resolve()) for s in streams if s.kustomization}
    wanted = probes.unused(root, closures)
    if only_files is not None:
        changed = [Path(p).resolve() for p in only_files]
        wanted = [d for d in wanted if any(d.resolve() in p.parents for p in changed)]
    planned = probes.plan(tree, streams, wanted)
    for probe in planned:
        try:
            probes.write(root, tree, probe)
        except OSError:
            probe.folder = None  # no temporary folder: the summary says it was not probed
    return planned


def _probe_problems(
    session: Session,
    report: Report,
    planned: list[probes.Probe],
    results: dict[Path, RenderResult],
    checked: set[str],
) -> list[tuple[probes.Probe, Unit | None]]:
    """Each probe's unit rules, kept where the component's author can act (probes.kept)."""
    units: list[tuple[probes.Probe, Unit | None]] = []
    for probe in planned:
        result = results.get(probe.folder) if probe.folder is not None else None
        if result is None or probe.stream is None:
            units.append((probe, None))
            continue
        unit = stream_unit(probe.stream, result, session.tree, session.renders)
        unit.label = probe.label
        if not result.ok:  # kustomize's error, at the component's kustomization
            unit.kustomization = session.tree.display(kz.kustomization_file(probe.directory) or probe.directory)
        found = _unit_problems(session, unit)
        stream = probe.stream.name
        known: set[tuple] | None = None  # its stream not checked (`check --since`): only the component's own
        if stream in checked:
            known = {(p.path, p.line, p.column, p.code) for p in report.problems if p.stream == stream}
        report.problems.extend(probes.kept(found, probe, session.tree, known))
        units.append((probe, unit))
    return units


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
