"""Which source file each rendered object came from, found without kustomize's help.

kustomize can stamp every object with the file it was read from (`buildMetadata:
[originAnnotations]`), but that costs a third of its CPU on a stream. The build's closure
already names every resource file it reads, so each rendered object is matched to the
resource document of the same kind and name (kustomize keeps both, save for name prefixes
and suffixes and generators' hash suffixes). What matches nothing (a generated ConfigMap) is
credited to the kustomization that declares its generator, else to the stream's own
kustomization.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.render import kustomization as kz

GENERATORS = ("configMapGenerator", "secretGenerator")


@dataclass
class SourceIndex:
    """The resource documents of one build by (kind, name), and its generators by name."""

    documents: dict[tuple[str, str], list[tuple[Path, str | None]]] = field(default_factory=dict)
    by_kind: dict[str, list[tuple[str, Path, str | None]]] = field(default_factory=dict)
    generators: list[tuple[str, Path]] = field(default_factory=list)  # (generated name, declared in)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def source_index(
    resources: Iterable[Path],
    kustomizations: Iterable[Path],
    documents_of: Callable[[Path], list[Any]],
    load: Callable[[Path], Any],
) -> SourceIndex:
    """`documents_of(path)`: the data of every document in a resource file; `load(path)`: a
    kustomization's data. Files are taken in sorted order, so a tie always goes the same way."""
    index = SourceIndex()
    for path in sorted(resources):
        for data in documents_of(path):
            if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
                continue
            metadata = meta if isinstance(meta := data.get("metadata"), dict) else {}
            name, namespace = _text(metadata.get("name")) or "", _text(metadata.get("namespace"))
            index.documents.setdefault((data["kind"], name), []).append((path, namespace))
            index.by_kind.setdefault(data["kind"], []).append((name, path, namespace))
    for path in sorted(kustomizations):
        data = load(path)
        for key in GENERATORS:
            entries = data.get(key) if isinstance(data, dict) else None
            for entry in entries if isinstance(entries, list) else []:
                generated = _text(entry.get("name")) if isinstance(entry, dict) else None
                if generated:
                    index.generators.append((generated, path))
    return index


def origin_of(data: dict, index: SourceIndex) -> Path | None:
    """The source file of one rendered object, or None when nothing in the build matches it."""
    kind = _text(data.get("kind")) or ""
    metadata = meta if isinstance(meta := data.get("metadata"), dict) else {}
    name, namespace = _text(metadata.get("name")) or "", _text(metadata.get("namespace"))
    candidates = index.documents.get((kind, name))
    if not candidates:  # renamed by a namePrefix or nameSuffix: the longest source name inside it
        inside = [
            (len(source), path, ns) for source, path, ns in index.by_kind.get(kind, ()) if source and source in name
        ]
        if inside:
            longest = max(length for length, _, _ in inside)
            candidates = [(path, ns) for length, path, ns in inside if length == longest]
    if candidates:
        for path, source_namespace in candidates:  # the same object in two namespaces: the one kept
            if source_namespace == namespace:
                return path
        return candidates[0][0]
    if kind in ("ConfigMap", "Secret"):
        generated = [(len(generator), path) for generator, path in index.generators if generator in name]
        if generated:
            return max(generated)[1]
    return None


def assign(
    objects: list,
    directory: Path,
    graph: kz.Closure,
    documents_of: Callable[[Path], list[Any]],
    load: Callable[[Path], Any],
) -> None:
    """Set `origin` (an absolute path, as kustomize's annotation gave it) on rendered objects
    that have none, from the build's closure."""
    missing = [obj for obj in objects if obj.origin is None]
    if not missing:
        return
    kustomizations = [path for path in graph.files if path.name in kz.NAMES]
    index = source_index(graph.resources, kustomizations, documents_of, load)
    fallback = kz.kustomization_file(directory)
    for obj in missing:
        found = origin_of(obj.data, index) or fallback
        obj.origin = str(found) if found is not None else None
