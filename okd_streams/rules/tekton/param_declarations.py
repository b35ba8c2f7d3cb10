"""A param declaration Tekton rejects: bad type, mismatched default, bad object properties, duplicate name.

What it does:
  Checks the `params` declared by every Task, ClusterTask, Pipeline and inline spec
  (`taskSpec`, `pipelineSpec`), with the type Tekton infers when `type` is omitted
  (`properties` make an object, a list default an array, else string):
  - `type` must be `string`, `array` or `object`;
  - a `default` must have the declared type (a list of non-strings is read as a string);
  - an `object` param needs `properties`, and every property's `type` must be `string`;
  - a name may be declared once.

Why:
  The webhook refuses the object (`ValidateType`: `"array" type does not match default
  value's type: "string"`, `ValidateNoDuplicateNames`: "parameter appears more than
  once", `validateObjectParamsHaveProperties`). An object param without properties has
  no keys a step could read. (Tekton only requires `properties` on a Pipeline's object
  params when the Pipeline embeds a taskSpec; otherwise this is a warning.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Obj, Unit
from okd_streams.tekton.pipeline import PipelineSite, TaskSite, param_type, pipeline_specs, pipeline_tasks, task_specs
from okd_streams.tekton.substitution import go_value

ID = "param-declarations"
CODE = "T010"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

TYPES = ("string", "array", "object")


def _declarations(obj: Obj, path: tuple, params: Any, label: str, properties_required: bool) -> Iterator[Finding]:
    if not isinstance(params, list):
        return
    seen: dict[str, int] = {}
    for index, spec in enumerate(params):
        if not isinstance(spec, dict):
            continue
        at = path + (index,)
        name = spec.get("name")
        shown = f'param "{name}" of {label}'
        if not isinstance(name, str) or not name:
            continue  # T004 reports the name format where Tekton checks it
        if name in seen:
            yield Finding(
                obj,
                at + ("name",),
                f'param "{name}" is declared twice in {label} (params[{seen[name]}] and params[{index}]); '
                "parameter names must be unique",
            )
        else:
            seen[name] = index
        kind = param_type(spec)
        if kind not in TYPES:
            yield Finding(obj, at + ("type",), f'{shown} has type "{kind}"; use string, array or object')
            continue
        if spec.get("default") is not None:
            default_type = go_value(spec["default"])[0]
            if default_type != kind:
                hint = ""
                if isinstance(spec["default"], (list, dict)) and default_type == "string":
                    hint = " (only strings are allowed inside an array or object default)"
                article = "an" if default_type in ("array", "object") else "a"
                yield Finding(
                    obj,
                    at + ("default",),
                    f"{shown} is declared {kind} but its default is {article} {default_type}{hint}; "
                    "make the default match the type",
                )
        props = spec.get("properties")
        if isinstance(props, dict):
            bad = [
                key
                for key, prop in props.items()
                if isinstance(prop, dict) and prop.get("type") not in (None, "", "string")
            ]
            bad += [key for key, prop in props.items() if prop is not None and not isinstance(prop, dict)]
            for key in bad:
                yield Finding(
                    obj, at + ("properties", key), f'property "{key}" of object {shown} must have type string'
                )
        if kind == "object" and props is None:
            level = None if properties_required else "warning"
            note = "" if properties_required else " (Tekton accepts this Pipeline, but no step can read a key)"
            yield Finding(
                obj, at, f"object {shown} has no properties; declare its keys under `properties`{note}", level=level
            )


def check(unit: Unit) -> Iterator[Finding]:
    site: PipelineSite | TaskSite
    for site in task_specs(unit):
        yield from _declarations(
            site.obj, site.at("params"), site.spec.get("params"), site.label, site.usage_params is not None
        )
    for site in pipeline_specs(unit):
        embeds = any(
            isinstance(task.get("taskSpec"), dict) and (site.standalone or section == "tasks")
            for section, _, task in pipeline_tasks(site.spec)
        )
        yield from _declarations(site.obj, site.at("params"), site.spec.get("params"), site.label, embeds)
