"""A `$(context...)` variable Tekton does not provide.

What it does:
  Checks context variables against the ones Tekton substitutes:
  - in the steps of a Task, ClusterTask or inline taskSpec: `context.taskRun.name`,
    `.namespace`, `.uid`, `context.task.name` and `context.task.retry-count`;
  - in pipeline task params and matrix params: `context.pipelineRun.name`, `.namespace`,
    `.uid`, `context.pipeline.name` and `context.pipelineTask.retries`.
  Sidecars and stepTemplate, and pipeline tasks other than the last of `tasks` and of
  `finally`, give warnings: Tekton's webhook does not look there (it only checks the last
  pipeline task of each list), but the variable is not replaced at run time either.

Why:
  The webhook rejects the object (`non-existent variable in "$(context.taskrun.name)"`).
  Elsewhere the text `$(context.pipeline.namespace)` reaches the step unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.containers import container_fields
from okd_streams.tekton.pipeline import (
    PipelineSite,
    TaskSite,
    param_strings,
    pipeline_specs,
    pipeline_tasks,
    task_label,
    task_params,
    task_specs,
)

ID = "context-variables"
CODE = "T023"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

TASK_CONTEXT = (
    (r"context\.taskRun", "context.taskRun", {"name", "namespace", "uid"}),
    (r"context\.task", "context.task", {"name", "retry-count"}),
)
PIPELINE_CONTEXT = (
    (r"context\.pipelineRun", "context.pipelineRun", {"name", "namespace", "uid"}),
    (r"context\.pipeline", "context.pipeline", {"name"}),
    (r"context\.pipelineTask", "context.pipelineTask", {"retries"}),
)


def _problems(text: str, table: Iterable[tuple[str, str, set[str]]]) -> list[str]:
    if "$(context." not in text:  # every pattern below is a $(context.<x>...) reference
        return []
    found = []
    for pattern, shown, known in table:
        for var in sub.unknown(text, pattern, known):
            if isinstance(var, str):
                found.append(var)
            else:
                found.append(f"{var.raw} is not a Tekton variable; {shown} has {', '.join(sorted(known))}")
    return found


def check(unit: Unit) -> Iterator[Finding]:
    note = " (Tekton's webhook does not check here, but the variable is not replaced at run time)"
    site: PipelineSite | TaskSite
    for site in task_specs(unit):
        for index, step in items(site.spec, "steps"):
            for path, text, _ in container_fields(step, site.at("steps", index), needle="$(context."):
                for problem in _problems(text, TASK_CONTEXT):
                    yield Finding(site.obj, path, f"step of {site.label}: {problem}")
        others = [(site.at("sidecars", i), c) for i, c in items(site.spec, "sidecars")]
        if isinstance(site.spec.get("stepTemplate"), dict):
            others.append((site.at("stepTemplate"), site.spec["stepTemplate"]))
        for base, container in others:
            for path, text, _ in container_fields(container, base, with_on_error=False, needle="$(context."):
                for problem in _problems(text, TASK_CONTEXT):
                    yield Finding(site.obj, path, f"{site.label}: {problem}{note}", level="warning")
    for site in pipeline_specs(unit):
        tasks = pipeline_tasks(site.spec)
        last = {
            section: max((i for s, i, _ in tasks if s == section), default=None) for section in ("tasks", "finally")
        }
        for section, index, task in tasks:
            checked = index == last[section]
            for path, param in task_params(task):
                for where, text in param_strings(param, path):
                    for problem in _problems(text, PIPELINE_CONTEXT):
                        yield Finding(
                            site.obj,
                            site.at(section, index) + where,
                            f"{task_label(task, section)} of {site.label}: {problem}" + ("" if checked else note),
                            level=None if checked else "warning",
                        )
