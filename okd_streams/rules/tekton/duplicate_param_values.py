"""The same param given twice: in a pipeline task, its matrix, a PipelineRun, a TaskRun or a resolver ref.

What it does:
  Reports a param name that appears twice in one list of param values: a pipeline
  task's `params`, `matrix.params` or one `matrix.include` entry; a PipelineRun's or
  TaskRun's `spec.params` (compared case-insensitively, as Tekton does there); the
  `params` of a `taskRef`/`pipelineRef` resolver.

Why:
  Tekton's webhook rejects the object (`validateDuplicateParameters`: "parameter names
  must be unique"; `ValidateParameters`: "expected exactly one, got both"). With two
  values it is not clear which one a run would get.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.tekton.pipeline import describe, pipeline_specs, pipeline_tasks, task_label, tekton_objects

ID = "duplicate-param-values"
CODE = "T012"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun", "TaskRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def _duplicates(obj: Obj, path: tuple, params: Any, label: str, fold_case: bool = False) -> Iterator[Finding]:
    if not isinstance(params, list):
        return
    seen: dict[str, int] = {}
    for index, param in enumerate(params):
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            continue
        name = param["name"]
        key = name.lower() if fold_case else name
        if key in seen:
            first = params[seen[key]].get("name")
            case = " (Tekton compares these names ignoring case)" if fold_case and first != name else ""
            yield Finding(
                obj,
                path + (index, "name"),
                f'param "{name}" is given twice in {label} (params[{seen[key]}] and params[{index}]){case}; '
                "give each param once",
            )
        else:
            seen[key] = index


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        for section, index, task in pipeline_tasks(site.spec):
            label = f"{task_label(task, section)} of {site.label}"
            at = site.at(section, index)
            yield from _duplicates(site.obj, at + ("params",), task.get("params"), label)
            yield from _duplicates(
                site.obj, at + ("matrix", "params"), get(task, "matrix", "params"), f"the matrix of {label}"
            )
            includes = get(task, "matrix", "include")
            for j, include in enumerate(includes if isinstance(includes, list) else []):
                if isinstance(include, dict):
                    yield from _duplicates(
                        site.obj,
                        at + ("matrix", "include", j, "params"),
                        include.get("params"),
                        f"matrix include[{j}] of {label}",
                    )
            yield from _duplicates(
                site.obj,
                at + ("taskRef", "params"),
                get(task, "taskRef", "params"),
                f"the taskRef resolver params of {label}",
                fold_case=True,
            )
    for obj in tekton_objects(unit, "PipelineRun", "TaskRun"):
        label = describe(obj)
        yield from _duplicates(obj, ("spec", "params"), get(obj.data, "spec", "params"), label, fold_case=True)
        for ref in ("pipelineRef", "taskRef"):
            yield from _duplicates(
                obj,
                ("spec", ref, "params"),
                get(obj.data, "spec", ref, "params"),
                f"the {ref} resolver params of {label}",
                fold_case=True,
            )
