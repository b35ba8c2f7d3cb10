"""A Tekton object in a stream that leaves a value to Tekton's defaulting webhook.

What it does:
  For every Task, Pipeline and StepAction a stream renders, computes what Tekton's
  admission webhook would add when Argo CD applies it (okd_streams/tekton/defaults.py,
  from Tekton's SetDefaults): a param's `type`, an object param's property types, a
  result's `type`, a pipeline task's `taskRef.kind: Task`, the same inside an inline
  `taskSpec`. Reports each value the YAML leaves to the webhook.

Why:
  Argo CD compares git with the live object. These defaults sit inside lists (`params`,
  `results`, `tasks`) that it compares as a whole, so the stream never becomes Synced and
  self-heal re-applies it forever. Writing them out makes the webhook's defaulting a
  no-op; it is simpler and more honest than hiding the fields with ignoreDifferences.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton.defaults import missing_defaults

ID = "tekton-defaults-explicit"
CODE = "A009"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    if unit.stream is None or not unit.rendered:
        return
    for obj in unit.objects:
        for default in missing_defaults(obj.data):
            value = json.dumps(default.value) if not isinstance(default.value, str) else default.value
            yield Finding(
                obj,
                default.path,
                f"{obj.kind} {obj.name}: {default.what} has no {default.field}; "
                f"Tekton's webhook stores {default.field}: {value}, so the live object never matches "
                "git and Argo CD shows the stream OutOfSync for good (and self-heals it in a loop). "
                f"Write {default.field}: {value}",
            )
