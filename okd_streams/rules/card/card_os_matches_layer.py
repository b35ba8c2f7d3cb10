"""A stream card whose `os` is not the stream's OS layer.

What it does:
  Compares the stream card's `spec.os` with the name of the OS layer the stream's
  kustomization lists (the component declaring `okd-streams.io/layer: os`, named after its
  folder: `scos` for overlays/scos). Reports a difference at the card's `os:`.

Why:
  The card's `os` is what people, the catalog and the destinations read; the OS layer is
  what the stream really builds. A stream copied from another and given a new layer (or
  a new `os`) says one OS and builds the other.

Example:
  Failing (the stream lists ../../overlays/fcos)::

    spec:
      os: scos

  Passing::

    spec:
      os: fcos
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model import components as comp
from okd_streams.model.objects import Finding, Unit, get
from okd_streams.rules.card import _shared as _card

ID = "card-os-matches-layer"
CODE = "C007"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    if not unit.stream:
        return
    card = _card.card_obj(unit)
    wanted = get(card.data, "spec", "os") if card is not None else None
    if card is None or not isinstance(wanted, str) or not wanted:
        return
    own, listed = comp.listed(unit)
    layers = [entry.component for entry in listed if entry.component.layer == comp.OS]
    if len(layers) != 1 or layers[0].name == wanted:
        return  # none or several: K011's
    layer = layers[0]
    shown = own.path if own is not None else "its kustomization"
    yield Finding(
        card,
        ("spec", "os"),
        f'the stream card says os "{wanted}", but stream {unit.stream} lists the OS layer '
        f'"{layer.name}" ({layer.path}) in {shown}: set `os: {layer.name}`, or list ../../overlays/{wanted}',
    )
