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
from okd_streams.cache import CachedRenderer, FileHashes, digest, open_cache
from okd_streams.checking import (Report, Renderer, cached_file_problems, cached_problems, cached_unit_problems,
                                  failed_unit, loose_source, prune, rules_fingerprint, tree_loader, unit_problems_key)
from okd_streams.config import Config
from okd_streams.model import FileContext
from okd_streams.output import Progress
from okd_streams.repo import (NotARepository, SourceTree, auxiliary, boundary_of, find_root, root_of,
                              unit_from_files, unit_from_render, walk_yaml)


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
        # Included by another kustomization, unless only through a cycle (each then fails with kustomize's
        # "cycle detected", which must be reported rather than nothing being built at all).
        included_elsewhere = any(directory in graph.directories for other, graph in closures.items()
                                 if other != directory and other not in closures[directory].directories)
        if not included_elsewhere and not _is_component(directory):
            lint_set.roots.append(directory)
    lint_set.loose = [f for f in lint_set.files if f.name not in kz.NAMES
                      and (not lint_set.included or _resolved(f) not in lint_set.included)]
    return lint_set


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: Y001 reports the file
        return path.absolute()


def _repository_of(paths: list[Path]) -> Path | None:
    """The okd-streams repository the paths are in (its .cache/ is used), or None."""
    try:
        return find_root(paths[0] if paths[0].is_dir() else paths[0].parent) if paths else None
    except NotARepository:
        return None


def _foreign(path: Path, config: Config, memo: dict | None = None) -> bool:
    if config.conventions == "strict":
        return False
    return root_of(path if path.is_dir() else path.parent, {} if memo is None else memo) is None


def lint_paths(paths: list[Path], config: Config, renderer: Renderer | None = None,
               progress: bool | None = None, *, cache: bool = True, keep_units: bool = True) -> Report:
    """Lint each PATH as its own set. `keep_units=False` (the CLI): the report need not hold
    the units, so a set whose files and rules are unchanged is answered from the cache without
    parsing its files."""
    # Files may live in each PATH's repository (or git work tree); symlinks leading out are not read.
    memo: dict = {}
    tree = SourceTree(Path.cwd(), boundaries=[boundary_of(path, memo) for path in paths])
    store = open_cache(_repository_of(paths), cache)
    fingerprint = rules_fingerprint(Path.cwd(), config)
    renders = None
    hashes = FileHashes()
    if renderer is None:
        renders = CachedRenderer(store, walker=kz.Walker(tree_loader(tree)), hashes=hashes, batch=False)
        renderer = renders
    report = Report()
    sets = [plan(path) for path in paths]
    directories = sorted({root for s in sets for root in s.roots})
    bar = Progress(len(directories), "rendered", progress)
    results = renderer(directories, lambda r: bar.step(tree.display(r.directory))) if directories else {}
    bar.close()
    for lint_set in sets:
        foreign = _foreign(lint_set.path, config, memo)
        units = []
        for root in lint_set.roots:
            result = results[root]
            shown = tree.display(kz.kustomization_file(root) or root)
            if result.ok:
                graph = renders.closures.get(root) if renders is not None else None
                unit = unit_from_render(result, tree, tree.display(root), foreign=foreign, graph=graph)
                unit.kustomization = shown
            else:
                unit = failed_unit(tree.display(root), None, shown, result.error or "kustomize failed")
            units.append(unit)
        sources: list[str | None] = [None] * len(units)
        for index, root in enumerate(lint_set.roots):
            render_key = renders.keys.get(root) if renders is not None else None
            sources[index] = render_key and digest(render_key, tree.display(root))
        for unit, source in zip(units, sources):
            report.problems.extend(cached_unit_problems(unit, config, store, fingerprint, source))
        if lint_set.loose:
            label = tree.display(lint_set.path)
            source = loose_source(tree, lint_set.loose, hashes)
            found = None if keep_units else cached_problems(
                store, "problems", unit_problems_key(fingerprint, source, label, None, None, foreign, False))
            if found is not None:  # unchanged files: not even parsed
                report.problems.extend(found)
            else:
                unit = unit_from_files([tree.file(f) for f in lint_set.loose], label, foreign=foreign)
                units.append(unit)
                report.problems.extend(cached_unit_problems(unit, config, store, fingerprint, source))
        report.units.extend(units)
        escaping = tree.escaping_links([lint_set.path]) if lint_set.path.is_dir() else []
        unincluded = frozenset(tree.display(f) for f in lint_set.loose) if lint_set.roots else frozenset()
        kustomization_files = frozenset(tree.display(f) for f in lint_set.files if f.name in kz.NAMES) | \
            frozenset(f.path for f in escaping if Path(f.path).name in kz.NAMES)
        context = FileContext(root=lint_set.path, foreign=foreign, kustomization_files=kustomization_files,
                              unincluded=unincluded,
                              auxiliary=auxiliary(tree, [f for f in lint_set.files if f.name in kz.NAMES],
                                                  load=tree_loader(tree)),
                              cache=store)
        report.problems.extend(cached_file_problems(lint_set.files, tree, context, config, store, fingerprint,
                                                    hashes, foreign=foreign))
        report.problems.extend(engine.check_files(escaping, context, config, foreign=foreign))
    report.problems = engine.finalize(report.problems)
    prune(store)
    return report
