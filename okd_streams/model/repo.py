"""The repository as okd-streams sees it: its root, its streams and their cards, its
source files (each parsed once), and the units built from rendered streams."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.errors import NotARepository
from okd_streams.files.loader import Document, YamlFile
from okd_streams.files.paths import Boundaries, outside, real_folder, symlink_issue
from okd_streams.files.read import load_file
from okd_streams.model import patches
from okd_streams.model.documents import is_list, list_items
from okd_streams.model.objects import Obj, Provenance, Unit, get
from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import RenderResult

STREAMS_DIR = "streams"
CARD_NAME = "stream.yaml"
CARD_KIND = "StreamCard"
# Folders of an okd-streams repository whose YAML is checked; tests hold broken fixtures.
SOURCE_DIRS = ("base", "overlays", "streams", "argocd", ".tekton")
SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    ".cache",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    "build",
    "dist",
}
YAML_SUFFIXES = (".yaml", ".yml")


def find_root(start: Path) -> Path:
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / STREAMS_DIR).is_dir() and (candidate / "base").is_dir():
            return candidate
    raise NotARepository(
        f"{start} is not inside an okd-streams repository (no folder with base/ and streams/); "
        "to check any Tekton tree use `okd-streams lint PATH`"
    )


class SourceTree:
    """Parses each file at most once per run; shows paths relative to `base`.

    `boundaries` (default: `base`) are the folders files may really live in: a file that a
    symlink leads out of all of them is not read (a "symlink" load issue instead)."""

    def __init__(self, base: Path, boundaries: list[Path] | None = None) -> None:
        self.base = base.resolve()
        self.boundaries = [Path(os.path.abspath(b)) for b in boundaries] if boundaries is not None else [self.base]
        self._bounds = Boundaries(list(dict.fromkeys(self.boundaries)))  # resolved once, for every file
        self._prefix = os.path.join(str(self.base), "")
        self._shown: dict[str, str] = {}
        self._folders: dict[str, str] = {}  # real_folder's memo
        self._files: dict[Path, YamlFile] = {}
        self._absolute: dict[Path | str, Path] = {}  # each path as named, made absolute once
        self._parsed: dict[str, YamlFile] = {}  # parses by text: equal files are parsed once
        self._prefetched: dict[Path, bytes] = {}  # bytes read already (to hash them), by absolute path
        self._escaped: dict[Path, Path | None] = {}  # `escapes`, by absolute path
        self._lock = threading.RLock()

    def display(self, path: Path | str) -> str:
        key = path if path.__class__ is str else os.fspath(path)
        found = self._shown.get(key)
        if found is None:
            found = self._shown[key] = self._display(key)
        return found

    def _display(self, named_as: str) -> str:
        named = os.path.abspath(named_as)
        if named.startswith(self._prefix):  # the path as named (a symlink shows as itself)
            return named[len(self._prefix) :]
        path = Path(named_as)
        absolute = Path(named)
        try:
            return str(absolute.relative_to(self.base))
        except ValueError:
            pass
        try:
            return str(self._resolved(absolute).relative_to(self.base))
        except (ValueError, OSError, RuntimeError):
            pass
        return os.path.relpath(absolute, self.base) if path.is_absolute() else str(path)

    def _resolved(self, absolute: Path) -> Path:
        """`absolute.resolve()`, each folder resolved once (a file that is no symlink resolves
        to its resolved folder and its name)."""
        if absolute.name in ("", ".", "..") or absolute.is_symlink():
            return absolute.resolve()
        return Path(real_folder(os.path.normpath(absolute.parent), self._folders), absolute.name)

    def _key(self, path: Path | str) -> Path:
        key = self._absolute.get(path)
        if key is None:
            named = path if isinstance(path, Path) else Path(path)
            key = self._absolute[path] = named if named.is_absolute() else named.absolute()
        return key

    def file(self, path: Path | str) -> YamlFile:
        key = self._key(path)
        found = self._files.get(key)
        if found is None:
            with self._lock:  # render threads read resource files too (for origins): parse each once
                found = self._files.get(key)
                if found is None:
                    found = self._files[key] = self._load(key)
        return found

    def _load(self, key: Path) -> YamlFile:
        shown = self.display(key)
        escaped = self.escapes(key)
        if escaped is not None:
            return YamlFile(path=shown, issues=[symlink_issue(escaped)])
        return load_file(key, shown, parsed=self._parsed, raw=self._prefetched.pop(key, None))

    def prefetch(self, path: Path | str, raw: bytes) -> None:
        """`path`'s bytes, read already (to hash them): `file` parses these, it does not read again."""
        key = self._key(path)
        if key not in self._files:
            self._prefetched[key] = raw

    def forget_prefetched(self, paths: Iterable[Path | str]) -> None:
        """Bytes that will not be parsed after all (the cache answered for them)."""
        for path in paths:
            self._prefetched.pop(self._key(path), None)

    def escapes(self, path: Path | str, is_link: bool | None = None) -> Path | None:
        """Where `path` really is when a symlink leads it out of the boundaries (it is not read).
        `is_link`: whether `path` itself is a symlink, when its folder's listing said so."""
        key = self._key(path)
        found = self._escaped.get(key, self)
        if found is self:
            found = self._escaped[key] = self._bounds.outside(key, is_link)
        return found  # type: ignore[return-value]  # `self`: the not-yet-looked-up sentinel, replaced above

    def within(self, paths: Iterable[Path | str]) -> None:
        """Known not to lead out of the boundaries (the files of a folder inside them with no
        symlink below it): `escapes` answers None for them without looking."""
        for path in paths:
            self._escaped.setdefault(self._key(path), None)

    def escaping_links(self, folders: Iterable[Path], links: list[Path] | None = None) -> list[YamlFile]:
        """Symlinked folders and non-YAML files below `folders` that lead outside the
        boundaries, each as an unreadable YamlFile (YAML files get theirs from `file`).
        `links`: every symlink below `folders`, when the caller has listed them already."""
        found = []
        if links is None:
            links = [link for folder in folders for link in symlinks(folder)]
        for link in links:
            if link.name.endswith(YAML_SUFFIXES) and not link.is_dir():
                continue
            target = outside(link, self._bounds)
            if target is not None:
                found.append(YamlFile(path=self.display(link), issues=[symlink_issue(target)]))
        return found

    def loaded(self) -> list[YamlFile]:
        return list(self._files.values())


@dataclass
class Stream:
    name: str
    directory: Path
    kustomization: Path | None
    card_path: Path

    def card(self, tree: SourceTree) -> Document | None:
        if not self.card_path.is_file():
            return None
        for document in tree.file(self.card_path).documents:
            if isinstance(document.data, dict) and document.data.get("kind") == CARD_KIND:
                return document
        return None


def discover_streams(root: Path) -> list[Stream]:
    folder = root / STREAMS_DIR
    if not folder.is_dir():
        return []
    streams = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.name.startswith("."):
            streams.append(Stream(child.name, child, kz.kustomization_file(child), child / CARD_NAME))
    return streams


def source_files(root: Path, folders: Iterable[str] = SOURCE_DIRS) -> list[Path]:
    """YAML files of the repository's own folders, plus YAML files at the top level."""
    found = [p for p in sorted(root.iterdir()) if p.is_file() and p.suffix in YAML_SUFFIXES]
    for name in folders:
        folder = root / name
        if folder.is_dir():
            found.extend(walk_yaml(folder))
    return found


def auxiliary(
    tree: SourceTree, kustomizations: Iterable[Path], load: Callable[[Path], Any] | None = None
) -> frozenset[str]:
    """Display paths of the files these kustomizations read as patches, configurations, openapi,
    replacements or generator inputs (not whole objects: exempt from object-shape rules).
    `load(path)`: a kustomization's data, when the caller has parsed it already."""
    return frozenset(tree.display(path) for k in kustomizations for path in kz.auxiliary_files(Path(k), load))


@dataclass
class FolderMemo:
    """What a run learnt about folders, shared by the look-ups of its many paths so that each
    common ancestor is looked at once: a folder's real path, whether it is a repository, a git
    work tree, a path's boundary and whether it is foreign (okd_streams.lint.linting)."""

    real: dict[str, str] = field(default_factory=dict)
    repository: dict[str, bool] = field(default_factory=dict)
    git: dict[str, bool] = field(default_factory=dict)
    boundary: dict[str, Path] = field(default_factory=dict)
    foreign: dict[Path, bool] = field(default_factory=dict)


def _nearest(start: str, known: dict[str, bool], test: Callable[[str], bool]) -> Path | None:
    """The first of `start` and its ancestors that passes `test`, each folder tested once per
    `known` (the answers so far), or None."""
    candidate = start
    while True:
        found = known.get(candidate)
        if found is None:
            found = known[candidate] = test(candidate)
        if found:
            return Path(candidate)
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return None
        candidate = parent


def _is_repository(folder: str) -> bool:
    return os.path.isdir(os.path.join(folder, STREAMS_DIR)) and os.path.isdir(os.path.join(folder, "base"))


def root_of(folder: Path, memo: FolderMemo) -> Path | None:
    """`find_root(folder)`, or None, remembering each ancestor looked at in `memo`."""
    try:
        start = real_folder(os.path.abspath(folder), memo.real)
    except (OSError, RuntimeError):
        start = os.path.abspath(folder)
    return _nearest(start, memo.repository, _is_repository)


def boundary_of(path: Path, memo: FolderMemo | None = None) -> Path:
    """The folder a linted path's files may live in: its okd-streams repository, else its git
    work tree, else the path itself (its folder, for a file). `memo`: shared by calls for many
    paths, so that each of their common ancestors is looked at once."""
    memo = FolderMemo() if memo is None else memo
    named = os.path.abspath(path)
    folder = named if os.path.isdir(named) else os.path.dirname(named)
    found = memo.boundary.get(folder)
    if found is None:
        found = memo.boundary[folder] = (
            root_of(Path(folder), memo)
            or _nearest(folder, memo.git, lambda candidate: os.path.exists(os.path.join(candidate, ".git")))
            or Path(folder)
        )
    return found


def symlinks(folder: Path) -> list[Path]:
    """Every symlink below `folder` (files and folders), skipping tool folders, not following any."""
    found: list[Path] = []
    if folder.is_symlink():
        return [folder]
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        found.extend(Path(current, name) for name in dirs if os.path.islink(os.path.join(current, name)))
        found.extend(Path(current, name) for name in sorted(files) if os.path.islink(os.path.join(current, name)))
    return found


def walk_yaml(folder: Path) -> list[Path]:
    """YAML files below `folder`, skipping tool folders and hidden ones (but .tekton), such as
    the scaffolder's half-built `streams/.new-*`; never follows symlinked folders."""
    found = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and (not d.startswith(".") or d == ".tekton"))
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES) or name == "Kustomization":
                found.append(Path(current, name))
    return found


def walk_tree(folder: Path) -> tuple[list[Path], list[Path]]:
    """(`walk_yaml(folder)`, `symlinks(folder)`) in one pass over the folders, each entry's
    type as the folder listing tells it (no lstat per file)."""
    if os.path.islink(folder):
        return walk_yaml(folder), [folder]
    yaml_files: list[Path] = []
    links: list[Path] = []
    _walk_tree(os.fspath(folder), True, yaml_files, links)
    return yaml_files, links


def _walk_tree(current: str, yaml_here: bool, yaml_files: list[Path], links: list[Path]) -> None:
    # As os.walk: a folder that cannot be listed is skipped; a symlink to a folder is listed
    # with the folders, not entered. YAML is collected outside hidden folders (but .tekton),
    # symlinks everywhere but the tool folders.
    try:
        with os.scandir(current) as listing:
            entries = list(listing)
    except OSError:
        return
    dirs: list[tuple[str, bool]] = []
    files: list[tuple[str, bool]] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        try:
            is_link = entry.is_symlink()
        except OSError:
            is_link = False
        (dirs if is_dir else files).append((entry.name, is_link))
    dirs = sorted(d for d in dirs if d[0] not in SKIP_DIRS)
    for name, _is_link in sorted(files):
        if yaml_here and (name.endswith(YAML_SUFFIXES) or name == "Kustomization"):
            yaml_files.append(Path(current, name))
    links.extend(Path(current, name) for name, is_link in dirs if is_link)
    links.extend(Path(current, name) for name, is_link in sorted(files) if is_link)
    for name, is_link in dirs:
        if not is_link:
            _walk_tree(
                os.path.join(current, name),
                yaml_here and (not name.startswith(".") or name == ".tekton"),
                yaml_files,
                links,
            )


def _matching_document(yaml_file: YamlFile, data: dict) -> Document | None:
    """The source document a rendered object came from: same kind, then the closest name."""
    kind = data.get("kind")
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    same_kind = [d for d in yaml_file.documents if isinstance(d.data, dict) and d.data.get("kind") == kind]
    if len(same_kind) <= 1:
        return same_kind[0] if same_kind else None
    for document in same_kind:
        source_name = (
            (document.data.get("metadata") or {}).get("name")
            if isinstance(document.data.get("metadata"), dict)
            else None
        )
        if isinstance(source_name, str) and isinstance(name, str) and source_name and source_name in name:
            return document
    return same_kind[0]


def unit_from_render(
    result: RenderResult,
    tree: SourceTree,
    label: str,
    stream: str | None = None,
    card: Document | None = None,
    foreign: bool = False,
    graph: kz.Closure | None = None,
) -> Unit:
    """A rendered stream as a unit. `graph`: its closure, when the caller has it already."""
    objects = []
    for rendered in result.objects:
        doc = None
        shown = ""
        if rendered.origin:
            source = tree.file(rendered.origin)
            shown = source.path
            doc = _matching_document(source, rendered.data)
        objects.append(Obj(rendered.data, shown, doc))
    if graph is None:
        graph = kz.closure(result.directory)
    selection = patches.Selection(objects)
    patches.attach(graph, selection, tree.file)  # before replacements, which kustomize applies after patches
    _attach_provenance(graph, selection, tree)
    read, kustomizations = kustomization_documents(graph, tree)
    _attach_namespace(objects, read, kustomizations, result.directory)
    return Unit(
        label,
        objects,
        stream=stream,
        card=card,
        foreign=foreign,
        rendered=True,
        directory=result.directory,
        kustomizations=kustomizations,
        kustomization_files=read,
        remote_error=result.remote_error,
    )


def _in_order(paths: Iterable[Path]) -> list[Path]:
    """`sorted(paths)`, the order of Path comparisons, with each path's parts taken once
    (200 streams' closures of 100 files each: Path.__lt__ was a tenth of a changed check)."""
    return sorted(paths, key=lambda path: path.parts)


def kustomization_documents(graph: kz.Closure, tree: SourceTree) -> tuple[list[Path], list[Document]]:
    """The kustomization files a build reads (those that parse), and their documents."""
    read = [path for path in _in_order(graph.files) if path.name in kz.NAMES and tree.file(path).documents]
    return read, [tree.file(path).documents[0] for path in read]


def _attach_namespace(objects: list[Obj], read: list[Path], kustomizations: list[Document], root: Path) -> None:
    """A namespace kustomize's `namespace:` field gave an object points back at that field, in
    the kustomization that set it (the outermost one setting the value the object has): a
    mistake there is reported once, where it is written, not at each object."""
    setting = [
        (path, doc)
        for path, doc in zip(read, kustomizations, strict=True)
        if isinstance(doc.data, dict) and isinstance(doc.data.get("namespace"), str)
    ]
    if not setting:
        return
    setting.sort(key=lambda entry: entry[0].parent != root)  # the build's own kustomization first
    target = ("metadata", "namespace")
    for obj in objects:
        namespace = get(obj.data, *target)
        if not isinstance(namespace, str) or (obj.doc is not None and get(obj.doc.data, *target) == namespace):
            continue  # written in the object itself
        found = next((doc for _, doc in setting if doc.data["namespace"] == namespace), None)
        if found is not None and obj.claim(target) is None:
            obj.provenance.append(Provenance(target, found, ("namespace",)))


def _attach_provenance(graph: kz.Closure, selection: patches.Selection, tree: SourceTree) -> None:
    """Values copied by kustomize `replacements` point back at their source (a stream card)."""
    if not graph.replacements:
        return
    sources = [tree.file(path) for path in _in_order(graph.files) if path.suffix in YAML_SUFFIXES]
    for _, entry in graph.replacements:
        source = entry.get("source")
        targets = entry.get("targets")
        if not isinstance(source, dict) or not isinstance(targets, list):
            continue
        doc = _find_source(sources, source)
        if doc is None:
            continue
        source_path = kz.resolve_field_path(doc.data, str(source.get("fieldPath") or "metadata.name"))
        if source_path is None:
            continue
        for target in targets:
            if not isinstance(target, dict):
                continue
            select = target.get("select")
            for candidate in selection.of_kind(select.get("kind") if isinstance(select, dict) else None):
                if not kz.selects(select, candidate.kind, candidate.name, candidate.labels):
                    continue
                obj = candidate.obj
                for field_path in target.get("fieldPaths") or []:
                    resolved = kz.resolve_field_path(obj.data, str(field_path))
                    if resolved is not None:
                        obj.provenance.append(Provenance(resolved, doc, source_path))


def _find_source(files: list[YamlFile], source: dict) -> Document | None:
    for yaml_file in files:
        for document in yaml_file.documents:
            data = document.data
            if not isinstance(data, dict) or data.get("kind") != source.get("kind"):
                continue
            name = (data.get("metadata") or {}).get("name") if isinstance(data.get("metadata"), dict) else None
            if source.get("name") in (None, name):
                return document
    return None


def unit_from_files(files: list[YamlFile], label: str, foreign: bool = True) -> Unit:
    """Loose YAML files (no kustomize): every Kubernetes-shaped document is an object, and
    each item of a `kind: List` document is one (its positions those of the item)."""
    objects = []
    for yaml_file in files:
        for document in yaml_file.documents:
            data = document.data
            if not isinstance(data, dict) or "kind" not in data:
                continue
            if not is_list(data):
                objects.append(Obj(data, yaml_file.path, document))
                continue
            for path, item in list_items(data):
                if isinstance(item, dict) and "kind" in item:
                    objects.append(Obj(item, yaml_file.path, document, [Provenance((), document, path)]))
    return Unit(label, objects, foreign=foreign)
