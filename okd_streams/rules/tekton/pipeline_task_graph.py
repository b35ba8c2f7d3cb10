"""A pipeline task that waits for a task that does not exist, or a dependency cycle.

What it does:
  Builds the task graph of each Pipeline (and PipelineRun inline `pipelineSpec`) as
  Tekton does: a task depends on the tasks in its `runAfter` and on every task whose
  result it uses (`$(tasks.<t>.results.<r>)` in params, matrix, when, or an inline
  taskSpec's steps). Reports a dependency on a task that is not in `tasks` (a typo, a
  removed task, or a finally task — those cannot be waited on) and any dependency cycle,
  printing the cycle.

Why:
  Tekton's webhook rejects the Pipeline (`dag.Build`: "task build depends on fetch but
  fetch wasn't present in Pipeline", "cycle detected; task "a" depends on "b""). Result
  references order tasks implicitly, so a cycle can hide in a param value.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import dag
from okd_streams.tekton.pipeline import names, pipeline_specs, task_name

ID = "pipeline-task-graph"
CODE = "T040"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def dependency_path(task: dict, dep: str) -> tuple:
    """Where in `task` it comes to depend on `dep`: the runAfter entry or the string holding the reference."""
    for path, ref in dag.result_uses(task):
        if ref.task == dep:
            return path
    run_after = task.get("runAfter")
    if isinstance(run_after, list) and dep in run_after:
        return ("runAfter", run_after.index(dep))
    return ("name",)


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        tasks = list(items(site.spec, "tasks"))
        graph = dag.graph([task for _, task in tasks])
        by_name: dict[str, tuple[int, dict]] = {}
        for index, task in tasks:
            by_name.setdefault(task_name(task), (index, task))
        finally_names = names(site.spec, "finally")
        cycle = dag.find_cycle(graph)
        if cycle:
            index, task = by_name[cycle[0]]
            shown = " -> ".join(f'"{name}"' for name in cycle)
            steps = "; ".join(f'"{a}" waits for "{b}" ({graph[a][b]})' for a, b in pairwise(cycle))
            yield Finding(
                site.obj,
                site.at("tasks", index) + dependency_path(task, cycle[1]),
                f"dependency cycle in {site.label}: {shown}: {steps}; Tekton cannot order these tasks",
            )
        for name, dep, reason in dag.missing(graph):
            index, task = by_name[name]
            if dep in finally_names:
                why = f'"{dep}" is a finally task, which runs after all tasks and cannot be waited on'
            else:
                why = f'there is no task "{dep}" in tasks of {site.label}'
            yield Finding(
                site.obj,
                site.at("tasks", index) + dependency_path(task, dep),
                f'pipeline task "{name}" depends on "{dep}" ({reason}), but {why}',
            )
