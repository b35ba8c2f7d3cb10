"""A field Tekton has removed: PipelineResources (`resources`) and Tekton bundles (`bundle`).

What it does:
  In every `tekton.dev/v1beta1` Task, TaskRun, Pipeline and PipelineRun (and the specs they
  embed, and the runs a TriggerTemplate creates), reports `resources` where it meant
  PipelineResources: on the spec of the object, on an embedded `taskSpec` and on a pipeline
  task (a step's or sidecar's `resources` are its compute resources and fine); and `bundle`
  in a `taskRef` or `pipelineRef`. Even an empty `resources: {}` counts. In `tekton.dev/v1`
  these fields do not exist at all (V001).

Why:
  The v1beta1 types still carry the fields, so the API server stores them, but Tekton's
  webhook refuses the object ("must not set the field(s): spec.resources",
  "... spec.tasks[0].taskRef.bundle"). Pass what a PipelineResource carried as params and
  workspaces; fetch a bundle with the bundles resolver (`resolver: bundles`, with the params
  `bundle`, `name` and `kind`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Obj, Unit
from okd_streams.tekton import resolve
from okd_streams.tekton.pipeline import describe, tekton_objects

ID = "removed-field"
CODE = "T005"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None  # Tekton objects, and the runs a TriggerTemplate holds
KINDS = ("Task", "TaskRun", "Pipeline", "PipelineRun")
WAIVER_NEEDS_REASON = False

RESOURCES = (
    "sets resources: PipelineResources were removed from Tekton, which refuses the object "
    '("must not set the field(s)"); pass what they carried as params and workspaces'
)
BUNDLE = (
    'sets bundle: Tekton refuses it ("must not set the field(s)"); fetch the bundle with the '
    "bundles resolver (resolver: bundles, with the params bundle, name and kind)"
)


def check(unit: Unit) -> Iterator[Finding]:
    for obj in tekton_objects(unit, *KINDS):
        yield from _object(obj, (), obj.data, describe(obj))
    for kind in ("PipelineRun", "TaskRun"):  # a TriggerTemplate's runs: refused when an event creates them
        for holder, path, run in resolve.run_templates(unit, kind):
            if path:
                yield from _object(holder, path, run, resolve.run_label(holder, path, run, kind))


def _object(obj: Obj, at: tuple, data: dict, label: str) -> Iterator[Finding]:
    spec = data.get("spec")
    if data.get("apiVersion") != "tekton.dev/v1beta1" or not isinstance(spec, dict):
        return
    if "resources" in spec:
        yield Finding(obj, (*at, "spec", "resources"), f"the spec of {label} {RESOURCES}")
    for path, what in _removed(spec, (*at, "spec")):
        yield Finding(obj, path, f"{what} in {label} {RESOURCES if path[-1] == 'resources' else BUNDLE}")


def _removed(node: Any, path: tuple, holder: str = "", depth: int = 0) -> Iterator[tuple[tuple, str]]:
    """(path, what holds it) of every removed field below a spec: an embedded taskSpec's or a
    pipeline task's `resources`, a reference's `bundle`. Steps, sidecars and the stepTemplate
    are containers, whose `resources` are compute resources: not entered."""
    if not isinstance(node, dict) or depth > 50:
        return
    of = f" of {holder}" if holder else ""
    for key, value in node.items():
        if key in ("steps", "sidecars", "stepTemplate"):
            continue
        where = (*path, key)
        if key == "taskSpec" and isinstance(value, dict) and "resources" in value:
            yield (*where, "resources"), f"the taskSpec{of}"
        elif key in ("taskRef", "pipelineRef") and isinstance(value, dict) and "bundle" in value:
            yield (*where, "bundle"), f"the {key}{of}"
        if key in ("tasks", "finally") and isinstance(value, list):
            for index, task in enumerate(value):
                if isinstance(task, dict):
                    name = f'pipeline task "{task.get("name")}"'
                    if "resources" in task:
                        yield (*where, index, "resources"), name
                    yield from _removed(task, (*where, index), name, depth + 1)
        elif isinstance(value, dict):
            yield from _removed(value, where, holder, depth + 1)
