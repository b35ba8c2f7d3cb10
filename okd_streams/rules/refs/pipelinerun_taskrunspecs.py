"""A PipelineRun `taskRunSpecs` entry for a pipeline task the Pipeline does not have.

What it does:
  Checks that every `spec.taskRunSpecs[].pipelineTaskName` of a PipelineRun (standalone
  or in a TriggerTemplate) names a task in the `tasks` or `finally` of the Pipeline it
  runs.

Why:
  The reconciler rejects the run when it starts (`taskrunSpecs defined wrong taskName`,
  `InvalidTaskRunSpecs`); a pipeline task renamed in the base breaks every stream that
  tunes it.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get, items
from okd_streams.tekton import resolve

ID = "pipelinerun-taskrunspecs"
CODE = "R022"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for holder, base, run in resolve.run_templates(unit, "PipelineRun"):
        spec = get(run, "spec")
        if not isinstance(spec, dict) or not isinstance(spec.get("taskRunSpecs"), list):
            continue
        resolved = resolve.resolve_pipeline(unit, holder, spec, base + ("spec",))
        if not resolved.ok:
            continue
        tasks = resolve.task_names(resolved.spec or {})
        who = resolve.run_label(holder, base, run, "PipelineRun")
        for index, entry in items(spec, "taskRunSpecs"):
            name = entry.get("pipelineTaskName")
            if isinstance(name, str) and name not in tasks:
                yield Finding(
                    holder,
                    base + ("spec", "taskRunSpecs", index, "pipelineTaskName"),
                    f'{who} sets taskRunSpecs for pipeline task "{name}", which {resolved.label} does not '
                    f"have (tasks: {resolve.names_list(tasks)})",
                )
