"""`$(tasks.<t>.status)` or `$(tasks.status)` outside finally, or naming a task that does not exist.

What it does:
  Checks execution-status variables in pipeline task params and `when` expressions:
  in `tasks` they are not allowed at all (a task cannot read the status of another while
  the pipeline runs); in `finally`, `$(tasks.<t>.status)` and `$(tasks.<t>.reason)` must
  name a task of `tasks` (`$(tasks.status)`, the aggregate, is fine). As in Tekton, a
  param or when expression that also holds a result reference is not checked.

Why:
  Tekton's webhook rejects the Pipeline (`validateExecutionStatusVariables`: "pipeline
  tasks can not refer to execution status of any other pipeline task", "pipeline task
  bulid is not defined in the pipeline").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.pipeline import names, param_strings, pipeline_specs, task_label

ID = "execution-status-variables"
CODE = "T042"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def _is_status(expression: str) -> bool:
    return expression.startswith("tasks.") and expression.endswith((".status", ".reason"))


def _groups(task: dict) -> Iterator[tuple[tuple, list[str]]]:
    """(path, expressions) per param and per when expression, as Tekton groups them."""
    for i, param in items(task, "params"):
        texts: list[Any] = [text for _, text in param_strings(param)]
        yield ("params", i, "value"), [e for text in texts for e in sub.expressions(text)]
    for i, when in items(task, "when"):
        texts = [when.get("input"), when.get("cel")]
        values = when.get("values")
        texts += values if isinstance(values, list) else []
        yield ("when", i), [e for text in texts for e in sub.expressions(text)]


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        tasks = names(site.spec, "tasks")
        for section in ("tasks", "finally"):
            for index, task in items(site.spec, section):
                label = f"{task_label(task, section)} of {site.label}"
                for path, found in _groups(task):
                    if any(sub.looks_like_result_ref(e) for e in found):
                        continue
                    statuses = [e for e in found if _is_status(e)]
                    if section == "tasks":
                        if statuses:
                            yield Finding(
                                site.obj,
                                site.at(section, index) + path,
                                f"{label} uses $({statuses[0]}); execution status is only available to finally tasks",
                            )
                        continue
                    for expression in statuses:
                        if expression == "tasks.status":
                            continue
                        name = expression[len("tasks.") :].rsplit(".", 1)[0]
                        if name not in tasks:
                            yield Finding(
                                site.obj,
                                site.at(section, index) + path,
                                f'{label} uses $({expression}), but "{name}" is not a task in tasks of {site.label}',
                            )
