"""A kustomization that kustomize cannot build.

What it does:
  Runs the real kustomize on every stream (and, in `lint`, on every kustomization no
  other one includes) and reports its error at the entry that names what failed, in the
  kustomization that lists it (a base or component the built one includes, when the
  mistake is there), else on the line of the built kustomization that names it: a missing
  resource or patch, a patch whose target does not exist, a YAML error in a file it reads,
  a cycle, a timeout, a remote resource that cannot be fetched. Offline, a remote resource
  is reported as a warning at the line listing it, and the rest of the build (without the
  remote entries) is checked.

Why:
  Argo CD runs the same build; a stream that does not build is never synced, and the
  failure shows only in the Argo CD UI, after merge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from okd_streams.files.loader import Document
from okd_streams.model.objects import Finding, Unit, items
from okd_streams.render.kustomization import FILE_ITEMS, FILE_LISTS, is_remote
from okd_streams.render.kustomize import OFFLINE, REMOTE_FAILED

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


def _entries(document: Document) -> Iterator[tuple[tuple, str]]:
    """(path, text) of each entry of a kustomization that names a file or folder."""
    data = document.data if isinstance(document.data, dict) else {}
    for key in ("resources", "components", "bases", *FILE_LISTS):
        for index, value in enumerate(data.get(key) or [] if isinstance(data.get(key), list) else []):
            if isinstance(value, str):
                yield (key, index), value
    for key in FILE_ITEMS:
        for index, item in items(data, key):
            if isinstance(item.get("path"), str):
                yield (key, index, "path"), item["path"]


def _entry_naming(unit: Unit, error: str) -> tuple[str, int, int] | None:
    """(file, line, column) of the entry naming what kustomize failed on, in any kustomization
    the build reads: kustomize quotes the innermost cause last, so quoted names are tried from
    the end. A name listed by more than one of them is not placed this way."""
    for quoted in reversed(_QUOTED.findall(error)):
        name = quoted.rstrip("/").rsplit("/", 1)[-1]
        if len(name) < 3 or name in (".", ".."):
            continue
        found = [
            (document, path)
            for document in unit.kustomizations
            for path, value in _entries(document)
            if value.rstrip("/").rsplit("/", 1)[-1] == name
        ]
        if len(found) == 1:
            document, path = found[0]
            return (document.path, *document.pos(path))
    return None


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
        "a component the stream lists (base/stream-card, or an opt-in one such as overlays/okd-payload) "
        "copies it into the triggers, so the stream does not build; set it (or drop that component)",
        file=unit.card.path,
        line=line,
        column=column,
    )


def _remote_findings(unit: Unit, error: str) -> Iterator[Finding]:
    """A remote resource that could not be fetched, at the line listing it. Offline, every
    remote entry is in the same case (kustomize stops at the first): each gets a warning, since
    the build may well succeed where Argo CD runs it. A fetch that failed for another reason
    (a wrong URL or ref) is an error, at the entry kustomize names."""
    offline = OFFLINE.search(error) is not None
    failed = error.rpartition("objects from '")[2].rpartition("' are not checked")[0]
    cause = error.partition(": git: ")[2].partition("; objects from")[0]
    for document in unit.kustomizations:
        for key in ("resources", "bases", "components"):
            listed = document.data.get(key) if isinstance(document.data, dict) else None
            for index, value in enumerate(listed if isinstance(listed, list) else []):
                if not isinstance(value, str) or not is_remote(value) or (not offline and value != failed):
                    continue
                line, column = document.pos((key, index))
                reason = f"git: {cause}" if value == failed else "no network"
                yield Finding(
                    None,
                    (),
                    f"remote {key[:-1] if key != 'bases' else 'base'} '{value}' {REMOTE_FAILED} ({reason}): "
                    + (
                        "its objects are not checked; the rest of the build is"
                        if offline
                        else "kustomize cannot build this; fix the URL or ref"
                    ),
                    level="warning" if offline else None,
                    file=document.path,
                    line=line,
                    column=column,
                )


def check(unit: Unit) -> Iterator[Finding]:
    if unit.remote_error is not None:
        yield from _remote_findings(unit, unit.remote_error)
    if unit.build_error is None:
        return
    card_finding = _card_finding(unit)
    if card_finding is not None:
        yield card_finding
        return
    where = unit.kustomization or unit.label
    column = 1
    entry = _entry_naming(unit, unit.build_error)
    if entry is not None:  # in the kustomization that lists it, maybe one the built one includes
        where, line, column = entry
    else:
        line = _line_naming(where, unit.build_error) if where.endswith((".yaml", ".yml", "Kustomization")) else 1
    # Offline, a remote base that cannot be fetched says nothing of the repository: a warning
    offline = REMOTE_FAILED in unit.build_error and OFFLINE.search(unit.build_error) is not None
    yield Finding(
        None,
        (),
        f"kustomize build failed: {unit.build_error}"
        + (
            "; nothing below it could be checked (it does not build without the remote entries either)"
            if offline
            else ""
        ),
        level="warning" if offline else None,
        file=where,
        line=line,
        column=column,
    )
