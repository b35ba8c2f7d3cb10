"""A TaskRun Tekton rejects: bad timeout, unknown status, statusMessage without status.

What it does:
  Checks each TaskRun: `spec.timeout` must be a non-negative Go duration (`"30m"`,
  `"0"` for none); `spec.status`, when set, must be `TaskRunCancelled`; and
  `spec.statusMessage` needs `spec.status`; `computeResources` may not be set both for the
  whole Task and for a step (`stepSpecs`, v1beta1 `stepOverrides`).

Why:
  Tekton's webhook rejects the TaskRun (`TaskRunSpec.Validate`: "should be >= 0",
  "should be TaskRunCancelled", "statusMessage should not be set if status is not
  set"); a duration Go cannot parse is refused when the object is decoded.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton.containers import step_resources_twice
from okd_streams.tekton.duration import parse_duration
from okd_streams.tekton.pipeline import describe, tekton_objects

ID = "taskrun-spec"
CODE = "T091"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("TaskRun",)  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


_TWICE = (
    'computeResources of {label} is set for the whole Task and for step "{step}" too: Tekton takes one '
    'or the other ("expected exactly one, got both"); keep one'
)


def check(unit: Unit) -> Iterator[Finding]:
    for obj in tekton_objects(unit, "TaskRun"):
        label = describe(obj)
        timeout = obj.spec.get("timeout")
        if isinstance(timeout, str):  # another type is the schema stage's finding (V002)
            seconds = parse_duration(timeout)
            if seconds is None:
                hint = " (Go has no days; write hours, e.g. 24h)" if isinstance(timeout, str) and "d" in timeout else ""
                yield Finding(obj, ("spec", "timeout"), f'timeout "{timeout}" of {label} is not a Go duration{hint}')
            elif seconds < 0:
                yield Finding(obj, ("spec", "timeout"), f'timeout "{timeout}" of {label} is negative')
        step = step_resources_twice(obj.spec)
        if step is not None:
            yield Finding(obj, ("spec", "computeResources"), _TWICE.format(label=label, step=step))
        status = obj.spec.get("status")
        if status not in (None, "") and status != "TaskRunCancelled":
            yield Finding(
                obj,
                ("spec", "status"),
                f'status "{status}" of {label} is not valid; the only value is TaskRunCancelled',
            )
        if status in (None, "") and obj.spec.get("statusMessage") not in (None, ""):
            yield Finding(obj, ("spec", "statusMessage"), f"{label} sets statusMessage without status")
