"""A pipeline task `onError` other than continue or stopAndFail, or `continue` together with retries.

What it does:
  Checks `onError` of each pipeline task in `tasks` and `finally`: it must be `continue`
  or `stopAndFail` (or a `$(params...)` reference), and `continue` cannot be combined
  with `retries` greater than 0.

Why:
  Tekton's webhook rejects the Pipeline (`PipelineTask.ValidateOnError`: "PipelineTask
  OnError must be either "continue" or "stopAndFail"", "PipelineTask OnError cannot be
  set to "continue" when Retries is greater than 0").
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton.pipeline import pipeline_specs, pipeline_tasks, task_label

ID = "pipeline-task-on-error"
CODE = "T072"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        for section, index, task in pipeline_tasks(site.spec):
            value = task.get("onError")
            if value is None or value == "" or (isinstance(value, str) and value.startswith("$(params")):
                continue
            label = f"{task_label(task, section)} of {site.label}"
            if value not in ("continue", "stopAndFail"):
                yield Finding(
                    site.obj,
                    site.at(section, index, "onError"),
                    f'onError "{value}" of {label} is not valid; use continue or stopAndFail',
                )
            retries = task.get("retries")
            if value == "continue" and isinstance(retries, int) and not isinstance(retries, bool) and retries > 0:
                yield Finding(
                    site.obj,
                    site.at(section, index, "onError"),
                    f"{label} has onError: continue and retries: {retries}; a task that may fail cannot be "
                    "retried, drop one of them",
                )
