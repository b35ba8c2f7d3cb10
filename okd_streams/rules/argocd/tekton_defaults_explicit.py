"""A Tekton object in a stream that leaves a value to Tekton's defaulting webhook (a note).

What it does:
  For every Task, Pipeline and StepAction a stream renders, computes what Tekton's
  admission webhook adds when Argo CD applies it (okd_streams/tekton/defaults.py, from
  Tekton's SetDefaults): a param's `type`, an object param's property types, a result's
  `type`, a pipeline task's `taskRef.kind: Task`, the same inside an inline `taskSpec`.
  Notes each value the YAML leaves to the webhook. It is information, never a failure:
  Tekton accepts the object and fills the value in.

Why:
  The live object then holds values git does not. With this repository's Argo CD setup
  that shows no difference: the default (legacy, client-side) diff is a three-way diff
  against the last-applied configuration, which keeps live fields git never set, and
  server-side diff compares with a dry-run apply that runs the same webhook. Only a sync
  with the `ServerSideApply=true` option and the discontinued structured-merge diff
  (no `ServerSideDiff=true`) would report such a stream OutOfSync. Writing the values
  out keeps git equal to what the cluster stores (`kubectl get -o yaml` reads like the
  file) and safe under that configuration too; the bases do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton.defaults import missing_defaults

ID = "tekton-defaults-explicit"
CODE = "A009"
LEVEL = "info"
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
                f"{obj.kind} {obj.name}: {default.what} has no {default.field}; Tekton's webhook "
                f"stores {default.field}: {value}. Argo CD's default diff ignores it, but a sync with "
                "ServerSideApply=true without server-side diff would show the stream OutOfSync; "
                f"write {default.field}: {value} to keep git equal to the live object",
            )
