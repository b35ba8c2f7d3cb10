"""A Tekton field or construct that needs a feature flag the target cluster does not enable.

What it does:
  Reports a field Tekton accepts only under a feature flag that the target in
  `.okd-streams.yaml` (`target: {tekton-feature-flags: ...}`, Tekton's defaults when unset:
  `enable-api-fields: beta`, `enable-param-enum: false`, `enable-cel-in-whenexpression:
  false`) does not turn on: `enum` on a param, `cel` in a `when` expression, a pipeline task
  with `pipelineRef` or `pipelineSpec` (pipelines in pipelines, alpha), a step's
  `stdoutConfig`, and the other alpha and beta fields listed in okd_streams/schema/gates.py,
  each with the flag and value that would allow it. With the flag on, nothing is reported.

Why:
  Tekton's webhook rejects the object ("requires "enable-api-fields" feature gate to be
  "alpha""): the stream does not sync. Either turn the flag on in the cluster's
  `feature-flags` ConfigMap and say so in the target, or do without the field.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.rules.schema._shared import findings

ID = "feature-gated"
CODE = "V005"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None  # every kind with a schema: Tekton, Triggers, Argo CD and core kinds
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    yield from findings(unit, "feature-gated")
