"""One run of `check` or `lint`: what its flows share, and the lint results it caches.

A `Session` is made per run and passed down. It holds everything the run remembers, and
nothing it holds outlives the run: the disk store (okd_streams.render.cache.Cache, or None
when caching is off), the fingerprint of the rules and settings cached problems depend on,
each file's digest, the engine's memo of per-object findings, the values file rules derive
from the tree (FileContext.views) and the run's renderer.

Problems are cached at three grains, each under a key made of everything they depend on:
a unit's (`unit_problems`), a file's under all file rules (`file_problems`, in `check`), and
a file's under one file rule whose findings depend on settings of its own (a rule with
`context_key`, yamllint): `check` and `lint` both keep those per file, so a changed file or
tree does not run yamllint again on the files that did not change. Rules never see the
cache: the flows ask the session, the session asks the engine on a miss.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from okd_streams.config import Config
from okd_streams.files.loader import YamlFile
from okd_streams.lint import engine
from okd_streams.model.objects import FileContext, Unit
from okd_streams.model.repo import SourceTree
from okd_streams.problem import Problem
from okd_streams.render import kustomization as kz
from okd_streams.render.cache import (
    FILE_PROBLEMS,
    RULE_PROBLEMS,
    UNIT_PROBLEMS,
    Cache,
    FileHashes,
    decode_problems,
    digest,
    package_version,
)
from okd_streams.render.runner import CachedRenderer


@dataclass
class StreamSummary:
    name: str
    objects: int = 0
    errors: int = 0
    warnings: int = 0
    rendered: bool = False
    probe: bool = False  # a component no stream uses, checked through a probe (okd_streams.lint.probes)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    summaries: list[StreamSummary] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


def failed_unit(label: str, stream: str | None, kustomization: str, error: str) -> Unit:
    return Unit(label, [], stream=stream, rendered=True, build_error=error, kustomization=kustomization)


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


def tree_renderer(tree: SourceTree, cache: Cache | None, hashes: FileHashes, batch: bool = True) -> CachedRenderer:
    """A renderer from `cache`, reading kustomizations and resources through `tree`, so that
    no file is parsed twice in a run."""
    return CachedRenderer(
        cache, walker=kz.Walker(tree_loader(tree)), hashes=hashes, batch=batch, documents=tree_documents(tree)
    )


def rules_fingerprint(root: Path, config: Config) -> str:
    """What cached problems depend on besides their input: okd-streams' code, Python, the
    configuration, where the repository is (problems show paths relative to it) and the
    working folder (ignore patterns are matched against paths resolved from it)."""
    settings = dataclasses.asdict(config)
    return digest("unit-problems", package_version(), sys.version_info[:2], str(root.resolve()), os.getcwd(), settings)


def context_keys(rules: list[ModuleType], context: FileContext) -> list[str | None]:
    """The file rules' own settings their findings depend on (yamllint's), for cache keys."""
    return [rule.context_key(context) for rule in rules if rule.context_key is not None]


class Session:
    """What one run of a flow shares (see the module's docstring)."""

    def __init__(
        self, config: Config, tree: SourceTree, cache: Cache | None, fingerprint: str, hashes: FileHashes | None = None
    ) -> None:
        self.config = config
        self.tree = tree
        self.cache = cache
        self.fingerprint = fingerprint
        self.hashes = hashes or FileHashes()
        self.objects = engine.ObjectMemo()  # PER_OBJECT findings by object content
        self.views: dict[Any, Any] = {}  # FileContext.views of every context of the run
        self.renders: CachedRenderer | None = None
        self._sources: dict[Path, str] = {}

    def renderer(self, batch: bool = True) -> CachedRenderer:
        """The run's renderer (see `tree_renderer`)."""
        if self.renders is None:
            self.renders = tree_renderer(self.tree, self.cache, self.hashes, batch)
        return self.renders

    def file_context(self, root: Path, **fields: Any) -> FileContext:
        return FileContext(root=root, views=self.views, **fields)

    # -- units ----------------------------------------------------------------------------
    def check_unit(self, unit: Unit) -> list[Problem]:
        return engine.check_unit(unit, self.config, memo=self.objects)

    def unit_problems(self, unit: Unit, source: str | None) -> list[Problem]:
        """The unit rules' problems on `unit`, from the cache when `source` (a digest of
        everything the unit is made of; None: not cacheable) was checked before with the same
        rules and settings."""
        if self.cache is None or source is None:
            return self.check_unit(unit)
        key = digest(self.fingerprint, source, unit.label, unit.stream, unit.kustomization, unit.foreign, unit.rendered)
        problems = self.cache.problems(UNIT_PROBLEMS, key)
        if problems is None:
            problems = self.check_unit(unit)
            self.cache.put_problems(UNIT_PROBLEMS, key, problems)
        return problems

    # -- files ----------------------------------------------------------------------------
    def file_source(self, path: Path) -> str:
        """A file as the file rules see it: its path as shown, its content, and whether a
        symlink leads it out of the tree (then it is not read)."""
        found = self._sources.get(path)
        if found is None:
            tree = self.tree
            found = self._sources[path] = digest(
                tree.display(path), self.hashes.digest(Path(path)), str(tree.escapes(Path(path)))
            )
        return found

    def file_problems(
        self, paths: list[Path], context: FileContext, foreign: bool = False, whole_files: bool = False
    ) -> list[Problem]:
        """The file rules' problems on the files at `paths`. `whole_files` (check): each file's
        problems from the cache when the file, the context and the rules are unchanged, so an
        unchanged file is not even parsed; else (lint, which caches whole sets) only the rules
        with settings of their own are cached, per file."""
        rules = engine.selected_rules("file")
        tree = self.tree
        if self.cache is None:
            return engine.check_files(
                [tree.file(path) for path in paths], context, self.config, foreign=foreign, rules=rules
            )
        if not whole_files:
            return self._by_rule(paths, context, foreign, rules)
        shared = digest(
            self.fingerprint,
            "file rules",
            foreign,
            str(context.root),
            context.foreign,
            sorted(context.kustomization_files),
            sorted(context.unincluded),
            sorted(context.auxiliary),
            context_keys(rules, context),
        )
        problems = []
        for path in paths:
            key = digest(shared, self.file_source(path))
            found = self.cache.problems(FILE_PROBLEMS, key)
            if found is None:
                found = self._by_rule([path], context, foreign, rules)
                self.cache.put_problems(FILE_PROBLEMS, key, found)
            problems.extend(found)
        return problems

    def _by_rule(
        self, paths: list[Path], context: FileContext, foreign: bool, rules: list[ModuleType]
    ) -> list[Problem]:
        """engine.check_files, but a rule with settings of its own (`context_key`) on each file
        from the cache when the file and those settings are unchanged."""
        assert self.cache is not None
        plain, keyed = [], []
        for rule in rules:
            key = rule.context_key(context) if rule.context_key is not None else None
            if key is None:
                plain.append(rule)
            else:
                keyed.append((rule, digest(self.fingerprint, RULE_PROBLEMS, rule.CODE, key, foreign, context.foreign)))
        files: list[YamlFile] = [self.tree.file(path) for path in paths]
        problems = engine.check_files(files, context, self.config, foreign=foreign, rules=plain) if plain else []
        for rule, shared in keyed:
            for path, yaml_file in zip(paths, files, strict=True):
                key = digest(shared, self.file_source(path))
                found = self.cache.problems(RULE_PROBLEMS, key)
                if found is None:
                    found = engine.check_files([yaml_file], context, self.config, foreign=foreign, rules=[rule])
                    self.cache.put_problems(RULE_PROBLEMS, key, found)
                problems.extend(found)
        return problems

    def finish(self) -> None:
        """The end of the run: keep the store bounded."""
        if self.cache is not None:
            self.cache.prune_all()


class ReportMemo:
    """The whole report of a full check, kept under a key made of every file of the repository
    (outside tool folders such as .git and .cache: paths, contents, symlink targets, folders),
    git's index and exclude file (which files Argo CD would see), okd-streams' code and
    settings, the kustomize in use and OKD_STREAMS_* variables. What the builds read outside
    that walk (a base in ../, a file in build/) is listed in the entry and checked on reuse.

    Any change to the repository, even to a README, makes a new key: the check then runs,
    from the per-stream, per-file and per-unit caches."""

    def __init__(self, root: Path, session: Session) -> None:
        assert session.cache is not None
        self.root = root.resolve()
        self.cache = session.cache
        self.fingerprint = session.fingerprint
        self.hashes = session.hashes
        self.walked: set[Path] = set()
        self.key = self._key(session)

    def _key(self, session: Session) -> str:
        from okd_streams.model.repo import SKIP_DIRS
        from okd_streams.render.kustomize import find_kustomize

        entries = []
        for current, folders, files in os.walk(self.root):
            folders[:] = sorted(d for d in folders if d not in SKIP_DIRS)
            for name in folders:
                path = os.path.join(current, name)
                entries.append(
                    (os.path.relpath(path, self.root), "d", os.readlink(path) if os.path.islink(path) else "")
                )
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
        settings = context_keys(engine.selected_rules("file"), session.file_context(self.root))
        env = sorted(
            (k, v)
            for k, v in os.environ.items()
            if k.startswith("OKD_STREAMS_") and k not in ("OKD_STREAMS_TIMINGS", "OKD_STREAMS_CACHE_DIR")
        )
        return digest("report", self.fingerprint, find_kustomize().version, entries, git, settings, env)

    def load(self) -> Report | None:
        entry = self.cache.report(self.key)
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
            external.update(
                ("names", str(d), None) for d in graph.directories if self.root not in d.parents and d != self.root
            )
            external.update(("tree", str(t), None) for t in graph.trees if self.root not in t.parents)
        rows = [[kind, path, self._now(kind, path)] for kind, path, _ in sorted(external)]
        self.cache.put_report(
            self.key,
            {
                "external": rows,
                "problems": [p.as_row() for p in report.problems],
                "summaries": [dataclasses.astuple(s) for s in report.summaries],
            },
        )
