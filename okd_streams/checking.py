"""The shared pipeline behind `check` and `lint`: render, build units, run every rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from okd_streams import engine
from okd_streams import kustomization as kz
from okd_streams.config import Config
from okd_streams.kustomize import RenderResult, build_many, find_kustomize
from okd_streams.model import FileContext, Unit
from okd_streams.output import Progress
from okd_streams.problem import Problem
from okd_streams.repo import SourceTree, Stream, discover_streams, source_files, unit_from_render


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


def _build(directory: Path, kustomize) -> RenderResult:
    from okd_streams.kustomize import build

    return build(directory, kustomize)


def failed_unit(label: str, stream: str | None, kustomization: str, error: str) -> Unit:
    return Unit(label, [], stream=stream, rendered=True, build_error=error, kustomization=kustomization)


def stream_units(streams: list[Stream], tree: SourceTree, renderer: Renderer | None = None,
                 progress: bool | None = None) -> list[Unit]:
    """Render every stream (in parallel) and return one unit per stream, failed or not."""
    renderer = renderer or default_renderer
    buildable = [s for s in streams if s.kustomization is not None]
    bar = Progress(len(buildable), "rendered", progress)
    by_dir = {s.directory.resolve(): s for s in buildable}
    results = renderer([s.directory.resolve() for s in buildable], lambda r: bar.step(by_dir[r.directory].name))
    bar.close()
    units = []
    for stream in streams:
        if stream.kustomization is None:
            units.append(failed_unit(stream.name, stream.name, tree.display(stream.directory),
                                     f"stream folder {tree.display(stream.directory)} has no kustomization.yaml"))
            continue
        result = results[stream.directory.resolve()]
        shown = tree.display(stream.kustomization)
        card = stream.card(tree)
        if not result.ok:
            units.append(failed_unit(stream.name, stream.name, shown, result.error or "kustomize failed"))
            continue
        unit = unit_from_render(result, tree, stream.name, stream=stream.name, card=card)
        unit.kustomization = shown
        units.append(unit)
    return units


def check_repository(root: Path, config: Config, names: list[str] | None = None,
                     renderer: Renderer | None = None, progress: bool | None = None) -> Report:
    """Everything `okd-streams check` does, as data."""
    tree = SourceTree(root)
    streams = discover_streams(root)
    if names:
        known = {s.name: s for s in streams}
        unknown = [n for n in names if n not in known]
        if unknown:
            from okd_streams.errors import UsageError

            raise UsageError(f"no such stream: {', '.join(unknown)}; streams: {', '.join(known) or 'none'}")
        streams = [known[n] for n in names]
    report = Report()
    report.units = stream_units(streams, tree, renderer, progress)
    for unit in report.units:
        report.problems.extend(engine.check_unit(unit, config))
    files = [tree.file(path) for path in source_files(root)]
    kustomizations = frozenset(f.path for f in files if Path(f.path).name in kz.NAMES)
    context = FileContext(root=root, foreign=False, kustomization_files=kustomizations)
    report.problems.extend(engine.check_files(files, context, config))
    report.problems = engine.finalize(report.problems)
    for unit in report.units:
        mine = [p for p in report.problems if p.stream == unit.stream]
        report.summaries.append(StreamSummary(
            unit.label, len(unit.objects), sum(p.level == "error" for p in mine),
            sum(p.level == "warning" for p in mine), unit.build_error is None))
    return report
