"""The slow path: walk an object along its schema and say what is wrong, once per mistake.

It runs only for objects the compiled validator rejects (or cannot judge, below nodes where
Go's case-insensitive decode applies). Each finding is at the deepest cause: a wrong type
stops the walk below that value, so nothing cascades from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from okd_streams.schema.store import Node, Resolver

Path = tuple[Any, ...]

QUANTITY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?(\d+(\.\d*)?|\.\d+))?$")
# Go's time.ParseDuration: a sequence of decimal numbers with units, or a plain 0.
DURATION = re.compile(r"^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$")
INT32 = (-(2**31), 2**31 - 1)


@dataclass
class Raw:
    """A finding before it has words: where, what, and the facts for the message."""

    path: Path
    kind: str
    facts: dict[str, Any] = field(default_factory=dict)


def _deref(node: Node, ci: bool, resolver: Resolver) -> tuple[Node, bool, str]:
    fmt = ""
    for _ in range(32):  # references chain a few levels at most
        if "$ref" in node:
            ref = node["$ref"]
            if ref.endswith("resource.Quantity"):
                fmt = "quantity"
            node = resolver.resolve(ref)
        elif "x-okd-decode" in node:
            ci = True
            node = resolver.resolve(node["x-okd-decode"])
        else:
            break
    return node, ci, fmt


def _types(node: Node, resolver: Resolver) -> set[str] | None:
    if node.get("x-kubernetes-int-or-string"):
        return {"integer", "string"}
    t = node.get("type")
    if t is not None:
        found = {t} if isinstance(t, str) else set(t)
        found.discard("null")
        return found
    branches = node.get("oneOf") or node.get("anyOf")
    if branches:
        union: set[str] = set()
        for b in branches:
            sub = _types(_deref(b, False, resolver)[0], resolver)
            if sub is None:
                return None
            union |= sub
        return union
    return None


def _type_ok(value: Any, types: set[str]) -> bool:
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return bool(types & {"integer", "number"})
    if isinstance(value, float):
        return "number" in types or ("integer" in types and value.is_integer())
    if isinstance(value, str):
        return "string" in types
    if isinstance(value, list):
        return "array" in types
    if isinstance(value, dict):
        return "object" in types
    return False


class Walker:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.found: list[Raw] = []

    def walk(self, value: Any, node: Node, path: Path, ci: bool) -> None:
        node, ci, fmt = _deref(node, ci, self.resolver)
        if value is None:
            return  # the API server prunes nulls of non-nullable fields; Go decodes zero
        types = _types(node, self.resolver)
        if types is not None and not _type_ok(value, types):
            self.found.append(Raw(path, "wrong-type", {"expected": sorted(types), "value": value}))
            return
        if isinstance(value, dict):
            self._object(value, node, path, ci)
        elif isinstance(value, list):
            items = node.get("items")
            if isinstance(items, dict):
                for i, item in enumerate(value):
                    self.walk(item, items, path + (i,), ci)
        else:
            self._scalar(value, node, path, fmt)

    def _object(self, value: dict[Any, Any], node: Node, path: Path, ci: bool) -> None:
        props: dict[str, Node] = node.get("properties") or {}
        addl = node.get("additionalProperties")
        preserve = node.get("x-kubernetes-preserve-unknown-fields")
        lower = {k.lower(): k for k in props} if ci else {}
        strict = addl is False or (bool(props) and addl is None and not preserve)
        for key, sub in value.items():
            name = str(key)
            if name in props:
                self.walk(sub, props[name], path + (key,), ci)
            elif ci and name.lower() in lower:
                # Go's encoding/json: an exact match first, then a case-insensitive one.
                self.walk(sub, props[lower[name.lower()]], path + (key,), ci)
            elif isinstance(addl, dict):
                self.walk(sub, addl, path + (key,), ci)
            elif strict:
                facts = {"field": name, "known": sorted(props), "decoded": ci}
                self.found.append(Raw(path + (key,), "unknown-field", facts))
        if ci:
            return  # Go's decoder has no "required": a missing field is its zero value
        for req in node.get("required") or ():
            if req not in value:
                self.found.append(Raw(path, "missing-field", {"field": req}))

    def _scalar(self, value: Any, node: Node, path: Path, fmt: str) -> None:
        enum = node.get("enum")
        if enum and value not in enum:
            self.found.append(Raw(path, "invalid-value", {"value": value, "enum": enum}))
            return
        fmt = fmt or node.get("format", "")
        pattern = node.get("pattern")
        if isinstance(value, str):
            if fmt == "quantity" or (pattern and "KMGTPE" in pattern):
                if not QUANTITY.match(value):
                    self.found.append(Raw(path, "invalid-value", {"value": value, "format": "quantity"}))
                return
            if fmt == "duration" and not DURATION.match(value):
                self.found.append(Raw(path, "invalid-value", {"value": value, "format": "duration"}))
            elif pattern and not re.search(pattern, value):
                self.found.append(Raw(path, "invalid-value", {"value": value, "pattern": pattern}))
        elif fmt == "int32" and isinstance(value, int) and not INT32[0] <= value <= INT32[1]:
            self.found.append(Raw(path, "invalid-value", {"value": value, "format": "int32"}))


def explain(data: Any, root: Node, resolver: Resolver, ci: bool = False) -> list[Raw]:
    walker = Walker(resolver)
    walker.walk(data, root, (), ci)
    return walker.found
