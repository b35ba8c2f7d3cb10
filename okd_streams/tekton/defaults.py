"""What Tekton's admission webhook writes into an object it stores (its SetDefaults).

When Argo CD applies a Task or Pipeline, the Tekton webhook adds values the YAML left
out: a param's `type`, an object param's property types, a result's `type`, a pipeline
task's `taskRef.kind`. The live object then differs from git, and because these fields
sit inside lists (`params`, `results`, `tasks`) that a CRD diff compares as a whole,
Argo CD reports the object OutOfSync forever (and with selfHeal, re-syncs it in a loop).
Writing the defaults explicitly makes the webhook's defaulting a no-op.

Emulated from tektoncd/pipeline pkg/apis/pipeline/v1 (v1beta1 is the same):
  ParamSpec.SetDefaults   type: declared, else object when `properties` is set, else the
                          default's type (array, object, anything else string), else string;
                          every property without a type gets `type: string`.
  TaskResult.SetDefaults  type: object when `properties` is set, else string; property types string.
  TaskSpec.SetDefaults    params and results (also for a pipeline task's inline taskSpec).
  PipelineTask.SetDefaults  taskRef.kind: Task when neither kind nor resolver is set.
  PipelineSpec.SetDefaults  params, tasks and finally.
  StepAction              params and results, like a Task.
Tekton Triggers' EventListener defaults (binding kind, interceptor kind) run only when
upgrading stored objects (contexts.IsUpgradeViaDefaulting), not on create or update,
and TriggerTemplate/TriggerBinding have none. TaskRun/PipelineRun defaults depend on the
cluster's config-defaults; streams do not sync runs.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

TEKTON_GROUP = "tekton.dev"


@dataclass(frozen=True)
class Default:
    """One value the webhook would add: at `path` (into the object), `field` becomes `value`."""

    path: tuple  # the mapping that gains the field (e.g. ("spec", "params", 2))
    field: str
    value: Any
    what: str  # e.g. 'param "variant"'


def _is_tekton(data: dict) -> bool:
    api_version = data.get("apiVersion")
    return isinstance(api_version, str) and api_version.rpartition("/")[0] == TEKTON_GROUP


def missing_defaults(data: Any) -> list[Default]:
    """Every value Tekton's webhook would add to this object (empty: defaulting is a no-op)."""
    if not isinstance(data, dict) or not _is_tekton(data):
        return []
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return []
    kind = data.get("kind")
    if kind in ("Task", "StepAction"):
        return list(_task_spec(spec, ("spec",), ""))
    if kind == "Pipeline":
        return list(_pipeline_spec(spec, ("spec",)))
    return []


def apply_defaults(data: Any) -> Any:
    """A copy of the object as Tekton's webhook would store it."""
    result = copy.deepcopy(data)
    for default in missing_defaults(data):
        node = result
        for key in default.path:
            node = node[key]
        node[default.field] = copy.deepcopy(default.value)
    return result


def _param_type(spec: dict) -> str:
    if "properties" in spec and spec["properties"] is not None:
        return "object"
    if "default" not in spec or spec["default"] is None:
        return "string"
    default = spec["default"]
    if isinstance(default, list):
        return "array"
    if isinstance(default, dict):
        return "object"
    return "string"


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _properties(spec: dict, path: tuple, what: str) -> Iterator[Default]:
    props = spec.get("properties")
    if not isinstance(props, dict):
        return
    for key, prop in props.items():
        if not isinstance(prop, dict):
            # A null (or odd) property decodes to an empty PropertySpec: the webhook replaces it.
            yield Default(path + ("properties",), key, {"type": "string"}, f"{what} property {key!r}")
        elif _empty(prop.get("type")):
            yield Default(path + ("properties", key), "type", "string", f"{what} property {key!r}")


def _param_specs(params: Any, path: tuple, prefix: str) -> Iterator[Default]:
    if not isinstance(params, list):
        return
    for index, spec in enumerate(params):
        if not isinstance(spec, dict):
            continue
        here = path + (index,)
        what = f'{prefix}param "{spec.get("name")}"'
        if _empty(spec.get("type")):
            yield Default(here, "type", _param_type(spec), what)
        yield from _properties(spec, here, what)


def _results(results: Any, path: tuple, prefix: str) -> Iterator[Default]:
    if not isinstance(results, list):
        return
    for index, result in enumerate(results):
        if not isinstance(result, dict):
            continue
        here = path + (index,)
        what = f'{prefix}result "{result.get("name")}"'
        if _empty(result.get("type")):
            has_properties = "properties" in result and result["properties"] is not None
            yield Default(here, "type", "object" if has_properties else "string", what)
        yield from _properties(result, here, what)


def _task_spec(spec: dict, path: tuple, prefix: str) -> Iterator[Default]:
    yield from _param_specs(spec.get("params"), path + ("params",), prefix)
    yield from _results(spec.get("results"), path + ("results",), prefix)


def _pipeline_spec(spec: dict, path: tuple) -> Iterator[Default]:
    yield from _param_specs(spec.get("params"), path + ("params",), "")
    for section in ("tasks", "finally"):
        tasks = spec.get(section)
        if not isinstance(tasks, list):
            continue
        for index, task in enumerate(tasks):
            if not isinstance(task, dict):
                continue
            here = path + (section, index)
            name = task.get("name")
            ref = task.get("taskRef")
            if isinstance(ref, dict) and _empty(ref.get("kind")) and _empty(ref.get("resolver")):
                yield Default(here + ("taskRef",), "kind", "Task", f'pipeline task "{name}" taskRef')
            inline = task.get("taskSpec")
            if isinstance(inline, dict):
                yield from _task_spec(inline, here + ("taskSpec",), f'pipeline task "{name}" taskSpec ')
