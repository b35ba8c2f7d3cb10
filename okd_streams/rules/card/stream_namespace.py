"""A stream whose rendered objects are not in the namespace its stream card names.

What it does:
  Compares the stream card's `spec.namespace` with the namespace of every namespaced
  object `kustomize build streams/<name>` renders (set by the `namespace:` of the
  stream's kustomization). Reports each other namespace once, and objects left without
  a namespace, at the card.

Why:
  Argo CD deploys the stream where its objects say; the card's namespace is what people
  (and the ApplicationSet) read. When they differ, the stream runs somewhere else than
  documented, or two streams end up sharing a namespace and overwrite each other's
  Tasks.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.rules.card import _shared as _card
from okd_streams.schema.kinds import is_cluster_scoped

ID = "stream-namespace"
CODE = "C005"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    if not unit.stream or not unit.rendered or unit.build_error is not None:
        return
    card = _card.card_obj(unit)
    wanted = get(card.data, "spec", "namespace") if card is not None else None
    if card is None or not isinstance(wanted, str) or not wanted:
        return
    others: dict[str, list[Obj]] = {}
    for obj in unit.objects:
        if is_cluster_scoped(obj.group, obj.kind) or obj.namespace == wanted:
            continue
        others.setdefault(obj.namespace, []).append(obj)
    kustomization = unit.kustomization or f"streams/{unit.stream}/kustomization.yaml"
    for namespace, objs in sorted(others.items()):
        shown = ", ".join(obj.label() for obj in objs[:3]) + (f" and {len(objs) - 3} more" if len(objs) > 3 else "")
        where = f'namespace "{namespace}"' if namespace else "no namespace"
        yield Finding(
            card,
            ("spec", "namespace"),
            f'the stream card says namespace "{wanted}", but {shown} of stream '
            f"{unit.stream} render with {where}: set `namespace: {wanted}` in {kustomization}",
        )
