"""A step name that is not a DNS-1123 label, or that two steps share.

What it does:
  Checks the `name` of each step of every Task, ClusterTask and inline `taskSpec`
  (TaskRun, pipeline task): when given, it must be a DNS-1123 label (lower-case letters,
  digits and `-`, at most 63 characters) and unique within the Task. Unnamed steps are
  allowed (Tekton names them `unnamed-<index>`).

Why:
  Tekton's webhook rejects the Task (`validateStep`: "invalid value"): each step becomes
  a container named `step-<name>`, and container names must be unique DNS labels.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton.names import dns1123_label_problem
from okd_streams.tekton.pac import filled_in_by_pac
from okd_streams.tekton.pipeline import task_specs

ID = "step-name"
CODE = "T003"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for site in task_specs(unit):
        seen: dict[str, int] = {}
        for index, step in items(site.spec, "steps"):
            name = step.get("name")
            if name is None or name == "":
                continue
            if not isinstance(name, str):
                yield Finding(site.obj, site.at("steps", index, "name"), f"step name in {site.label} must be a string")
                continue
            problem = dns1123_label_problem(name) if not filled_in_by_pac(site.obj, name) else None  # PaC fills it in
            if problem:
                yield Finding(
                    site.obj,
                    site.at("steps", index, "name"),
                    f'step name "{name}" in {site.label} {problem} (a DNS-1123 label)',
                )
            if name in seen:
                yield Finding(
                    site.obj,
                    site.at("steps", index, "name"),
                    f'step name "{name}" is used by steps[{seen[name]}] and steps[{index}] of '
                    f"{site.label}; step names must be unique",
                )
            else:
                seen[name] = index
