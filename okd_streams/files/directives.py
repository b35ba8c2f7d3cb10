"""`# okd-streams: disable=CODE[,CODE] [reason="why"]` comments: found in a parsed file's text
and attached to the documents they waive codes for (okd_streams.files.loader calls `attach`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okd_streams.files.loader import YamlFile

# `# okd-streams: disable=X004,X006 reason="cosa needs /dev/kvm"`; the reason is optional here
# (rules that demand one say so: see okd_streams/rules/security/waiver_without_reason.py).
_DIRECTIVE = re.compile(
    r"#\s*okd-streams:\s*disable=(?P<codes>[A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)"
    r"""(?:\s+reason=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']\S*)))?"""
)


@dataclass(frozen=True)
class Directive:
    """One `# okd-streams: disable=CODE[,CODE] [reason="..."]` comment."""

    line: int
    column: int
    codes: tuple[str, ...]
    reason: str | None


def parse_directive(line: str) -> tuple[tuple[str, ...], str | None, int] | None:
    """(codes, reason or None, 1-based column) of a disable directive in `line`, if any."""
    match = _DIRECTIVE.search(line)
    if not match:
        return None
    codes = tuple(c.strip() for c in match.group("codes").split(",") if c.strip())
    reason = (
        match.group("dq")
        if match.group("dq") is not None
        else match.group("sq")
        if match.group("sq") is not None
        else match.group("bare")
    )
    reason = reason.strip() if reason else None
    return codes, reason or None, match.start() + 1


def attach(result: YamlFile) -> None:
    """`# okd-streams: disable=CODE [reason="why"]` inside a document silences CODE for it."""
    if "okd-streams:" not in result.text:
        return
    for number, line in enumerate(result.text.splitlines(), start=1):
        found = parse_directive(line)
        if not found:
            continue
        codes, reason, column = found
        result.directives.append(Directive(number, column, codes, reason))
        if not result.documents:
            continue
        # A comment above the first key belongs to the document that follows it.
        target = next((d for d in result.documents if number <= d.end_line), result.documents[-1])
        target.disabled = target.disabled | frozenset(codes)
        if reason:
            target.reasons = {**target.reasons, **dict.fromkeys(codes, reason)}
