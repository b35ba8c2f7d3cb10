"""A stream that lists no OS layer, or more than one.

What it does:
  Counts the components a stream's kustomization lists whose kustomization declares
  `okd-streams.io/layer: os` in its `metadata.annotations` (overlays/scos, overlays/fcos).
  Reports a second one at its `components:` entry, naming both, and a stream that lists
  none at its `components:` (when it lists components at all).

Why:
  The OS layer decides which OS the stream builds (its config repository, image names,
  release stream). Two of them both build, the later patch silently winning field by
  field: the stream builds a mix nobody wrote. None builds the base's placeholders.

Example:
  Failing::

    components:
      - ../../base/stream-card
      - ../../overlays/scos
      - ../../overlays/fcos

  Passing::

    components:
      - ../../base/stream-card
      - ../../overlays/scos
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model import components as comp
from okd_streams.model.objects import Finding, Unit

ID = "one-os-layer"
CODE = "K011"
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
    if own is None or not listed:
        return
    layers = [entry for entry in listed if entry.component.layer == comp.OS]
    if not layers:
        line, column = own.pos(("components",))
        yield Finding(
            None,
            (),
            f"stream {unit.stream} lists no OS layer: add exactly one component declaring "
            "`okd-streams.io/layer: os` (such as ../../overlays/scos) to `components:`",
            file=own.path,
            line=line,
            column=column,
        )
        return
    first = layers[0].component
    for entry in layers[1:]:
        line, column = own.pos(("components", entry.index))
        yield Finding(
            None,
            (),
            f'stream {unit.stream} lists two OS layers, "{first.name}" ({first.path}) and '
            f'"{entry.component.name}" ({entry.component.path}): a stream has exactly one; '
            "the later one's patches silently win",
            file=own.path,
            line=line,
            column=column,
        )
