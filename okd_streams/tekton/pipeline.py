"""Where Tekton specs live in objects, and how the webhook classifies pipeline tasks.

- `tekton_objects(unit, *kinds)`: the `tekton.dev/v1` and `v1beta1` objects of those kinds
  (v1alpha1 has another shape and is left alone).
- `pipeline_specs(unit)`: every PipelineSpec — a Pipeline's `spec` and a PipelineRun's
  inline `spec.pipelineSpec` — as `PipelineSite`s.
- `pipeline_tasks(spec)`: `[(section, index, task)]` over `tasks` then `finally`, the order
  in which the webhook walks them; `task_path(site, section, index)` is its object path.
- `task_specs(unit)`: every TaskSpec the webhook validates — Task and ClusterTask `spec`,
  TaskRun `spec.taskSpec`, the inline `taskSpec` of each (non-custom) pipeline task — as
  `TaskSite`s, with the params a `$(params...)` reference may name there.
- `is_custom_task(task)`, `embedded_task_spec(task)`, `task_params(task)` (params, matrix
  params and matrix include params, as `extractAllParams`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from okd_streams.model.objects import Obj, Unit, get, items
from okd_streams.tekton.substitution import go_value

VERSIONS = ("tekton.dev/v1", "tekton.dev/v1beta1")
TASK_KINDS = ("Task", "ClusterTask")
SECTIONS = ("tasks", "finally")


def tekton_objects(unit: Unit, *kinds: str) -> Iterator[Obj]:
    for obj in unit.of_kind(*kinds):
        if obj.api_version in VERSIONS:
            yield obj


def describe(obj: Obj) -> str:
    """`Kind "name"`; a run named by generateName only as `Kind "prefix..."`."""
    if obj.name:
        return f'{obj.kind} "{obj.name}"'
    generate = obj.metadata.get("generateName")
    return f'{obj.kind} "{generate}..."' if isinstance(generate, str) and generate else obj.kind


@dataclass
class PipelineSite:
    """A PipelineSpec: `obj.data` at `path` is `spec`."""

    obj: Obj
    path: tuple
    spec: dict
    standalone: bool  # a Pipeline object (not a PipelineRun's inline pipelineSpec)
    label: str  # 'Pipeline "p"' or 'the pipelineSpec of PipelineRun "r"'
    # Its pipeline tasks (resolve.site_tasks), listed once: a dozen rules walk them.
    tasks: list | None = field(default=None, compare=False, repr=False)

    def at(self, *rest: str | int) -> tuple:
        return self.path + tuple(rest)


@dataclass
class TaskSite:
    """A TaskSpec: `obj.data` at `path` is `spec`."""

    obj: Obj
    path: tuple
    spec: dict
    label: str  # 'Task "t"', 'the taskSpec of pipeline task "build" in Pipeline "p"', ...
    standalone: bool  # Task/ClusterTask: every param and workspace it uses must be declared
    # Params a step's $(params...) may name, as ParamSpec-like dicts (None: no usage check).
    usage_params: list[dict] | None = None
    pipeline: PipelineSite | None = None  # the pipeline an inline taskSpec belongs to
    extra: dict = field(default_factory=dict)

    def at(self, *rest: str | int) -> tuple:
        return self.path + tuple(rest)


def pipeline_specs(unit: Unit) -> Iterable[PipelineSite]:
    return unit.view(_pipeline_specs)


def _pipeline_specs(unit: Unit) -> Iterator[PipelineSite]:
    for obj in tekton_objects(unit, "Pipeline"):
        if isinstance(obj.data.get("spec"), dict):
            yield PipelineSite(obj, ("spec",), obj.data["spec"], True, describe(obj))
    for obj in tekton_objects(unit, "PipelineRun"):
        spec = get(obj.data, "spec", "pipelineSpec")
        if isinstance(spec, dict):
            yield PipelineSite(obj, ("spec", "pipelineSpec"), spec, False, f"the pipelineSpec of {describe(obj)}")


def pipeline_tasks(spec: dict) -> list[tuple[str, int, dict]]:
    """(section, index, task) for every mapping in `tasks` then `finally`."""
    found = []
    for section in SECTIONS:
        for index, task in items(spec, section):
            found.append((section, index, task))
    return found


def task_name(task: dict) -> str:
    name = task.get("name")
    return name if isinstance(name, str) else ""


def names(spec: dict, section: str) -> set[str]:
    return {task_name(task) for _, task in items(spec, section)}


def task_label(task: dict, section: str = "tasks") -> str:
    kind = "finally task" if section == "finally" else "pipeline task"
    return f'{kind} "{task_name(task)}"' if task_name(task) else kind


def is_custom_task(task: dict) -> bool:
    """The webhook's classification (`PipelineTask.Validate`): an apiVersion or a kind
    other than Task makes a custom task. ClusterTask counts as a Task here, as every
    Tekton release that still served ClusterTasks did."""
    kinds = ("", "Task", "ClusterTask")
    ref = task.get("taskRef")
    if isinstance(ref, dict):
        if ref.get("kind") not in kinds and ref.get("kind") is not None:
            return True
        if ref.get("apiVersion"):
            return True
    spec = task.get("taskSpec")
    if isinstance(spec, dict) and ref is None:
        if spec.get("kind") not in kinds and spec.get("kind") is not None:
            return True
        if spec.get("apiVersion"):
            return True
    return False


def embedded_task_spec(task: dict) -> dict | None:
    """The inline TaskSpec of a regular (non-custom) pipeline task."""
    spec = task.get("taskSpec")
    if isinstance(spec, dict) and not is_custom_task(task) and task.get("taskRef") is None:
        return spec
    return None


def task_params(task: dict) -> list[tuple[tuple, dict]]:
    """(path in the task, param) for params, matrix.params and matrix.include[].params."""
    found: list[tuple[tuple, dict]] = [(("params", i), p) for i, p in items(task, "params")]
    found += [(("matrix", "params", i), p) for i, p in items(task, "matrix", "params")]
    for j, include in items(task, "matrix", "include"):
        found += [(("matrix", "include", j, "params", i), p) for i, p in items(include, "params")]
    return found


def is_matrixed(task: dict) -> bool:
    return bool(get(task, "matrix", "params")) or bool(get(task, "matrix", "include"))


def param_strings(param: dict, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path, string) for the value of a param as Tekton decodes it (string, array items, object values)."""
    kind, value = go_value(param.get("value"))
    if kind == "array":
        return [(path + ("value", i), item) for i, item in enumerate(value)]
    if kind == "object":
        return [(path + ("value", key), item) for key, item in value.items()]
    return [(path + ("value",), value)]


def _spec_from_value(param: dict) -> dict:
    """`createParamSpecFromParam`: a run's param value seen as a declaration."""
    kind, value = go_value(param.get("value"))
    spec = {"name": param.get("name"), "type": kind, "default": value}
    if kind == "object":
        spec["properties"] = {key: {"type": "string"} for key in value}
    return spec


def _combine(found: dict[str, dict], declared: dict) -> None:
    name = declared.get("name")
    if not isinstance(name, str):
        return
    if name in found:
        if isinstance(declared.get("properties"), dict) and found[name].get("type") == "object":
            found[name] = dict(found[name], properties=declared["properties"])
    else:
        found[name] = declared


def task_specs(unit: Unit) -> Iterable[TaskSite]:
    return unit.view(_task_specs)


def _task_specs(unit: Unit) -> Iterator[TaskSite]:
    for obj in tekton_objects(unit, *TASK_KINDS):
        spec = obj.data.get("spec")
        if isinstance(spec, dict):
            yield TaskSite(obj, ("spec",), spec, describe(obj), True, _list(spec.get("params")))
    for obj in tekton_objects(unit, "TaskRun"):
        spec = get(obj.data, "spec", "taskSpec")
        if isinstance(spec, dict):
            # validateInlineParameters: the TaskRun's values, then the taskSpec's declarations.
            combined: dict[str, dict] = {}
            for _, param in items(obj.data, "spec", "params"):
                if isinstance(param.get("name"), str):
                    combined[param["name"]] = _spec_from_value(param)
            for _, declared in items(spec, "params"):
                _combine(combined, declared)
            yield TaskSite(
                obj, ("spec", "taskSpec"), spec, f"the taskSpec of {describe(obj)}", False, list(combined.values())
            )
    for site in pipeline_specs(unit):
        inline_usage = pipelinerun_inline_params(site) if not site.standalone else None
        for section, index, task in pipeline_tasks(site.spec):
            spec = embedded_task_spec(task)
            if spec is None:
                continue
            label = f"the taskSpec of {task_label(task, section)} in {site.label}"
            if site.standalone:
                usage: list[dict] | None = _list(spec.get("params")) + _list(site.spec.get("params"))
            elif section == "tasks":
                usage = inline_usage
            else:
                usage = None  # finally tasks of an inline pipelineSpec: not checked by the webhook
            yield TaskSite(
                site.obj,
                site.at(section, index, "taskSpec"),
                spec,
                label,
                False,
                usage,
                site,
                {"section": section, "index": index, "task": task},
            )


def pipelinerun_inline_params(site: PipelineSite) -> list[dict]:
    """PipelineRun `validateInlineParameters`: run values, pipelineSpec params, pipeline task
    params and inline taskSpec params (of `tasks`), first declaration first."""
    combined: dict[str, dict] = {}
    for _, param in items(site.obj.data, "spec", "params"):
        if isinstance(param.get("name"), str):
            combined[param["name"]] = _spec_from_value(param)
    for _, declared in items(site.spec, "params"):
        _combine(combined, declared)
    for _, task in items(site.spec, "tasks"):
        for _, param in items(task, "params"):
            name = param.get("name")
            if not isinstance(name, str):
                continue
            if name not in combined:
                combined[name] = _spec_from_value(param)
                continue
            # appendPipelineTaskParams: an object value's keys join the declared properties,
            # so a step may read a key the pipeline task supplies and the run does not.
            kind, value = go_value(param.get("value"))
            if kind == "object":
                known = combined[name].get("properties")
                keys = dict(known) if isinstance(known, dict) else {}
                keys.update({key: {"type": "string"} for key in value})
                combined[name] = dict(combined[name], properties=keys)  # a copy: specs are the documents'
        spec = embedded_task_spec(task)
        if spec is not None:
            for _, declared in items(spec, "params"):
                _combine(combined, declared)
    return list(combined.values())


def _list(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def steps_of(spec: dict) -> list[tuple[int, dict]]:
    return list(items(spec, "steps"))


def param_type(spec: dict) -> str:
    """A ParamSpec's type as the webhook sees it after `ParamSpec.SetDefaults`: the declared
    `type` as written (even an invalid one), else object when `properties` is given, else
    the type of `default` as `ParamValue` decodes it, else string."""
    declared = spec.get("type")
    if declared is not None and declared != "":
        return declared if isinstance(declared, str) else str(declared)
    if spec.get("properties") is not None:
        return "object"
    if spec.get("default") is None:
        return "string"
    return go_value(spec.get("default"))[0]


def params_by_type(specs: list[dict]) -> tuple[set[str], set[str], dict[str, set[str]]]:
    """`sortByType`: (all names, array names, object name -> property keys)."""
    all_names: set[str] = set()
    arrays: set[str] = set()
    objects: dict[str, set[str]] = {}
    for spec in specs:
        name = spec.get("name")
        if not isinstance(name, str):
            continue
        all_names.add(name)
        kind = param_type(spec)
        if kind == "array":
            arrays.add(name)
        elif kind == "object":
            props = spec.get("properties")
            objects.setdefault(name, set()).update(props.keys() if isinstance(props, dict) else ())
    return all_names, arrays, objects
