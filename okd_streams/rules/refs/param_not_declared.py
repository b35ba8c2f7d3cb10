"""A param passed to a Task or Pipeline that does not declare it.

What it does:
  Reports a param that a pipeline task passes to its Task (warning), or that a
  PipelineRun or TaskRun passes to its Pipeline or Task (info), when the target does
  not declare it, listing the params it does declare. Inline `taskSpec`s and
  `pipelineSpec`s are skipped: params propagate into them. Tekton ignores such a param, so
  this is never an error; in an okd-streams stream a stream card param the Pipeline does
  not declare is `stream-card-param-declared` (C003) instead.

Why:
  An ignored param is almost always a typo or a leftover: the value the author meant to
  set never reaches the Task, which silently runs with its default.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.tekton import binding, resolve

ID = "param-not-declared"
CODE = "R011"
LEVEL = "warning"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _from_card(unit: Unit, obj: Obj, path: tuple) -> bool:
    return unit.card is not None and obj.at(path)[0] == unit.card.path


def check(unit: Unit) -> Iterator[Finding]:
    for site in resolve.pipeline_sites(unit):
        for task in resolve.site_tasks(site):
            resolved = resolve.resolve_pipeline_task(unit, task)
            if not resolved.ok or resolved.obj is None:
                continue  # an inline taskSpec sees every param passed to it (propagated params)
            for issue in binding.pipeline_task_issues(unit, site, task, resolved):
                if issue.kind == "extra" and issue.arg:
                    yield Finding(task.obj, issue.arg.path + ("name",), issue.message)
    for kind in ("PipelineRun", "TaskRun"):
        for holder, base, run in resolve.run_templates(unit, kind):
            spec = get(run, "spec")
            if not isinstance(spec, dict):
                continue
            resolved = (resolve.resolve_pipeline if kind == "PipelineRun" else resolve.resolve_task)(
                unit, holder, spec, base + ("spec",)
            )
            if not resolved.ok or resolved.obj is None:
                continue
            who = resolve.run_label(holder, base, run, kind)
            args = binding.run_args(run, base, lenient=kind == "TaskRun")
            for issue in binding.check(args, get(resolved.spec, "params"), who, resolved.label):
                if issue.kind != "extra" or not issue.arg:
                    continue
                path = issue.arg.path + ("name",)
                if not _from_card(unit, holder, path):
                    yield Finding(holder, path, issue.message, level="info")
