"""A field the object's API schema requires is missing.

What it does:
  Reports a field that the schema of the object's apiVersion and kind marks required and
  the object leaves out: a step's `name` in a Task, a ClusterRole rule's `verbs`, an
  Application's `destination`; an object with neither `metadata.name` nor
  `metadata.generateName`; a Task with no steps (Tekton's admission requires one); a Job's
  or CronJob's Pod template without `restartPolicy` (the default, Always, is refused for
  Jobs: OnFailure or Never); a Secret without the keys its `type` needs (`username` or
  `password` for basic-auth, `tls.crt` and `tls.key` for tls...). Inside a
  spec the CRD keeps unknown (an embedded `taskSpec`), Tekton decodes without requiring
  fields, and nothing is reported there.

Why:
  The API server or Tekton's webhook rejects the object, and the stream does not sync.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.rules.schema._shared import findings

ID = "required-field"
CODE = "V003"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None  # every kind with a schema: Tekton, Triggers, Argo CD and core kinds
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    yield from findings(unit, "missing-field")
