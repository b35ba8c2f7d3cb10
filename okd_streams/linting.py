"""`okd-streams lint PATH...`: the same rules on any tree of Tekton YAML, laid out like ours or not.

Each PATH is its own set: kustomizations that no other kustomization includes are
rendered with kustomize; YAML files no kustomization includes are checked as loose files,
together with the other loose files of the same PATH.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from okd_streams import engine
from okd_streams import kustomization as kz
from okd_streams.checking import Report, Renderer, default_renderer, failed_unit
from okd_streams.config import Config
from okd_streams.model import FileContext
from okd_streams.output import Progress
from okd_streams.repo import NotARepository, SourceTree, find_root, unit_from_files, unit_from_render, walk_yaml


@dataclass
class LintSet:
    path: Path
    files: list[Path] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)  # kustomization folders to render
    loose: list[Path] = field(default_factory=list)  # YAML files no kustomization includes
    included: set[Path] = field(default_factory=set)


def _is_component(directory: Path) -> bool:
    path = kz.kustomization_file(directory)
    data = kz._load(path) if path else None
    return isinstance(data, dict) and data.get("kind") == "Component"


def plan(path: Path) -> LintSet:
    """Which folders to render and which files are loose, for one PATH."""
    lint_set = LintSet(path)
    lint_set.files = [path] if path.is_file() else walk_yaml(path)
    kustomization_dirs = sorted({f.parent.resolve() for f in lint_set.files if f.name in kz.NAMES})
    closures = {d: kz.closure(d) for d in kustomization_dirs}
    for directory, graph in closures.items():
        lint_set.included |= graph.files
    for directory in kustomization_dirs:
        included_elsewhere = any(directory in graph.directories for other, graph in closures.items()
                                 if other != directory)
        if not included_elsewhere and not _is_component(directory):
            lint_set.roots.append(directory)
    lint_set.loose = [f for f in lint_set.files if f.resolve() not in lint_set.included and f.name not in kz.NAMES]
    return lint_set


def _foreign(path: Path, config: Config) -> bool:
    if config.conventions == "strict":
        return False
    try:
        find_root(path if path.is_dir() else path.parent)
        return False
    except NotARepository:
        return True


def lint_paths(paths: list[Path], config: Config, renderer: Renderer | None = None,
               progress: bool | None = None) -> Report:
    renderer = renderer or default_renderer
    tree = SourceTree(Path.cwd())
    report = Report()
    sets = [plan(path) for path in paths]
    directories = sorted({root for s in sets for root in s.roots})
    bar = Progress(len(directories), "rendered", progress)
    results = renderer(directories, lambda r: bar.step(tree.display(r.directory))) if directories else {}
    bar.close()
    for lint_set in sets:
        foreign = _foreign(lint_set.path, config)
        units = []
        for root in lint_set.roots:
            result = results[root]
            shown = tree.display(kz.kustomization_file(root) or root)
            if result.ok:
                unit = unit_from_render(result, tree, tree.display(root), foreign=foreign)
                unit.kustomization = shown
            else:
                unit = failed_unit(tree.display(root), None, shown, result.error or "kustomize failed")
            units.append(unit)
        if lint_set.loose:
            loose_files = [tree.file(f) for f in lint_set.loose]
            units.append(unit_from_files(loose_files, tree.display(lint_set.path), foreign=foreign))
        for unit in units:
            report.problems.extend(engine.check_unit(unit, config))
        report.units.extend(units)
        files = [tree.file(f) for f in lint_set.files]
        unincluded = frozenset(tree.display(f) for f in lint_set.loose) if lint_set.roots else frozenset()
        context = FileContext(root=lint_set.path, foreign=foreign,
                              kustomization_files=frozenset(f.path for f in files if Path(f.path).name in kz.NAMES),
                              unincluded=unincluded)
        report.problems.extend(engine.check_files(files, context, config, foreign=foreign))
    report.problems = engine.finalize(report.problems)
    return report
