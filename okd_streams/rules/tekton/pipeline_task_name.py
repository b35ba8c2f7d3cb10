"""A pipeline task name that is missing, not a DNS-1123 label, or used twice.

What it does:
  Checks the `name` of every entry of `tasks` and `finally` in a Pipeline (and in a
  PipelineRun's inline `pipelineSpec`): it must be a DNS-1123 label (lower-case letters,
  digits and `-`, at most 63 characters), and unique across `tasks` and `finally`
  together.

Why:
  Tekton's webhook rejects the Pipeline (`PipelineTaskList.Validate`: "invalid value",
  "expected exactly one, got both"). The name keys `runAfter`, result references
  `$(tasks.<name>.results...)` and the TaskRun names, so it has to be unique and safe
  in a Kubernetes name.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton.names import dns1123_label_problem
from okd_streams.tekton.pac import filled_in_by_pac
from okd_streams.tekton.pipeline import pipeline_specs, pipeline_tasks
from okd_streams.tekton.schema_issues import given_wrongly

ID = "pipeline-task-name"
CODE = "T002"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        seen: dict[str, str] = {}
        for section, index, task in pipeline_tasks(site.spec):
            name = task.get("name")
            where = f"{section}[{index}]"
            if not isinstance(name, str) or not name:
                if given_wrongly(unit, site.obj, site.at(section, index), "name"):
                    continue  # the schema stage's finding (V001, V002)
                yield Finding(
                    site.obj,
                    site.at(section, index),
                    f"{where} of {site.label} has no name; every pipeline task needs a unique name",
                )
                continue
            problem = dns1123_label_problem(name) if not filled_in_by_pac(site.obj, name) else None  # PaC fills it in
            if problem:
                yield Finding(
                    site.obj,
                    site.at(section, index, "name"),
                    f'pipeline task name "{name}" in {site.label} {problem} (a DNS-1123 label)',
                )
            if name in seen:
                yield Finding(
                    site.obj,
                    site.at(section, index, "name"),
                    f'pipeline task name "{name}" is used twice in {site.label} ({seen[name]} and '
                    f"{where}); names must be unique across tasks and finally",
                )
            else:
                seen[name] = where
