"""What rules look at: Kubernetes objects grouped into units, each object knowing its source.

A *unit* is a set of objects that must make sense together: one rendered stream, one
rendered kustomization of a foreign tree, or the loose YAML files of a lint path. Rules
never read files; they ask an object where a field came from (`Obj.at`), and get the
source file and line, following the object's origin (`okd_streams.render.origins`) and the
replacements that copied values in from a stream card.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from okd_streams.files.loader import Document


@dataclass
class Provenance:
    """Values at `target` (a path in the rendered object) were copied from `source` in `doc`."""

    target: tuple
    doc: Document
    source: tuple


@dataclass(eq=False)
class Obj:
    data: dict
    file: str  # display path of the source file ("" when unknown)
    doc: Document | None = None
    provenance: list[Provenance] = field(default_factory=list)

    @property
    def kind(self) -> str:
        kind = self.data.get("kind")
        return kind if isinstance(kind, str) else ""

    @property
    def api_version(self) -> str:
        value = self.data.get("apiVersion")
        return value if isinstance(value, str) else ""

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def metadata(self) -> dict:
        meta = self.data.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        name = self.metadata.get("name")
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str:
        namespace = self.metadata.get("namespace")
        return namespace if isinstance(namespace, str) else ""

    @property
    def spec(self) -> dict:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def disabled(self) -> frozenset[str]:
        return self.doc.disabled if self.doc else frozenset()

    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.name else self.kind or "object"

    def claim(self, path: tuple) -> Provenance | None:
        """The patch (or card value) that produced the value at `path`, if any."""
        best = None
        for prov in self.provenance:  # the deepest claim; of equal ones, the last applied
            if path[: len(prov.target)] == prov.target and (best is None or len(prov.target) >= len(best.target)):
                best = prov
        return best

    def disabled_at(self, path: Iterable = ()) -> frozenset[str]:
        """The waivers for a finding at `path`: the object's document's, and those of the patch
        document that produced the value (where the finding is reported)."""
        if not self.provenance:
            return self.disabled
        best = self.claim(tuple(path))
        return self.disabled | best.doc.disabled if best is not None else self.disabled

    def at(self, path: Iterable = ()) -> tuple[str, int, int]:
        """Source file, line and column that produced the value at `path`."""
        path = tuple(path)
        best = self.claim(path) if self.provenance else None
        if best is not None:
            rest = path[len(best.target) :]
            if rest:
                rest = source_path(get(self.data, *best.target), get(best.doc.data, *best.source), rest)
            line, column = best.doc.pos(best.source + rest)
            return best.doc.path, line, column
        if self.doc is None:
            return self.file, 1, 1
        if self.doc.data is not self.data:
            path = source_path(self.data, self.doc.data, path)
        line, column = self.doc.pos(path)
        return self.doc.path, line, column


@dataclass
class Unit:
    """Objects checked together. `stream` names the stream, or is None for a lint set."""

    label: str
    objects: list[Obj]
    stream: str | None = None
    card: Document | None = None
    foreign: bool = False
    rendered: bool = False  # True when the objects come out of kustomize
    build_error: str | None = None  # kustomize's message when the build failed
    remote_error: str | None = None  # the objects lack the remote resources: why they could not be fetched
    kustomization: str | None = None  # display path of the kustomization file built
    directory: Any = None  # pathlib.Path of the kustomization folder built, when rendered
    kustomizations: list[Document] = field(default_factory=list)  # every kustomization the build read
    kustomization_files: list[Any] = field(default_factory=list)  # their absolute pathlib.Paths, in order
    target: Any = None  # okd_streams.schema.Target the checks judge against (the engine sets it)
    # Objects of the other units of the same lint set (its kustomization renders), which a
    # reference from this unit may name but which are checked in their own unit.
    neighbours: list[Obj] = field(default_factory=list, repr=False, compare=False)
    _index: dict[tuple[str, str], list[Obj]] = field(default_factory=dict, repr=False)
    _kinds: list[str] = field(default_factory=list, repr=False)  # objects' kinds, in order
    _views: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)  # see memo(), view()
    _by_kinds: dict[tuple[str, ...], list[Obj]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for obj in self.objects:
            kind = obj.kind
            self._kinds.append(kind)
            self._index.setdefault((kind, obj.name), []).append(obj)

    def of_kind(self, *kinds: str) -> Iterator[Obj]:
        if len(self._kinds) != len(self.objects):  # objects added after the unit was made
            return (obj for obj in self.objects if obj.kind in kinds)
        found = self._by_kinds.get(kinds)
        if found is None:  # most rules ask for the kinds they read: each selection is made once
            found = self._by_kinds[kinds] = [
                obj for obj, kind in zip(self.objects, self._kinds, strict=True) if kind in kinds
            ]
        return iter(found)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()`, once per key: values derived from the objects, which rules only read."""
        if len(self._kinds) != len(self.objects):  # objects added after the unit was made
            return compute()
        if key not in self._views:
            self._views[key] = compute()
        return self._views[key]

    def view(self, compute: Callable[..., Iterator], *args: Any) -> Iterable:
        """The items of generator `compute(self, *args)`, computed once: many rules ask for the
        same derived views of the objects (task specs, pipeline specs ...), and only read them."""
        if len(self._kinds) != len(self.objects):
            return compute(self, *args)
        key = (compute, args)
        found = self._views.get(key)
        if found is None:
            try:
                found = tuple(compute(self, *args))
            except Exception:  # noqa: BLE001 - hostile input: each rule meets the error where it
                return compute(self, *args)  # would without the view, after the same items
            self._views[key] = found
        return found

    def find(self, kind: str, name: str) -> Obj | None:
        found = self._index.get((kind, name))
        return found[0] if found else None

    def find_all(self, kind: str, name: str) -> list[Obj]:
        return self._index.get((kind, name), [])

    def find_near(self, kind: str, name: str) -> list[Obj]:
        """`find_all`, and the neighbours of that kind and name: what a reference may mean."""
        own = self._index.get((kind, name), [])
        if not self.neighbours:
            return own
        index = self.memo(("neighbour index",), self._neighbour_index)
        return own + index.get((kind, name), [])

    def _neighbour_index(self) -> dict[tuple[str, str], list[Obj]]:
        index: dict[tuple[str, str], list[Obj]] = {}
        for obj in self.neighbours:
            index.setdefault((obj.kind, obj.name), []).append(obj)
        return index


@dataclass
class Finding:
    """What a rule yields: an object (or a file), a path in it, and a message."""

    obj: Obj | None
    path: tuple
    message: str
    level: str | None = None  # overrides the rule's level for this finding
    file: str | None = None  # for findings on a file rather than an object
    line: int = 1
    column: int = 1


def source_path(rendered: Any, source: Any, path: tuple) -> tuple:
    """`path` in a rendered value, as a path in the source it came from: an item of a list of
    named items (Tekton's params, tasks, steps...) is found by its name, since a patch may have
    added items before it. Stops at the list when the source has no item of that name."""
    found: list = []
    for step in path:
        if isinstance(step, int) and isinstance(rendered, list) and isinstance(source, list):
            item = rendered[step] if -len(rendered) <= step < len(rendered) else None
            name = item.get("name") if isinstance(item, dict) else None
            if name is not None:
                step = next((i for i, s in enumerate(source) if isinstance(s, dict) and s.get("name") == name), -1)
                if step < 0:
                    return tuple(found)
            rendered, source = item, source[step] if -len(source) <= step < len(source) else None
        else:
            rendered = get(rendered, step)
            source = get(source, step)
        found.append(step)
    return tuple(found)


def get(data: Any, *path: Any, default: Any = None) -> Any:
    """Walk dicts and lists safely: fields of the wrong type read as absent."""
    for key in path:
        if isinstance(key, int):
            if not isinstance(data, list) or not -len(data) <= key < len(data):
                return default
            data = data[key]
        else:
            if not isinstance(data, dict) or key not in data:
                return default
            data = data[key]
    return data


def items(data: Any, *path: Any) -> Iterator[tuple[int, dict]]:
    """(index, item) for each mapping in the list at `path`; anything else is skipped."""
    if len(path) == 1 and isinstance(data, dict) and isinstance(path[0], str):
        value = data.get(path[0])  # the common case, as `get` would read it, at less cost
    else:
        value = get(data, *path)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


@dataclass(frozen=True)
class FileContext:
    """What file-scope rules know besides the file: the tree it belongs to."""

    root: Any  # pathlib.Path of the checked tree
    foreign: bool = False
    kustomization_files: frozenset[str] = frozenset()  # display paths of kustomization files
    unincluded: frozenset[str] = frozenset()  # YAML files no kustomization of the tree includes
    # files kustomizations read as patches, configurations, openapi, replacements, generator inputs
    auxiliary: frozenset[str] = frozenset()
    # Values rules derive from the tree (settings found in a folder...), see memo(): the run
    # passes one table to all its contexts, so a folder shared by many trees is read once.
    views: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()`, once per key and run: values rules derive from the tree and only read."""
        try:
            return self.views[key]
        except KeyError:
            found = self.views[key] = compute()
            return found
