"""A Tekton object whose metadata.name Tekton's webhook rejects.

What it does:
  Checks `metadata.name` of every Task, ClusterTask, Pipeline, PipelineRun and TaskRun
  (`tekton.dev/v1` and `v1beta1`): it must be a DNS-1123 subdomain (lower-case letters,
  digits, `-` and `.`) of at most 63 characters. Objects named by `generateName` only
  are skipped (the API server names them before the webhook runs).

Why:
  Tekton's admission webhook (`validate.ObjectMetadata`) refuses to create the object:
  `invalid resource name "Build_Image": must be a valid DNS label`. Tekton names
  TaskRuns and Pods after these objects, hence the 63-character limit, stricter than
  Kubernetes' 253.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton.names import dns1123_subdomain_problem
from okd_streams.tekton.pipeline import tekton_objects

ID = "tekton-object-name"
CODE = "T001"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

KINDS = ("Task", "ClusterTask", "Pipeline", "PipelineRun", "TaskRun")


def check(unit: Unit) -> Iterator[Finding]:
    for obj in tekton_objects(unit, *KINDS):
        name = obj.metadata.get("name")
        if name is None or name == "":
            continue  # generateName, or a missing name the API server itself rejects
        if not isinstance(name, str):
            yield Finding(obj, ("metadata", "name"), f"{obj.kind} metadata.name must be a string")
            continue
        problem = dns1123_subdomain_problem(name)
        if problem:
            yield Finding(
                obj, ("metadata", "name"), f'{obj.kind} name "{name}" {problem}; Tekton requires a DNS-1123 name'
            )
        elif len(name) > 63:
            yield Finding(
                obj,
                ("metadata", "name"),
                f'{obj.kind} name "{name}" is {len(name)} characters long; Tekton allows at most 63',
            )
