"""A param `enum` Tekton rejects: on a non-string param, with a repeated value, or not containing the default.

What it does:
  Checks every param that declares `enum` in a Task, ClusterTask, Pipeline or inline
  spec: the param must be of type `string` (as Tekton infers it), no value may appear
  twice, and a non-empty `default` must be one of the values.

Why:
  Tekton's webhook rejects the object (`validateParamEnums`: "enum can only be set with
  string type param", "parameter enum value ... appears more than once", "param default
  value ... not in the enum list"). Enums also need the `enable-param-enum` feature
  flag, which this rule cannot see.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, items
from okd_streams.tekton.pipeline import PipelineSite, TaskSite, param_type, pipeline_specs, task_specs

ID = "param-enum"
CODE = "T011"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def _enums(obj: Obj, path: tuple, spec_owner: dict, label: str) -> Iterator[Finding]:
    for index, spec in items(spec_owner, "params"):
        values = spec.get("enum")
        if not isinstance(values, list) or not values:
            continue
        name = spec.get("name")
        shown = f'param "{name}" of {label}'
        at = path + ("params", index)
        kind = param_type(spec)
        if kind != "string":
            yield Finding(obj, at + ("enum",), f"{shown} is {kind} but declares an enum; only string params can")
        seen = set()
        for position, value in enumerate(values):
            text = value if isinstance(value, str) else str(value)
            if text in seen:
                yield Finding(obj, at + ("enum", position), f'{shown} lists enum value "{text}" more than once')
            seen.add(text)
        default = spec.get("default")
        if isinstance(default, str) and default and default not in seen:
            yield Finding(
                obj, at + ("default",), f'default "{default}" of {shown} is not one of its enum values {sorted(seen)}'
            )


def check(unit: Unit) -> Iterator[Finding]:
    site: PipelineSite | TaskSite
    for site in task_specs(unit):
        yield from _enums(site.obj, site.path, site.spec, site.label)
    for site in pipeline_specs(unit):
        yield from _enums(site.obj, site.path, site.spec, site.label)
