"""A kustomization that kustomize cannot build.

What it does:
  Runs the real kustomize on every stream (and, in `lint`, on every kustomization no
  other one includes) and reports its error at the kustomization file, on the line that
  names what failed when that can be found: a missing resource or patch, a patch whose
  target does not exist, a YAML error in a file it reads, a cycle, a timeout.

Why:
  Argo CD runs the same build; a stream that does not build is never synced, and the
  failure shows only in the Argo CD UI, after merge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from okd_streams.model.objects import Finding, Unit

ID = "kustomize-build"
CODE = "K001"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False

_QUOTED = re.compile(r"['\"`]([^'\"`]+)['\"`]")


def _line_naming(kustomization: str, error: str) -> int:
    """The line of the kustomization naming what failed: kustomize quotes the innermost
    cause last, so quoted paths and names are tried from the end of the message."""
    try:
        lines = Path(kustomization).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    for quoted in reversed(_QUOTED.findall(error)):
        for token in (quoted, quoted.rstrip("/").split("/")[-1]):
            if len(token) < 3 or token in (".", ".."):
                continue
            for number, line in enumerate(lines, start=1):
                if token in line and not line.lstrip().startswith(("namespace:", "#")):
                    return number
    return 1


_CARD_FIELD = re.compile(r"fieldPath `([^`]+)` is missing for replacement source StreamCard")


def _card_finding(unit: Unit) -> Finding | None:
    """A card field a replacement copies is missing (or an empty list, which kustomize treats
    the same): say so at the card, in the card's terms, rather than quote kustomize."""
    found = _CARD_FIELD.search(unit.build_error or "")
    if not found or unit.card is None:
        return None
    field_path = found.group(1)
    parts = tuple(field_path.split("."))
    line, column = unit.card.pos(parts)
    return Finding(
        None,
        (),
        f"the stream card has no value at {field_path} (an empty list counts as none): "
        "base/stream-card copies it into the triggers, so the stream does not build; set it",
        file=unit.card.path,
        line=line,
        column=column,
    )


def check(unit: Unit) -> Iterator[Finding]:
    if unit.build_error is None:
        return
    card_finding = _card_finding(unit)
    if card_finding is not None:
        yield card_finding
        return
    where = unit.kustomization or unit.label
    line = _line_naming(where, unit.build_error) if where.endswith((".yaml", ".yml", "Kustomization")) else 1
    yield Finding(None, (), f"kustomize build failed: {unit.build_error}", file=where, line=line)
