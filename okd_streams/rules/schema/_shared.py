"""What the rules of the schema family share: each object checked once against its API schema
(okd_streams.schema), its issues then reported by kind, one rule per kind."""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams import schema
from okd_streams.model.objects import Finding, Obj, Unit

_DEFAULT = schema.Target()


def issues_of(unit: Unit, obj: Obj) -> list[schema.SchemaIssue]:
    """The schema issues of one object, worked out once per unit for all the family's rules."""
    target = unit.target or _DEFAULT
    return unit.memo(("schema", id(obj)), lambda: schema.check_object(obj.data, target))


def findings(unit: Unit, kind: str) -> Iterator[Finding]:
    for obj in unit.objects:
        if obj.doc is not None and not obj.doc.decodes:
            continue  # refused before any schema applies: Y001 says why, once
        for issue in issues_of(unit, obj):
            if issue.kind == kind:
                yield Finding(obj, issue.path, issue.message)
