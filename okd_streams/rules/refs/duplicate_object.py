"""The same object twice among the objects checked together.

What it does:
  Reports objects with the same API group, kind, namespace and name (the identity the
  cluster gives them; versions of one group are one object) more than once in a unit.
  kustomize refuses duplicates of the same apiVersion, but not the same object written
  in two versions (`tekton.dev/v1` and `tekton.dev/v1beta1`), nor loose files. In a
  rendered stream this is an error; in a lint set a warning.

Why:
  Applying both, the later one silently replaces the earlier one; which one wins
  depends on the order Argo CD applies them, and the other's changes are lost.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit
from okd_streams.tekton import resolve

ID = "duplicate-object"
CODE = "R040"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    seen: dict[tuple, Obj] = {}
    level = None if resolve.unresolved_level(unit) == "error" else "warning"
    for obj in unit.objects:
        if not obj.kind or not obj.name:
            continue
        key = (obj.group, obj.kind, obj.namespace, obj.name)
        first = seen.get(key)
        if first is None:
            seen[key] = obj
            continue
        where, line, _ = first.at(("metadata", "name"))
        shown = f"{where}:{line}" if where else "earlier"
        yield Finding(
            obj,
            ("metadata", "name"),
            f'{obj.kind} "{obj.name}" is defined twice (also at {shown}); '
            "the cluster keeps only one of them: remove or rename one",
            level=level,
        )
