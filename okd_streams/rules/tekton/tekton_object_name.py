"""A Tekton object whose metadata.name Tekton's webhook rejects.

What it does:
  Checks `metadata.name` of every Task, ClusterTask, Pipeline, PipelineRun and TaskRun
  (`tekton.dev/v1` and `v1beta1`): at most 63 characters. A name that is no DNS-1123
  subdomain at all (lower-case letters, digits, `-` and `.`) is refused by the API server
  before Tekton sees it: the schema stage reports it (V004). Objects named by
  `generateName` only are skipped (the API server names them before the webhook runs).

Why:
  Tekton's admission webhook (`validate.ObjectMetadata`) refuses to create the object:
  `Invalid resource name: length must be no more than 63 characters`. Tekton names
  TaskRuns and Pods after these objects, hence a limit stricter than Kubernetes' 253.
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
        if not isinstance(name, str) or dns1123_subdomain_problem(name):
            continue  # the API server refuses it first: the schema stage's finding (V002, V004)
        if len(name) > 63:
            yield Finding(
                obj,
                ("metadata", "name"),
                f'{obj.kind} name "{name}" is {len(name)} characters long; Tekton allows at most 63',
            )
