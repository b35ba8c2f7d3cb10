"""A stream lists a component without one it requires, or with one it conflicts with.

What it does:
  Reads what each component a stream lists declares in its kustomization's
  `metadata.annotations`: `okd-streams.io/requires` (component names, or `os` for any OS
  layer) and `okd-streams.io/conflicts` (component names). Reports, at the stream's
  `components:` entry, a requirement the stream's other components do not meet and each
  pair of components that conflict, naming both.

Why:
  A component written for another one (a feature patching what an OS layer sets) still
  builds without it, and two conflicting ones build too: the later patch silently wins.
  The stream then runs something nobody wrote, and only a build hours later tells.

Example:
  Failing (`overlays/hpc-gpu` says `okd-streams.io/requires: hpc`)::

    components:
      - ../../base/stream-card
      - ../../overlays/scos
      - ../../overlays/hpc-gpu

  Passing::

    components:
      - ../../base/stream-card
      - ../../overlays/scos
      - ../../overlays/hpc
      - ../../overlays/hpc-gpu

  (A stream with no OS layer at all, which `requires: os` needs, is K011's.)
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model import components as comp
from okd_streams.model.objects import Finding, Unit

ID = "component-requires"
CODE = "K010"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    if not unit.stream:
        return
    own, listed = comp.listed(unit)
    if own is None:
        return
    every = [entry.component for entry in listed]
    for position, entry in enumerate(listed):
        component = entry.component
        others = [c for c in every if c is not component]
        line, column = own.pos(("components", entry.index))
        for required in comp.unmet(component, others):
            if required == comp.OS:
                continue  # no OS layer at all: K011 reports it once for the stream
            what = f'component "{required}"'
            yield Finding(
                None,
                (),
                f'component "{component.name}" ({component.path}) requires {what}, which stream '
                f"{unit.stream} does not list: add it to `components:` before it",
                file=own.path,
                line=line,
                column=column,
            )
        for other in comp.conflicting(component, [e.component for e in listed[:position]]):
            yield Finding(
                None,
                (),
                f'components "{other.name}" ({other.path}) and "{component.name}" ({component.path}) '
                f"conflict (okd-streams.io/conflicts), yet stream {unit.stream} lists both: keep one",
                file=own.path,
                line=line,
                column=column,
            )
