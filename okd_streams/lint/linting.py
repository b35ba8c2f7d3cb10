"""`okd-streams lint PATH...`: the same rules on any tree of Tekton YAML, laid out like ours or not.

Each PATH is its own set: kustomizations that no other kustomization includes are
rendered with kustomize; YAML files no kustomization includes are checked as loose files,
together with the other loose files of the same PATH. Each render and the loose files are
checked as units of their own, and a reference from one may name an object another of the
same set holds (`base/pipelines` naming a Task that `base/tasks` renders).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from okd_streams.config import Config
from okd_streams.lint import engine
from okd_streams.lint.output import Progress
from okd_streams.lint.session import Report, Session, context_keys, failed_unit, rules_fingerprint, tree_loader
from okd_streams.model.objects import Unit
from okd_streams.model.repo import (
    FolderMemo,
    NotARepository,
    SourceTree,
    auxiliary,
    boundary_of,
    find_root,
    kustomization_documents,
    root_of,
    unit_from_files,
    unit_from_render,
    walk_tree,
)
from okd_streams.problem import Problem
from okd_streams.render import forked
from okd_streams.render import kustomization as kz
from okd_streams.render.cache import LINT_SETS, FileHashes, encode_problems, open_cache
from okd_streams.render.kustomize import RenderResult
from okd_streams.render.runner import cpu_jobs


@dataclass
class LintSet:
    path: Path
    files: list[Path] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)  # kustomization folders to render
    loose: list[Path] = field(default_factory=list)  # YAML files no kustomization includes
    included: set[Path] = field(default_factory=set)
    links: list[Path] | None = None  # every symlink below `path`, listed with `files`; None: `path` is a file
    unshared: list[Path] = field(default_factory=list)  # files not parsed from the bytes their key hashed
    escaping: list | None = None  # unreadable YamlFiles for links leading out of the tree, once found


def plan(path: Path) -> LintSet:
    """Which folders to render and which files are loose, for one PATH."""
    lint_set = LintSet(path)
    if path.is_file():
        lint_set.files = [path]
    else:  # absolute: every later look-up of the files is cheaper
        lint_set.files, lint_set.links = walk_tree(Path(os.path.abspath(path)))
    kustomization_dirs = sorted({f.parent.resolve() for f in lint_set.files if f.name in kz.NAMES})
    closures = {d: kz.closure(d) for d in kustomization_dirs}
    for graph in closures.values():
        lint_set.included |= graph.files
    for directory in kustomization_dirs:
        # Included by another kustomization, unless only through a cycle (each then fails with kustomize's
        # "cycle detected", which must be reported rather than nothing being built at all).
        included_elsewhere = any(
            directory in graph.directories
            for other, graph in closures.items()
            if other != directory and other not in closures[directory].directories
        )
        if not included_elsewhere and not kz.is_component(directory):
            lint_set.roots.append(directory)
    lint_set.loose = [
        f
        for f in lint_set.files
        if f.name not in kz.NAMES and (not lint_set.included or _resolved(f) not in lint_set.included)
    ]
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


def _foreign(path: Path, config: Config, folders: FolderMemo) -> bool:
    """Whether `path` is outside any okd-streams repository (its rules then relax)."""
    if config.conventions == "strict":
        return False
    found = folders.foreign.get(path)
    if found is None:
        found = folders.foreign[path] = root_of(path if path.is_dir() else path.parent, folders) is None
    return found


# Below this many files a lint runs in one process: forking costs more than it saves.
PARALLEL_MIN_FILES = 64


@dataclass
class _Run:
    """What linting every set shares: the session (tree, cache, memos), the renders."""

    session: Session
    results: dict[Path, RenderResult]
    keep_units: bool
    folders: FolderMemo
    stored: list[tuple[str, str]] = field(default_factory=list)  # sets' entries to store (see _store)


def lint_paths(
    paths: list[Path], config: Config, progress: bool | None = None, *, cache: bool = True, keep_units: bool = True
) -> Report:
    """Lint each PATH as its own set. `keep_units=False` (the CLI): the report need not hold
    the units, so a set whose files and rules are unchanged is answered from the cache without
    parsing its files, and sets are linted in worker processes, one per core, when there are
    many files."""
    # Files may live in each PATH's repository (or git work tree); symlinks leading out are not read.
    folders = FolderMemo()
    tree = SourceTree(Path.cwd(), boundaries=[boundary_of(path, folders) for path in paths])
    session = Session(
        config, tree, open_cache(_repository_of(paths), cache), rules_fingerprint(Path.cwd(), config), FileHashes()
    )
    renders = session.renderer(batch=False)
    sets = [plan(path) for path in paths]
    directories = sorted({root for s in sets for root in s.roots})
    bar = Progress(len(directories), "rendered", progress)
    results = renders(directories, lambda r: bar.step(tree.display(r.directory))) if directories else {}
    bar.close()
    run = _Run(session, results, keep_units, folders)
    report = Report()
    for problems, units in _lint_sets(run, sets, progress):
        report.problems.extend(problems)
        report.units.extend(units)
    _store(run, None, last=True)
    report.problems.extend(_component_probes([s.path for s in sets if _has_own_kustomization(s)], config, cache))
    report.problems = engine.finalize(report.problems)
    session.finish()
    return report


def _has_own_kustomization(lint_set: LintSet) -> bool:
    """Whether a folder PATH holds a kustomization file itself (from the files its plan listed:
    no file system look-up per PATH)."""
    if lint_set.links is None:
        return False  # a file
    folder = Path(os.path.abspath(lint_set.path))
    return any(f.name in kz.NAMES and f.parent == folder for f in lint_set.files)


def _component_probes(paths: list[Path], config: Config, cache: bool) -> list[Problem]:
    """A Component folder of an okd-streams repository (overlays/NAME) renders nothing by
    itself: it is checked through its probe (okd_streams.lint.probes), as `check` does."""
    from okd_streams.lint.checking import probe_component  # only for component folders

    found: list[Problem] = []
    for path in paths:
        if not path.is_dir() or not kz.is_component(path):
            continue
        root = _repository_of([path])
        if root is not None and path.resolve().parent == (root / "overlays").resolve():
            found.extend(probe_component(root, config, path, cache))
    return found


def _lint_sets(run: _Run, sets: list[LintSet], progress: bool | None) -> Iterator[tuple[list[Problem], list[Unit]]]:
    """Each set's problems and units, in the order of `sets`. From the CLI (no units kept), a
    set whose files, renders and rules are unchanged is answered from the cache unparsed, and
    sets holding many files in all are answered in worker processes, one per core."""
    bar = Progress(len(sets), "linted", progress)
    try:
        if run.keep_units:
            for lint_set in sets:
                problems, units = _lint_set(run, lint_set)
                bar.step(run.session.tree.display(lint_set.path))
                yield problems, units
            return
        found: list[list[Problem] | None] = [None] * len(sets)
        jobs = min(cpu_jobs(), len(sets))
        if jobs < 2 or sum(len(s.files) for s in sets) < PARALLEL_MIN_FILES or not forked.can_fork():
            answers = _serially(run, sets)
        else:
            answers = _in_workers(run, sets, jobs)
        for index, problems in answers:
            found[index] = problems
            bar.step(run.session.tree.display(sets[index].path))
    finally:
        bar.close()
    for answer in found:
        yield answer or [], []


SET_KIND = LINT_SETS  # cache entries: a lint set's problems, by everything they depend on


def set_key(run: _Run, lint_set: LintSet) -> str | None:
    """What a set's problems depend on besides the rules and settings (in the fingerprint):
    each file as the rules see it, the renders of its kustomizations, the links leading out of
    it and the file rules' own settings (yamllint's). None: not cacheable (a remote base).
    Each file is read once: the bytes hashed here are the ones its rules will parse."""
    session = run.session
    renders = [session.renders.keys.get(root) if session.renders is not None else None for root in lint_set.roots]
    if any(key is None for key in renders):
        return None
    tree, hashes = session.tree, session.hashes
    lint_set.escaping = tree.escaping_links([lint_set.path], lint_set.links) if lint_set.links is not None else []
    context = session.file_context(lint_set.path)
    key = hashlib.sha256(
        json.dumps(
            [
                session.fingerprint,
                SET_KIND,
                tree.display(lint_set.path),
                _foreign(lint_set.path, session.config, run.folders),
                renders,
                [tree.display(root) for root in lint_set.roots],
                [tree.display(path) for path in lint_set.loose],
                [(f.path, [issue.message for issue in f.issues]) for f in lint_set.escaping],
                context_keys(engine.selected_rules("file"), context),
            ]
        ).encode("utf-8", "surrogatepass")
    )
    links = set(lint_set.links or ())
    if lint_set.links == [] and tree.escapes(lint_set.path) is None:
        tree.within(lint_set.files)  # a folder inside the boundaries with no symlink below: nor are its files
    for path in lint_set.files:
        escaped = tree.escapes(path, is_link=path in links if lint_set.links is not None else None)
        raw = hashes.read(path) if escaped is None else None  # a file a link leads out to is not read
        if raw is not None:
            tree.prefetch(path, raw)
        else:
            lint_set.unshared.append(path)
        # No path holds a NUL: each file's record is unambiguous.
        key.update(f"\0{tree.display(path)}\0{hashes.digest(path)}\0{escaped}".encode("utf-8", "surrogatepass"))
    return key.hexdigest()


def _answer(run: _Run, lint_set: LintSet) -> tuple[list[Problem], tuple[str, str] | None]:
    """A set's problems: from the cache when nothing they depend on changed, else linted. With
    them, what to store in the cache, (key, JSON text of the rows), or None: nothing when
    answered from it, or when a file changed while it was being linted."""
    cache = run.session.cache
    key = set_key(run, lint_set) if cache is not None else None
    found = cache.set_problems(key) if cache is not None and key is not None else None
    if found is not None:
        run.session.tree.forget_prefetched(lint_set.files)
        return found, None
    problems, _ = _lint_set(run, lint_set)
    # A file whose bytes were hashed and parsed at once cannot have changed in between; one
    # read twice (by kustomize, or past the size for sharing) may have.
    read_twice = lint_set.files if lint_set.roots else lint_set.unshared
    if key is None or any(run.session.hashes.changed(path) for path in read_twice):
        return problems, None
    text = encode_problems(problems)  # here: in a worker, in parallel
    return problems, (key, text) if text is not None else None


STORE_BATCH = 100  # sets' entries stored in one transaction, while the workers go on


def _store(run: _Run, entry: tuple[str, str] | None, last: bool = False) -> None:
    """Keep `entry`; store what is kept by the batch (and the rest with `last`)."""
    if entry is not None:
        run.stored.append(entry)
    if run.stored and (last or len(run.stored) >= STORE_BATCH):
        assert run.session.cache is not None  # only entries made with a cache are kept
        run.session.cache.put_sets(run.stored)
        run.stored = []


def _serially(run: _Run, sets: list[LintSet]) -> Iterator[tuple[int, list[Problem]]]:
    for index, lint_set in enumerate(sets):
        problems, entry = _answer(run, lint_set)
        _store(run, entry)
        yield index, problems


def _in_workers(run: _Run, sets: list[LintSet], jobs: int) -> Iterator[tuple[int, list[Problem]]]:
    """(index, problems) of every set, answered by `jobs` forked processes (okd_streams.render.forked),
    groups of sets at a time (`work_order`). The workers inherit the configuration and the
    renders; this process stores what they found in the cache as it arrives (a transaction
    per batch, no writer waiting on another)."""
    order = work_order(sets, jobs)
    if len(order) > forked.MAX_TASKS:  # tens of thousands of PATHs: fewer, larger groups
        size = -(-len(order) // forked.MAX_TASKS)
        order = [
            [index for group in order[start : start + size] for index in group] for start in range(0, len(order), size)
        ]
    for _, answered in forked.run_forked(order, lambda indexes: _answer_group(run, sets, indexes), jobs):
        for index, rows, entry in answered:
            _store(run, entry)
            yield index, [Problem(*row) for row in rows]


def _answer_group(run: _Run, sets: list[LintSet], indexes: list[int]) -> list[tuple[int, list[list], tuple | None]]:
    """In a worker: each set's problems as rows (cheaper to send than Problems), and its cache
    entry (key, JSON text)."""
    answered = []
    for index in indexes:
        problems, entry = _answer(run, sets[index])
        answered.append((index, [p.as_row() for p in problems], entry))
    return answered


def work_order(sets: list[LintSet], jobs: int) -> list[list[int]]:
    """The sets' indexes in groups, largest first. Sets in one folder (a catalog's versions of
    a task) go together, so one worker's per-object memo checks what they share once; a group
    holding over a share of the files (`lint streams/*`: every set in one folder) is cut, so
    that every worker gets some."""
    folders: dict[Path, list[int]] = {}
    for index, lint_set in enumerate(sets):
        folders.setdefault(lint_set.path.parent, []).append(index)
    share = max(1, sum(len(s.files) for s in sets) // (jobs * 8))
    groups = []
    for members in folders.values():
        group: list[int] = []
        size = 0
        for index in members:
            group.append(index)
            size += len(sets[index].files)
            if size >= share:
                groups.append(group)
                group, size = [], 0
        if group:
            groups.append(group)
    return sorted(groups, key=lambda members: -sum(len(sets[i].files) for i in members))


def _lint_set(run: _Run, lint_set: LintSet) -> tuple[list[Problem], list[Unit]]:
    session = run.session
    tree, config, renders = session.tree, session.config, session.renders
    problems: list[Problem] = []
    foreign = _foreign(lint_set.path, config, run.folders)
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
            # K001 can then point at the entry of a kustomization below this one that failed
            graph = renders.closure(root) if renders is not None else kz.closure(root)
            unit.kustomizations = kustomization_documents(graph, tree)[1]
        units.append(unit)
    if len(units) > 1:  # sibling kustomizations of one PATH: a reference may name what another renders
        for unit in units:
            unit.neighbours = [obj for other in units if other is not unit for obj in other.objects]
    if lint_set.loose:
        loose = unit_from_files([tree.file(f) for f in lint_set.loose], tree.display(lint_set.path), foreign=foreign)
        # A loose file (a test beside a Task that a kustomization renders) may name what the renders hold.
        loose.neighbours = [obj for unit in units for obj in unit.objects]
        units.append(loose)
    for unit in units:
        problems.extend(session.check_unit(unit))
    escaping = lint_set.escaping
    if escaping is None:
        escaping = tree.escaping_links([lint_set.path], lint_set.links) if lint_set.links is not None else []
    unincluded = frozenset(tree.display(f) for f in lint_set.loose) if lint_set.roots else frozenset()
    kustomization_files = frozenset(tree.display(f) for f in lint_set.files if f.name in kz.NAMES) | frozenset(
        f.path for f in escaping if Path(f.path).name in kz.NAMES
    )
    context = session.file_context(
        lint_set.path,
        foreign=foreign,
        kustomization_files=kustomization_files,
        unincluded=unincluded,
        auxiliary=auxiliary(tree, [f for f in lint_set.files if f.name in kz.NAMES], load=tree_loader(tree)),
    )
    problems.extend(session.file_problems(lint_set.files, context, foreign=foreign))
    problems.extend(engine.check_files(escaping, context, config, foreign=foreign))
    return problems, units if run.keep_units else []
