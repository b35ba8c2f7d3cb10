"""Which patch put a value into a rendered object, so a finding lands in the file that was edited.

kustomize says which resource file an object came from (`okd_streams.render.origins`), not
which patch changed it. A strategic-merge patch is walked beside the object it patched:
a key the source document lacks, or a scalar the patch sets, is credited to the patch; a
list item of a name-keyed Tekton list (params, tasks, steps...) that the source lacks is
credited whole. A JSON 6902 `add`/`replace` is credited at the path it names. What the
patch only passes through on its way down (`spec`, `tasks`) stays with the source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from okd_streams.files.loader import Document, YamlFile, parse_text
from okd_streams.model.objects import Obj, Provenance
from okd_streams.render import kustomization as kz

_IDENTITY = {"apiVersion", "kind"}  # how a patch names its target, not what it changes


class Selectable(NamedTuple):
    obj: Obj
    kind: str
    name: str  # as rendered
    names: set[str]  # as rendered and as in its source (a namePrefix renames it)
    labels: dict


class Selection:
    """A render's objects by kind, each with its names (now and in its source) and labels
    worked out once: the patches and replacements of a stream each select among them, a few
    hundred selections per stream, which looked at every object in turn."""

    def __init__(self, objects: list[Obj]) -> None:
        self.entries: list[Selectable] = []
        self.by_kind: dict[str, list[Selectable]] = {}
        for obj in objects:
            labels = found if isinstance(found := obj.metadata.get("labels"), dict) else {}
            entry = Selectable(obj, obj.kind, obj.name, _names(obj), labels)
            self.entries.append(entry)
            self.by_kind.setdefault(entry.kind, []).append(entry)

    def of_kind(self, kind: Any) -> list[Selectable]:
        """The entries a selection naming `kind` may match (None: any kind)."""
        if kind is None:
            return self.entries
        return self.by_kind.get(kind, []) if isinstance(kind, str) else []


def attach(graph: kz.Closure, selection: Selection, file_of: Callable[[Path], YamlFile]) -> None:
    """Add a `Provenance` to each selected object for every value a patch of the build set in it."""
    for ref in graph.patches:
        for document in _documents(ref, file_of):
            data = document.data
            if isinstance(data, list):
                for obj in _targets(selection, ref.target, None):
                    _credit_operations(obj, document, data)
            elif isinstance(data, dict):
                for obj in _targets(selection, ref.target, data):
                    source = obj.doc.data if obj.doc is not None else None
                    for rendered_path, patch_path in _merged(data, source, obj.data, (), (), top=True):
                        obj.provenance.append(Provenance(rendered_path, document, patch_path))


def _documents(ref: kz.PatchRef, file_of: Callable[[Path], YamlFile]) -> list[Document]:
    if ref.file is not None:
        return file_of(ref.file).documents
    if ref.inline is None:
        return []
    host = file_of(ref.kustomization)
    if not host.documents:
        return []
    line, column = host.documents[0].pos(ref.entry_path)
    parsed = parse_text(ref.inline, host.path)
    first, indent = _block_start(host.text, line)
    documents = []
    for document in parsed.documents:
        if first is None:  # a quoted or flow string: every value is at the entry
            marks = dict.fromkeys(document.marks, (line, column))
        else:
            marks = {path: (row + first - 1, col + indent) for path, (row, col) in document.marks.items()}
        documents.append(
            Document(host.path, document.index, document.data, marks, document.start_line, document.end_line)
        )
    return documents


def _block_start(text: str, line: int) -> tuple[int | None, int]:
    """(first line, indentation) of a block scalar whose key is on `line`, or (None, 0)."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None, 0
    head = lines[line - 1].split("#", 1)[0].rstrip()
    if not head.endswith(("|", "|-", "|+", ">", ">-", ">+")):
        return None, 0
    for number in range(line, len(lines)):
        content = lines[number]
        if content.strip():
            return number + 1, len(content) - len(content.lstrip(" "))
    return None, 0


def _names(obj: Obj) -> set[str]:
    """The object's name now and in its source (a namePrefix renames it; patches may use either)."""
    names = {obj.name}
    if obj.doc is not None and isinstance(obj.doc.data, dict):
        metadata = obj.doc.data.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
            names.add(metadata["name"])
    return names


def _targets(selection: Selection, target: dict | None, body: dict | None) -> Iterator[Obj]:
    if target is not None:
        kind = target.get("kind") if isinstance(target, dict) else None
        for entry in selection.of_kind(kind):
            if any(kz.selects(target, entry.kind, name, entry.labels) for name in entry.names):
                yield entry.obj
    elif body is not None:
        metadata = body.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        for entry in selection.of_kind(body.get("kind")) if body.get("kind") is not None else ():
            if name in entry.names:
                yield entry.obj


def _named_index(items: list, name: Any) -> int | None:
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == name:
            return index
    return None


def _merged(
    patch: dict, source: Any, rendered: dict, rendered_path: tuple, patch_path: tuple, top: bool = False
) -> Iterator[tuple[tuple, tuple]]:
    """(rendered path, patch path) of each value the strategic-merge `patch` brought."""
    for key, value in patch.items():
        if not isinstance(key, str) or key.startswith("$") or key not in rendered:
            continue
        if top and key in _IDENTITY:
            continue
        below = rendered[key]
        before = source.get(key) if isinstance(source, dict) else None
        at_rendered, at_patch = rendered_path + (key,), patch_path + (key,)
        if isinstance(value, dict) and isinstance(below, dict) and (isinstance(before, dict) or top):
            yield from _merged(value, before, below, at_rendered, at_patch)
        elif (
            isinstance(value, list)
            and isinstance(below, list)
            and isinstance(before, list)
            and all(isinstance(item, dict) and "name" in item for item in value)
        ):
            for index, item in enumerate(value):
                found = _named_index(below, item["name"])
                if found is None:
                    continue
                earlier = _named_index(before, item["name"])
                if earlier is None:  # a new item: all of it is the patch's
                    yield at_rendered + (found,), at_patch + (index,)
                else:
                    yield from _merged(item, before[earlier], below[found], at_rendered + (found,), at_patch + (index,))
        elif not (isinstance(source, dict) and key in source and before == value):  # not a restatement
            yield at_rendered, at_patch


def _credit_operations(obj: Obj, document: Document, operations: list) -> None:
    """JSON 6902: an `add` or `replace` is credited at the path it names."""
    for index, operation in enumerate(operations):
        if not isinstance(operation, dict) or operation.get("op") not in ("add", "replace"):
            continue
        path = _pointer(obj.data, operation.get("path"))
        if path is not None:
            obj.provenance.append(Provenance(path, document, (index, "value")))


def _pointer(data: Any, pointer: Any) -> tuple | None:
    """A JSON pointer as a path into `data` (`-` is the last item, where an add appended it)."""
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        return None
    path: list = []
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(data, list):
            if token == "-":
                index = len(data) - 1
            elif token.isdigit():
                index = int(token)
            else:
                return None
            if not 0 <= index < len(data):
                return None
            path.append(index)
            data = data[index]
        elif isinstance(data, dict) and token in data:
            path.append(token)
            data = data[token]
        else:
            return None
    return tuple(path)
