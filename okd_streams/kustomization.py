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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from okd_streams.yamlio import _Loader

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_REMOTE = re.compile(r"^(https?://|git@|ssh://|github\.com/|gitlab\.com/|oci://)|\?ref=|//")


def kustomization_file(directory: Path) -> Path | None:
    for name in NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def _load(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None


def is_remote(reference: str) -> bool:
    return bool(_REMOTE.search(reference))


@dataclass
class Closure:
    """Everything one build reads: files, and the kustomization folders on the way."""

    files: set[Path] = field(default_factory=set)
    directories: set[Path] = field(default_factory=set)
    replacements: list[tuple[Path, dict]] = field(default_factory=list)  # (declared in, entry)
    remote: list[str] = field(default_factory=list)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item


def _referenced_files(data: dict) -> Iterator[str]:
    """File paths (not folders) a kustomization names, besides resources and components."""
    for key in ("patchesStrategicMerge", "configurations", "crds", "transformers", "generators", "validators"):
        yield from (value for value in _strings(data.get(key)) if "\n" not in value)
    for key in ("patches", "patchesJson6902", "replacements"):
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
    result = Closure()
    _walk(directory.resolve(), result, set())
    return result


def _walk(directory: Path, result: Closure, stack: set[Path]) -> None:
    if directory in result.directories or directory in stack:
        return
    result.directories.add(directory)
    path = kustomization_file(directory)
    if path is None:
        return
    result.files.add(path)
    data = _load(path)
    if not isinstance(data, dict):
        return
    stack = stack | {directory}
    for entry in data.get("replacements") or [] if isinstance(data.get("replacements"), list) else []:
        if isinstance(entry, dict):
            result.replacements.append((directory, entry))
    for reference in _referenced_files(data):
        if is_remote(reference):
            result.remote.append(reference)
            continue
        target = (directory / reference).resolve()
        if target.is_dir():
            _add_tree(target, result)
        else:
            result.files.add(target)
            if any(entry.get("path") == reference for entry in (data.get("replacements") or [])
                   if isinstance(entry, dict)):
                for item in _load(target) or []:
                    if isinstance(item, dict):
                        result.replacements.append((directory, item))
    for key in ("resources", "bases", "components"):
        for reference in _strings(data.get(key)):
            if is_remote(reference):
                result.remote.append(reference)
                continue
            target = (directory / reference).resolve()
            if target.is_dir():
                _walk(target, result, stack)
            else:
                result.files.add(target)


def _add_tree(folder: Path, result: Closure) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            result.files.add(path.resolve())


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
            index = next((i for i, item in enumerate(node) if isinstance(item, dict)
                          and str(item.get(key)) == wanted), None)
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
