"""A `finally` section Tekton rejects: runAfter, results of finally or unknown tasks, finally without tasks.

What it does:
  Checks the `finally` tasks of each Pipeline (and PipelineRun inline `pipelineSpec`):
  - a finally task may not have `runAfter` (all finally tasks run in parallel once the
    `tasks` are done);
  - its params and `when` may use results of `tasks` only — not of another finally task,
    and not of a task that does not exist (results used in a matrix or an inline taskSpec
    give a warning: the webhook does not check them, the run fails);
  - a Pipeline with `finally` tasks needs at least one task in `tasks`.

Why:
  Tekton's webhook rejects the Pipeline (`validateFinalTasks`: "no runAfter allowed under
  spec.finally", "invalid task result reference, final task has task result reference
  from a final task"; `validateTasksAndFinallySection`).
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import dag
from okd_streams.tekton.pipeline import names, pipeline_specs, task_label

ID = "finally-tasks"
CODE = "T041"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        finally_tasks = list(items(site.spec, "finally"))
        if not finally_tasks:
            continue
        tasks, finally_names = names(site.spec, "tasks"), names(site.spec, "finally")
        if not tasks and not list(items(site.spec, "tasks")):
            yield Finding(
                site.obj,
                site.at("finally"),
                f"{site.label} has {len(finally_tasks)} finally task(s) but no tasks; add tasks or move "
                "these into tasks",
            )
        for index, task in finally_tasks:
            label = f"{task_label(task, 'finally')} of {site.label}"
            run_after = task.get("runAfter")
            if isinstance(run_after, list) and run_after:
                yield Finding(
                    site.obj,
                    site.at("finally", index, "runAfter"),
                    f"{label} has runAfter; finally tasks cannot have runAfter (they all start once the "
                    "tasks are done)",
                )
            for path, ref in dag.result_uses(task):
                checked = path[0] in ("params", "when")
                level = None if checked else "warning"
                note = "" if checked else " (Tekton's webhook does not check here; the run fails)"
                if ref.task in finally_names:
                    yield Finding(
                        site.obj,
                        site.at("finally", index) + path,
                        f'{label} uses result "{ref.result}" of finally task "{ref.task}"; finally tasks '
                        f"run in parallel and can only use results of tasks{note}",
                        level=level,
                    )
                elif ref.task not in tasks:
                    yield Finding(
                        site.obj,
                        site.at("finally", index) + path,
                        f'{label} uses result "{ref.result}" of task "{ref.task}", which is not in tasks '
                        f"of {site.label}{note}",
                        level=level,
                    )
