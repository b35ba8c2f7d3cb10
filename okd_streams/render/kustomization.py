"""Read kustomization files (without building): what files a build reads, and its replacements.

This is not a kustomize re-implementation: it only follows the references a
kustomization names (resources, components, patches, generators, configurations,
openapi, replacements, ...) so okd-streams can tell which streams a changed file affects,
key a render cache on the content of everything a build reads, and map values that
`replacements` copied back to the line they were copied from. Building is always left to
the real kustomize.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.files.read import load_file_data

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_REMOTE = re.compile(r"^(https?://|git@|ssh://|github\.com/|gitlab\.com/|oci://)|\?ref=|//")


def kustomization_file(directory: Path) -> Path | None:
    for name in NAMES:
        candidate = directory / name
        try:
            if candidate.is_file():
                return candidate
        except (OSError, ValueError):  # a folder we may not read: kustomize reports it
            return None
    return None


def declared_kind(directory: Path) -> str | None:
    """What a folder's kustomization says it is: None without one, "unreadable" when it cannot
    be read, else its kind ("Kustomization" when it names none)."""
    path = kustomization_file(directory)
    if path is None:
        return None
    data = load_file_data(path)
    if data is None:
        return "unreadable"
    kind = data.get("kind") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else "Kustomization"


def is_component(directory: Path) -> bool:
    """A Kustomize Component (kind: Component), which a stream lists under `components:`."""
    return declared_kind(directory) == "Component"


def is_remote(reference: str) -> bool:
    return bool(_REMOTE.search(reference))


@dataclass
class PatchRef:
    """One patch a kustomization applies: a file (`file`) or inline text (`inline`, at `entry_path`
    in the kustomization's document), with the entry's `target` when it has one."""

    kustomization: Path
    entry_path: tuple  # where the entry sits in the kustomization (for inline patches' positions)
    file: Path | None = None
    inline: str | None = None
    target: dict | None = None


@dataclass
class Closure:
    """Everything one build reads: files, and the kustomization folders on the way."""

    files: set[Path] = field(default_factory=set)
    directories: set[Path] = field(default_factory=set)
    resources: set[Path] = field(default_factory=set)  # the files (of `files`) named as resources
    replacements: list[tuple[Path, dict]] = field(default_factory=list)  # (declared in, entry)
    patches: list[PatchRef] = field(default_factory=list)  # in the order the walk meets them
    remote: list[str] = field(default_factory=list)
    trees: set[Path] = field(default_factory=set)  # folders read whole (a generator's or chart's folder)
    # Why the files above may not be all a build reads (remote bases, unreadable kustomizations,
    # plugin configurations naming more files): empty when they are. A render cache needs it empty.
    incomplete: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)  # top-level fields used by any kustomization on the way
    settings: set[tuple[str, Path]] = field(default_factory=set)  # ("openapi"|"configurations"|"crds", file)

    def reads(self, path: Path) -> bool:
        """Does the build read `path` (absolute)? True also for a file that no longer exists but is
        still named, inside a folder read whole, or a kustomization file of a folder on the way."""
        try:
            path = path.resolve()
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte: not a path a build reads
            return False
        if path in self.files:
            return True
        if path.name in NAMES and path.parent in self.directories:
            return True
        return any(parent in self.trees or parent in self.files for parent in path.parents)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item


# Fields of a kustomization listing files (besides resources and components), and those whose
# items name a file under `path`.
FILE_LISTS = ("patchesStrategicMerge", "configurations", "crds", "transformers", "generators", "validators")
FILE_ITEMS = ("patches", "patchesJson6902", "replacements")


def _referenced_files(data: dict) -> Iterator[str]:
    """File paths (not folders) a kustomization names, besides resources and components."""
    for key in FILE_LISTS:
        yield from (value for value in _strings(data.get(key)) if "\n" not in value)
    for key in FILE_ITEMS:
        for entry in data.get(key) or [] if isinstance(data.get(key), list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                yield entry["path"]
    openapi = data.get("openapi")
    if isinstance(openapi, dict) and isinstance(openapi.get("path"), str):
        yield openapi["path"]
    for key in ("configMapGenerator", "secretGenerator"):
        for entry in data.get(key) or [] if isinstance(data.get(key), list) else []:
            if not isinstance(entry, dict):
                continue
            for value in _strings(entry.get("files")):
                yield value.split("=", 1)[-1]
            yield from _strings(entry.get("envs"))
            yield from _strings(entry.get("env"))
    helm = data.get("helmGlobals")
    if isinstance(helm, dict) and isinstance(helm.get("chartHome"), str):
        yield helm["chartHome"]


def closure(directory: Path) -> Closure:
    """Follow a kustomization's references, depth first, each folder once."""
    return Walker().closure(directory)


# Fields naming files that hold kustomize plugin configurations, which may name further files
# okd-streams does not follow: a closure through them is not known to be complete.
_PLUGIN_KEYS = ("transformers", "generators", "validators", "helmCharts", "helmChartInflationGenerator")


@dataclass
class _Node:
    """What one folder's kustomization contributes to any closure through it (read once)."""

    kustomization: Path | None
    readable: bool = False
    replacements: list[dict] = field(default_factory=list)
    patches: list[PatchRef] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)
    trees: set[Path] = field(default_factory=set)
    file_remotes: list[str] = field(default_factory=list)
    resources: list[tuple[str, Any]] = field(default_factory=list)  # ("remote"|"dir"|"file", value)
    keys: frozenset[str] = frozenset()
    settings: set[tuple[str, Path]] = field(default_factory=set)
    incomplete: list[str] = field(default_factory=list)
    namespace: str | None = None  # the `namespace` it sets on everything it builds


class Walker:
    """Closures of many kustomizations in one run, each folder's kustomization read once.

    Streams share their bases: with one Walker, `base/kustomization.yaml` is read and its
    references resolved once however many streams include it. `load(path)` returns a
    kustomization's data (None when unreadable); pass one that reuses already-parsed files.
    Files must not change while a Walker is in use.
    """

    def __init__(self, load: Callable[[Path], Any] | None = None) -> None:
        self._load = load or load_file_data
        self._nodes: dict[Path, _Node] = {}
        self._targets: dict[str, tuple[Path, bool] | None] = {}

    def _target(self, directory: Path, reference: str) -> tuple[Path, bool] | None:
        """`_resolve(directory, reference)` and whether it is a folder, remembered: every stream
        names `../../base`, which is one folder. `directory` is resolved already, so a reference
        made of leading `..` and then plain names (no `.`, `..` or `//` after a name) names the
        same resolved path from every folder whose parents agree: the memo is keyed on that."""
        parts = reference.split("/")
        ups = 0
        while ups < len(parts) and parts[ups] == "..":
            ups += 1
        plain = reference and not reference.startswith("/") and all(p not in ("", ".", "..") for p in parts[ups:])
        key = None
        if plain:
            base = directory.parents[ups - 1] if 0 < ups <= len(directory.parents) else directory if ups == 0 else None
            if base is not None:
                key = str(base) + "/" + "/".join(parts[ups:]) if ups < len(parts) else str(base)
                if key in self._targets:
                    return self._targets[key]
        target = _resolve(directory, reference)
        found = None
        if target is not None:
            try:
                found = (target, target.is_dir())
            except (OSError, ValueError):
                found = (target, False)
        if key is not None:
            self._targets[key] = found
        return found

    def load(self, path: Path) -> Any:
        """A kustomization's data, as this walker reads it (None when unreadable)."""
        return self._load(path)

    def namespace(self, directory: Path) -> str | None:
        """The namespace the kustomization in `directory` sets, if it sets one."""
        return self._node(directory.resolve()).namespace

    def closure(self, directory: Path) -> Closure:
        result = Closure()
        self._visit(directory.resolve(), result, frozenset())
        return result

    def _visit(self, directory: Path, result: Closure, stack: frozenset[Path]) -> None:
        if directory in result.directories or directory in stack:
            return
        result.directories.add(directory)
        node = self._node(directory)
        if node.kustomization is None:
            return
        result.files.add(node.kustomization)
        if not node.readable:
            result.incomplete.append(f"{node.kustomization} cannot be read")
            return
        result.keys |= node.keys
        result.settings |= node.settings
        result.incomplete.extend(node.incomplete)
        result.remote.extend(node.file_remotes)
        result.files |= node.files
        result.trees |= node.trees
        stack = stack | {directory}
        for kind, value in node.resources:
            if kind == "remote":
                result.remote.append(value)
            elif kind == "dir":
                self._visit(value, result, stack)
            else:
                result.files.add(value)
                result.resources.add(value)
        # kustomize applies a kustomization's own patches and replacements after everything its
        # resources and components (in their order) did: listed in that order, the last applied last.
        result.replacements.extend((directory, entry) for entry in node.replacements)
        result.patches.extend(node.patches)

    def _node(self, directory: Path) -> _Node:
        node = self._nodes.get(directory)
        if node is None:
            node = self._nodes[directory] = self._read(directory)
        return node

    def _read(self, directory: Path) -> _Node:
        node = _Node(kustomization_file(directory))
        if node.kustomization is None:
            return node
        data = self._load(node.kustomization)
        if not isinstance(data, dict):
            return node
        node.readable = True
        node.keys = frozenset(key for key in data if isinstance(key, str))
        namespace = data.get("namespace")
        node.namespace = namespace if isinstance(namespace, str) and namespace else None
        replacements = listed if isinstance(listed := data.get("replacements"), list) else []
        node.replacements.extend(entry for entry in replacements if isinstance(entry, dict))
        node.patches = self._patches(directory, node.kustomization, data)
        for key in _PLUGIN_KEYS:
            if data.get(key):
                node.incomplete.append(f"{node.kustomization} uses {key}")
        for key in ("openapi", "configurations", "crds"):
            value = data.get(key)
            named = [value.get("path")] if isinstance(value, dict) else list(_strings(value))
            for reference in named:
                setting = self._target(directory, reference) if isinstance(reference, str) else None
                if setting is not None:
                    node.settings.add((key, setting[0]))
        for reference in _referenced_files(data):
            if is_remote(reference):
                node.file_remotes.append(reference)
                continue
            found = self._target(directory, reference)
            if found is None:
                continue
            target, folder = found
            if folder:
                tree = Closure()
                if _add_tree(target, tree) >= MAX_TREE_FILES:
                    node.incomplete.append(f"{target} holds too many files")
                node.trees |= tree.trees
                node.files |= tree.files
            else:
                node.files.add(target)
                if any(entry.get("path") == reference for entry in replacements if isinstance(entry, dict)):
                    loaded = self._load(target)
                    for item in loaded if isinstance(loaded, list) else []:
                        if isinstance(item, dict):
                            node.replacements.append(item)
        for key in ("resources", "bases", "components"):
            for reference in _strings(data.get(key)):
                if is_remote(reference):
                    node.resources.append(("remote", reference))
                    continue
                found = self._target(directory, reference)
                if found is None:
                    continue
                node.resources.append(("dir", found[0]) if found[1] else ("file", found[0]))
        return node

    def _patches(self, directory: Path, kustomization: Path, data: dict) -> list[PatchRef]:
        """The strategic-merge and JSON 6902 patches a kustomization names, as files or inline."""
        found = []
        for key in ("patches", "patchesJson6902", "patchesStrategicMerge"):
            entries = data.get(key)
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                if isinstance(entry, str):  # patchesStrategicMerge: a file, or the patch itself
                    entry = {"patch": entry} if "\n" in entry else {"path": entry}
                    at: tuple = (key, index)
                elif isinstance(entry, dict):
                    at = (key, index, "patch")
                else:
                    continue
                target = entry.get("target") if isinstance(entry.get("target"), dict) else None
                reference, inline = entry.get("path"), entry.get("patch")
                if isinstance(reference, str) and not is_remote(reference):
                    resolved = self._target(directory, reference)
                    if resolved is not None and not resolved[1]:
                        found.append(PatchRef(kustomization, at, file=resolved[0], target=target))
                elif isinstance(inline, str):
                    found.append(PatchRef(kustomization, at, inline=inline, target=target))
        return found


def _resolve(directory: Path, reference: str) -> Path | None:
    """`directory / reference`, resolved; None for what no file system can name (a NUL byte,
    a symlink loop): kustomize reports those."""
    try:
        return (directory / reference).resolve()
    except (OSError, RuntimeError, ValueError):
        return None


MAX_TREE_FILES = 10_000  # a folder read whole; a kustomization naming "/" must not walk the disk


def _add_tree(folder: Path, result: Closure) -> int:
    """Add the files below `folder`; returns how many entries were looked at (at most the cap)."""
    result.trees.add(folder)
    count = 0
    try:
        for count, path in enumerate(folder.rglob("*"), start=1):
            if count >= MAX_TREE_FILES:
                break
            if path.is_file():
                result.files.add(path.resolve())
    except (OSError, RuntimeError, ValueError):  # an unreadable folder: kustomize says why, if it matters
        return count
    return count


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def auxiliary_files(kustomization: Path, load: Callable[[Path], Any] | None = None) -> set[Path]:
    """Files one kustomization reads that are not resources (patches, configurations,
    openapi, replacements, generator inputs): partial objects or kustomize settings."""
    data = (load or load_file_data)(kustomization)
    found: set[Path] = set()
    if not isinstance(data, dict):
        return found
    for reference in _referenced_files(data):
        if is_remote(reference):
            continue
        target = _resolve(kustomization.parent, reference)
        if target is not None and not _is_dir(target):
            found.add(target)
    return found


def parse_field_path(field_path: str) -> list[str]:
    """kustomize's dotted field path, keeping `[name=x]` selectors whole."""
    parts, current, depth = [], "", 0
    for char in field_path:
        if char == "." and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "["
        depth -= char == "]"
        current += char
    parts.append(current)
    return [part for part in parts if part]


def resolve_field_path(data: Any, field_path: str) -> tuple | None:
    """Turn a kustomize field path into a concrete path of keys and indexes in `data`."""
    path: list = []
    node = data
    for part in parse_field_path(field_path):
        if part.startswith("[") and part.endswith("]") and "=" in part:
            key, _, wanted = part[1:-1].partition("=")
            if not isinstance(node, list):
                return None
            index = next(
                (i for i, item in enumerate(node) if isinstance(item, dict) and str(item.get(key)) == wanted), None
            )
            if index is None:
                return None
            path.append(index)
            node = node[index]
        elif isinstance(node, list) and part.isdigit():
            index = int(part)
            if index >= len(node):
                return None
            path.append(index)
            node = node[index]
        elif isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        else:
            return None
    return tuple(path)


def selects(select: Any, kind: str, name: str, labels: dict) -> bool:
    """Does a replacement/patch `select` match an object? (kind, name, labelSelector k=v)."""
    if not isinstance(select, dict):
        return False
    if select.get("kind") not in (None, kind):
        return False
    if select.get("name") not in (None, name):
        return False
    selector = select.get("labelSelector")
    if isinstance(selector, str):
        for term in filter(None, (t.strip() for t in selector.split(","))):
            key, _, value = term.partition("=")
            if labels.get(key.strip()) != value.strip():
                return False
    return True
