"""Words for findings: where in an object a path points, and types in YAML terms."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

Path = tuple[Any, ...]

# The singular a person uses for an item of a named list.
ITEM_LABELS = {
    "tasks": "pipeline task",
    "finally": "finally task",
    "steps": "step",
    "sidecars": "sidecar",
    "params": "param",
    "workspaces": "workspace",
    "results": "result",
    "env": "env var",
    "containers": "container",
    "initContainers": "init container",
    "volumes": "volume",
    "volumeMounts": "volume mount",
    "triggers": "trigger",
    "bindings": "binding",
    "interceptors": "interceptor",
    "taskRunSpecs": "task run spec",
    "ports": "port",
    "sources": "source",
    "properties": "property",
}

TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true/false",
}


def yaml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "null"
    return type(value).__name__


def expected_words(types: Iterable[str]) -> str:
    order = ["object", "array", "string", "integer", "number", "boolean"]
    words = [TYPE_WORDS[t] for t in order if t in set(types)]
    if "an integer" in words and "a number" in words:
        words.remove("an integer")
    return " or ".join(words) if words else "something else"


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def object_words(data: Any) -> str:
    kind = str(data.get("kind") or "object") if isinstance(data, dict) else "object"
    meta = data.get("metadata") if isinstance(data, dict) else None
    name = None
    if isinstance(meta, dict):
        name = meta.get("name") or meta.get("generateName")
    return f"{kind} {name}" if isinstance(name, str) and name else kind


def location(data: Any, path: Path) -> str:
    """``rest of item "name" of Kind name`` for the node at ``path``; the nearest list item
    with a ``name`` gives the context, as a person would say it."""
    obj = object_words(data)
    node = data
    item_at = -1
    items: list[str] = []  # the named items the path passes, outermost first
    for i, part in enumerate(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and i > 0 and isinstance(node, dict) and isinstance(node.get("name"), str):
            key = str(path[i - 1])
            label = ITEM_LABELS.get(key, key[:-1] if key.endswith("s") else key)
            item_at = i
            items.append(f'{label} "{node["name"]}"')
    if item_at < 0:
        rest = dotted(path)
        return f"{rest} of {obj}" if rest else obj
    # The nearest named item, and the one that holds it (a step's workspace, a pipeline task's param).
    where = " of ".join(reversed(items[-2:]))
    rest = dotted(path[item_at + 1 :])
    return f"{rest} of {where} of {obj}" if rest else f"{where} of {obj}"


def suggest(key: str, known: Iterable[str]) -> str | None:
    """The known field a misspelt ``key`` most likely meant: case-insensitive first."""
    known = list(known)
    lower = {k.lower(): k for k in known}
    if key.lower() in lower:
        return lower[key.lower()]
    close = difflib.get_close_matches(key.lower(), list(lower), n=1, cutoff=0.6)
    return lower[close[0]] if close else None
