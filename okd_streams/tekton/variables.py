"""`$(...)` variable references, parsed the way Tekton's substitution package reads them.

Tekton accepts `$(params.name)`, `$(params["name"])`, `$(params['name'])`, with an
optional `[*]` or `[N]` suffix, and for object params `$(params.obj.key)`. Other prefixes:
tasks, finally, results, workspaces, context, steps, step, tt (Triggers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# One reference: $( then anything but parens, then ). Shell's $(cmd) is handled by callers
# only looking at known prefixes.
_REFERENCE = re.compile(r"\$\(([^()]*)\)")
_BRACKET_NAME = re.compile(r"""^\[\s*(["'])(.*?)\1\s*\]""")
_INDEX = re.compile(r"\[(\*|\d+)\]$")


@dataclass(frozen=True)
class Reference:
    raw: str  # the whole $(...)
    expression: str  # inside the parens
    prefix: str  # params, tasks, context, ...
    parts: tuple[str, ...]  # the dotted parts after the prefix (bracketed names unquoted)
    index: str | None  # "*" or a number when the reference ends in [*] / [N]
    start: int  # offset in the string

    @property
    def whole(self) -> bool:
        """`$(params.x[*])` style: the reference is the entire array."""
        return self.index == "*"


def _split(rest: str) -> tuple[str, ...] | None:
    """Split `.a.b` / `["a.b"].c` into parts; None when malformed."""
    parts: list[str] = []
    while rest:
        if rest.startswith("."):
            rest = rest[1:]
            match = re.match(r"^[^.\[]+", rest)
            if not match:
                return None
            parts.append(match.group())
            rest = rest[match.end() :]
        elif rest.startswith("["):
            match = _BRACKET_NAME.match(rest)
            if not match:
                return None
            parts.append(match.group(2))
            rest = rest[match.end() :]
        else:
            return None
    return tuple(parts)


def parse(expression: str, raw: str = "", start: int = 0) -> Reference | None:
    expression_stripped = expression.strip()
    match = re.match(r"^([A-Za-z_][A-Za-z0-9_-]*)", expression_stripped)
    if not match:
        return None
    prefix = match.group(1)
    rest = expression_stripped[match.end() :]
    index = None
    found = _INDEX.search(rest)
    if found and not _BRACKET_NAME.match(rest[found.start() :]):
        index = found.group(1)
        rest = rest[: found.start()]
    parts = _split(rest)
    if parts is None:
        return None
    return Reference(raw or f"$({expression})", expression, prefix, parts, index, start)


def references(text: str) -> Iterator[Reference]:
    """Every `$(prefix...)` reference in a string (shell `$(cmd args)` yields nothing)."""
    if "$(" not in text:
        return
    for match in _REFERENCE.finditer(text):
        expression = match.group(1)
        if " " in expression.strip():
            continue  # `$(date +%s)`: a shell command substitution, not a Tekton variable
        found = parse(expression, match.group(0), match.start())
        if found is not None:
            yield found


def strings_in(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, string) for every string inside a value, keys excluded."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, path + (index,))


def references_in(value: Any, path: tuple = (), prefix: str | None = None) -> Iterator[tuple[tuple, Reference]]:
    """(path, reference) for every reference in every string inside a value."""
    for where, text in strings_in(value, path):
        for reference in references(text):
            if prefix is None or reference.prefix == prefix:
                yield where, reference


def is_isolated(text: str, reference: Reference) -> bool:
    """True when the string is exactly the reference (e.g. an array spread `$(params.a[*])`)."""
    return text.strip() == reference.raw
