"""A field whose value has the wrong type for the object's API schema.

What it does:
  Reports a value of the wrong YAML type where the schema of the object's apiVersion and kind
  says what it must be: a string where a list belongs (`tasks: build`), a mapping where a
  list belongs (`params:` as a mapping), a string where a number or true/false belongs
  (`retries: "3"`, `suspend: "no"`), a list where a mapping belongs. The schemas are the
  ones V001 uses.

Why:
  The API server rejects the object (`must be of type array`), or Tekton's webhook cannot
  decode it (`cannot unmarshal string into Go struct field`), so the stream does not sync.
  Rules that read such a field skip it, so no other check reports it.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.rules.schema._shared import findings

ID = "field-type"
CODE = "V002"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None  # every kind with a schema: Tekton, Triggers, Argo CD and core kinds
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    yield from findings(unit, "wrong-type")
