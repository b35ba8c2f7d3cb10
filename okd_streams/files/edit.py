"""Comment-preserving YAML edits (ruamel.yaml round-trip) for files okd-streams writes.

Loading then dumping an unchanged file gives back the same bytes for this repository's
style (`---` first, 2-space mappings, sequences indented by 2 with `- ` inside), so an
edit changes only the lines it means to change and keeps every comment.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString

from okd_streams.files.loader import YamlError, load_one

LINE_LENGTH = 120  # .yamllint line-length max


class EditError(Exception):
    """A file that cannot be edited (not YAML, not a mapping): the message says which and why."""


def _yaml() -> YAML:
    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.indent(mapping=2, sequence=4, offset=2)
    handler.width = 4096  # never fold long strings: yamllint's line-length is the judge
    handler.explicit_start = True
    return handler


def load(text: str, where: str = "<string>") -> CommentedMap:
    """Round-trip load of a one-document YAML mapping."""
    try:
        data = _yaml().load(text)
    except (RuamelError, ValueError, TypeError, RecursionError) as exc:
        problem = getattr(exc, "problem", None)
        mark = getattr(exc, "problem_mark", None)
        if isinstance(problem, str) and problem:
            at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
            reason = problem + at
        else:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EditError(f"{where}: not valid YAML: {reason}") from None
    if not isinstance(data, CommentedMap):
        found = "nothing" if data is None else "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        raise EditError(f"{where}: expected a YAML mapping, found {found}")
    return data


def dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


_SAFE_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./@+=,-]*(:[A-Za-z0-9_./@+=,-]+)*$")
_KEYWORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def scalar(value: str) -> str:
    """A string that stays a string for every YAML reader (PyYAML, ruamel, Go's yaml in
    kustomize): plain when it is plainly text, else double-quoted."""
    if not isinstance(value, str):
        return value
    return value if _plain_ok(value) else DoubleQuotedScalarString(value)


def prose(value: str, width: int = 88) -> str:
    """A sentence for a card or README field: `scalar`, or folded (`>-`) over lines of at most
    `width` characters when longer, so a long description keeps within yamllint's line length."""
    if not isinstance(value, str) or len(value) <= width or "\n" in value or value != value.strip():
        return scalar(value)
    folded = FoldedScalarString(value)
    positions, length, index = [], 0, 0
    for word in value.split(" ")[:-1]:
        index += len(word)
        length += len(word)
        if length >= width - 20:  # fold at the next space once a line is long enough
            positions.append(index)
            length = 0
        else:
            length += 1
        index += 1
    folded.fold_pos = positions  # ruamel reads it when dumping
    return folded


def _plain_ok(value: str) -> bool:
    if _SAFE_PLAIN.match(value):
        return value.lower() not in _KEYWORDS
    if not value or value != value.strip() or any(ord(c) < 32 or c == "\x7f" for c in value):
        return False
    if value[0] in "-?:,[]{}#&*!|>'\"%@`.+" or value[0].isdigit() or value.lower() in _KEYWORDS:
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    try:
        return load_one(value, pure=True) == value
    except YamlError:
        return False


def plain(value: Any) -> Any:
    """A typed value (str, list, dict from --set) as ruamel nodes with safe quoting."""
    if isinstance(value, list):
        seq = CommentedSeq()
        seq.extend(plain(item) for item in value)
        return seq
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[str(key)] = plain(item)
        return mapping
    return scalar(value) if isinstance(value, str) else value


def comment_text(text: str) -> str:
    """A description as one comment line: whitespace collapsed."""
    return " ".join(str(text).split())


def add_item_comment(seq: CommentedSeq, index: int, key: str, text: str, indent: int) -> None:
    """Document item `index` of `seq` (a mapping) with `text`: at the end of its `key` line when
    that stays within the line length, else on a comment line above the item."""
    text = comment_text(text)
    if not text:
        return
    item = seq[index]
    line = f"{' ' * indent}- {key}: {item.get(key)}  # {text}"
    if len(line) <= LINE_LENGTH:
        item.yaml_add_eol_comment(text, key=key)
        return
    words, lines, current = text.split(), [], ""
    width = LINE_LENGTH - indent - 2
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    seq.yaml_set_comment_before_after_key(index, before="\n".join(lines), indent=indent)


def has_comment(item: Any) -> bool:
    """Does a sequence item (a mapping) carry a comment on one of its own lines?"""
    if not isinstance(item, CommentedMap):
        return False
    for entry in item.ca.items.values():
        if entry and len(entry) > 2 and entry[2] is not None and "#" in str(getattr(entry[2], "value", "")):
            return True
    return False
