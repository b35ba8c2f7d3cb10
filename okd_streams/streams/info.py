"""What a stream is, read from its folder without rendering: card values, components, namespace.

Used by `okd-streams list` and by the scaffolder (which namespaces are taken). Every
field is read defensively: a broken card or kustomization gives `None`/empty values
and a note in `StreamInfo.notes`, never an exception.
"""

from __future__ import annotations

import posixpath
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.files.read import load_file
from okd_streams.model.objects import get
from okd_streams.model.repo import CARD_KIND, Stream, discover_streams
from okd_streams.render import kustomization as kz

STREAM_CARD_COMPONENT = "base/stream-card"


@dataclass
class StreamInfo:
    name: str
    path: str
    description: str | None = None
    owners: list[str] = field(default_factory=list)
    os: str | None = None
    version: str | None = None
    namespace: str | None = None
    sync: str | None = None
    components: list[str] = field(default_factory=list)
    schedules: dict[str, str | None] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)  # pipeline -> name -> value
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _first_document(path: Path, kinds: tuple[str, ...] | None, notes: list[str], shown: str) -> dict | None:
    if not path.is_file():
        notes.append(f"{shown} is missing")
        return None
    loaded = load_file(path, shown)
    for issue in loaded.issues:
        notes.append(f"{shown}:{issue.line}: {issue.message}")
    for document in loaded.documents:
        if isinstance(document.data, dict) and (kinds is None or document.data.get("kind") in kinds):
            return document.data
    if not loaded.issues:
        notes.append(f"{shown} holds no {' or '.join(kinds) if kinds else 'mapping'}")
    return None


def component_name(reference: str) -> str:
    """`../../overlays/hpc` -> `hpc`; anything else as a path relative to the repository root."""
    normal = posixpath.normpath(posixpath.join("streams/x", reference))
    if normal.startswith("overlays/") and normal.count("/") == 1:
        return normal.split("/", 1)[1]
    return normal


def read_stream(stream: Stream, root: Path) -> StreamInfo:
    shown = f"streams/{stream.name}"
    info = StreamInfo(stream.name, shown)
    if stream.kustomization is None:
        info.notes.append(f"{shown} has no kustomization.yaml")
        kustomization = None
    else:
        kustomization = _first_document(stream.kustomization, None, info.notes, f"{shown}/{stream.kustomization.name}")
    if isinstance(kustomization, dict):
        info.namespace = _field(kustomization, "namespace", f"{shown}/kustomization.yaml", info.notes, "")
        components = kustomization.get("components")
        if components is not None and not isinstance(components, list):
            info.notes.append(f"{shown}/kustomization.yaml: components is not a list")
        for reference in components if isinstance(components, list) else []:
            if not isinstance(reference, str):
                info.notes.append(f"{shown}/kustomization.yaml: component {reference!r} is not a path")
            elif not kz.is_remote(reference) and component_name(reference) != STREAM_CARD_COMPONENT:
                info.components.append(component_name(reference))
    card = _first_document(stream.card_path, (CARD_KIND,), info.notes, f"{shown}/stream.yaml")
    if isinstance(card, dict):
        where = f"{shown}/stream.yaml"
        spec = card.get("spec")
        if not isinstance(spec, dict):
            info.notes.append(f"{where}: spec is not a mapping")
            spec = {}
        info.description = _field(spec, "description", where, info.notes)
        owners = spec.get("owners")
        if owners is not None and not isinstance(owners, list):
            info.notes.append(f"{where}: spec.owners is not a list")
        info.owners = [str(o) for o in owners if _text(o)] if isinstance(owners, list) else []
        info.os = _field(spec, "os", where, info.notes)
        info.version = _field(spec, "version", where, info.notes)
        info.sync = _field(spec, "sync", where, info.notes)
        if info.namespace is None:
            info.namespace = _field(spec, "namespace", where, info.notes)
        pipelines = spec.get("pipelines")
        if not isinstance(pipelines, dict):
            info.notes.append(f"{where}: spec.pipelines is not a mapping of pipeline names")
            pipelines = {}
        for pipeline, entry in pipelines.items():
            info.schedules[str(pipeline)] = _field(entry, "schedule", where, info.notes, f"spec.pipelines.{pipeline}")
            values: dict[str, Any] = {}
            params = get(entry, "params")
            if params is not None and not isinstance(params, list):
                info.notes.append(f"{where}: spec.pipelines.{pipeline}.params is not a list")
            for item in params if isinstance(params, list) else []:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    values[item["name"]] = item.get("value")
                else:
                    info.notes.append(f"{where}: a param of {pipeline} has no name: {item!r}")
            info.params[str(pipeline)] = values
    return info


def _field(data: Any, key: str, where: str, notes: list[str], prefix: str = "spec") -> str | None:
    """A scalar field as text; a note when it has the wrong type."""
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, (dict, list)):
        notes.append(f"{where}: {prefix + '.' if prefix else ''}{key} is not a single value")
        return None
    return _text(value)


def read_all(root: Path) -> list[StreamInfo]:
    return [read_stream(stream, root) for stream in discover_streams(root)]


def namespaces(root: Path) -> dict[str, str]:
    """namespace -> the stream deploying into it (a stream without one deploys into its name)."""
    taken: dict[str, str] = {}
    for info in read_all(root):
        taken.setdefault(info.namespace or info.name, info.name)
    return taken
