"""`okd-streams lint PATH...`: the same rules on any tree of Tekton YAML, laid out like ours or not.

Each PATH is its own set: kustomizations that no other kustomization includes are
rendered with kustomize; YAML files no kustomization includes are checked as loose files,
together with the other loose files of the same PATH.
"""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from okd_streams import engine
from okd_streams import kustomization as kz
from okd_streams.cache import CachedRenderer, FileHashes, cpu_jobs, digest, open_cache
from okd_streams.checking import (Report, Renderer, cached_file_problems, cached_problems, cached_unit_problems,
                                  failed_unit, loose_source, prune, rules_fingerprint, tree_loader, unit_problems_key)
from okd_streams.config import Config
from okd_streams.model import FileContext, Unit
from okd_streams.output import Progress
from okd_streams.problem import Problem
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


# Below this many files a lint runs in one process: forking costs more than it saves.
PARALLEL_MIN_FILES = 64


@dataclass
class _Run:
    """What linting every set shares: the tree, the cache, the renders."""

    tree: SourceTree
    config: Config
    store: Any
    fingerprint: str
    hashes: FileHashes
    renders: CachedRenderer | None
    results: dict
    keep_units: bool
    memo: dict = field(default_factory=dict)


def lint_paths(paths: list[Path], config: Config, renderer: Renderer | None = None,
               progress: bool | None = None, *, cache: bool = True, keep_units: bool = True) -> Report:
    """Lint each PATH as its own set. `keep_units=False` (the CLI): the report need not hold
    the units, so a set whose files and rules are unchanged is answered from the cache without
    parsing its files, and sets are linted in worker processes, one per core, when there are
    many files."""
    # Files may live in each PATH's repository (or git work tree); symlinks leading out are not read.
    memo: dict = {}
    tree = SourceTree(Path.cwd(), boundaries=[boundary_of(path, memo) for path in paths])
    store = open_cache(_repository_of(paths), cache)
    renders = None
    hashes = FileHashes()
    if renderer is None:
        renders = CachedRenderer(store, walker=kz.Walker(tree_loader(tree)), hashes=hashes, batch=False)
        renderer = renders
    sets = [plan(path) for path in paths]
    directories = sorted({root for s in sets for root in s.roots})
    bar = Progress(len(directories), "rendered", progress)
    results = renderer(directories, lambda r: bar.step(tree.display(r.directory))) if directories else {}
    bar.close()
    run = _Run(tree, config, store, rules_fingerprint(Path.cwd(), config), hashes, renders, results, keep_units,
               memo)
    report = Report()
    for problems, units in _lint_sets(run, sets, progress):
        report.problems.extend(problems)
        report.units.extend(units)
    report.problems = engine.finalize(report.problems)
    prune(store)
    return report


def _lint_sets(run: _Run, sets: list[LintSet], progress: bool | None) -> Iterator[tuple[list[Problem], list[Unit]]]:
    """Each set's problems and units, in the order of `sets`."""
    jobs = min(cpu_jobs(), len(sets))
    files = sum(len(s.files) for s in sets)
    bar = Progress(len(sets), "linted", progress)
    try:
        if run.keep_units or jobs < 2 or files < PARALLEL_MIN_FILES or "fork" not in mp.get_all_start_methods():
            for lint_set in sets:
                found = _lint_set(run, lint_set)
                bar.step(run.tree.display(lint_set.path))
                yield found
            return
        yield from _in_workers(run, sets, jobs, bar)
    finally:
        bar.close()


# The run a forked worker inherits (set just before the fork; read only in the workers).
_WORKER_RUN: tuple[_Run, list[LintSet]] | None = None


def _in_workers(run: _Run, sets: list[LintSet], jobs: int, bar: Progress) -> Iterator[tuple[list[Problem], list]]:
    """Sets linted by `jobs` forked processes, biggest first; results in the order of `sets`.
    The workers inherit the parsed configuration and the render results, and write their
    own cache entries (the cache is safe for concurrent writers)."""
    global _WORKER_RUN
    order = sorted(range(len(sets)), key=lambda i: -len(sets[i].files))
    found: list[list[Problem] | None] = [None] * len(sets)
    _WORKER_RUN = (run, sets)
    try:
        with mp.get_context("fork").Pool(jobs) as pool:
            for index, problems, writes in pool.imap_unordered(_lint_set_in_worker, order, chunksize=2):
                found[index] = problems
                if run.store is not None:
                    run.store.writes += writes
                bar.step(run.tree.display(sets[index].path))
    finally:
        _WORKER_RUN = None
    for problems in found:
        yield problems or [], []


def _lint_set_in_worker(index: int) -> tuple[int, list[Problem], int]:
    run, sets = _WORKER_RUN
    before = run.store.writes if run.store is not None else 0
    problems, _ = _lint_set(run, sets[index])
    return index, problems, (run.store.writes - before) if run.store is not None else 0


def _lint_set(run: _Run, lint_set: LintSet) -> tuple[list[Problem], list[Unit]]:
    tree, config, store, fingerprint, renders = run.tree, run.config, run.store, run.fingerprint, run.renders
    problems: list[Problem] = []
    foreign = _foreign(lint_set.path, config, run.memo)
    units = []
    for root in lint_set.roots:
        result = run.results[root]
        shown = tree.display(kz.kustomization_file(root) or root)
        if result.ok:
            graph = renders.closures.get(root) if renders is not None else None
            unit = unit_from_render(result, tree, tree.display(root), foreign=foreign, graph=graph)
            unit.kustomization = shown
        else:
            unit = failed_unit(tree.display(root), None, shown, result.error or "kustomize failed")
        units.append(unit)
    for unit, root in zip(units, lint_set.roots):
        render_key = renders.keys.get(root) if renders is not None else None
        source = render_key and digest(render_key, tree.display(root))
        problems.extend(cached_unit_problems(unit, config, store, fingerprint, source))
    if lint_set.loose:
        label = tree.display(lint_set.path)
        source = loose_source(tree, lint_set.loose, run.hashes)
        found = None if run.keep_units else cached_problems(
            store, "problems", unit_problems_key(fingerprint, source, label, None, None, foreign, False))
        if found is not None:  # unchanged files: not even parsed
            problems.extend(found)
        else:
            unit = unit_from_files([tree.file(f) for f in lint_set.loose], label, foreign=foreign)
            units.append(unit)
            problems.extend(cached_unit_problems(unit, config, store, fingerprint, source))
    escaping = tree.escaping_links([lint_set.path]) if lint_set.path.is_dir() else []
    unincluded = frozenset(tree.display(f) for f in lint_set.loose) if lint_set.roots else frozenset()
    kustomization_files = frozenset(tree.display(f) for f in lint_set.files if f.name in kz.NAMES) | \
        frozenset(f.path for f in escaping if Path(f.path).name in kz.NAMES)
    context = FileContext(root=lint_set.path, foreign=foreign, kustomization_files=kustomization_files,
                          unincluded=unincluded,
                          auxiliary=auxiliary(tree, [f for f in lint_set.files if f.name in kz.NAMES],
                                              load=tree_loader(tree)),
                          cache=store)
    problems.extend(cached_file_problems(lint_set.files, tree, context, config, store, fingerprint,
                                         run.hashes, foreign=foreign))
    problems.extend(engine.check_files(escaping, context, config, foreign=foreign))
    return problems, units if run.keep_units else []
