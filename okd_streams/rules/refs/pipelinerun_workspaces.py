"""A PipelineRun that does not bind the workspaces its Pipeline requires.

What it does:
  Checks the `workspaces` of every PipelineRun (standalone or in a TriggerTemplate)
  against the Pipeline it runs: each Pipeline workspace not marked `optional: true`
  must be bound. A binding to a workspace a referenced Pipeline does not declare is
  ignored by Tekton and only noted (info). An embedded `pipelineSpec` needs no
  declaration: Tekton propagates the run's workspaces to the embedded specs that use them
  (TEP-0111), so such a binding is noted only when nothing in the spec uses it.

Why:
  The reconciler checks this only when the run is created (`pipeline requires workspace
  with name "w" be provided by pipelinerun`): the triggered run fails at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Unit, get, items
from okd_streams.tekton import resolve
from okd_streams.tekton.schema_issues import given_wrongly

ID = "pipelinerun-workspaces"
CODE = "R021"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for holder, base, run in resolve.run_templates(unit, "PipelineRun"):
        spec = get(run, "spec")
        if not isinstance(spec, dict):
            continue
        resolved = resolve.resolve_pipeline(unit, holder, spec, base + ("spec",))
        if not resolved.ok:
            continue
        who = resolve.run_label(holder, base, run, "PipelineRun")
        declared = resolve.workspace_specs(resolved.spec)
        bound: dict[str, int] = {}
        for index, binding in items(spec, "workspaces"):
            if isinstance(binding.get("name"), str):
                bound.setdefault(binding["name"], index)
        wrongly = given_wrongly(unit, holder, (*base, "spec"), "workspaces")  # the schema stage's (V001, V002)
        for name, workspace in declared.items():
            if workspace.get("optional") is not True and name not in bound and not wrongly:
                yield Finding(
                    holder,
                    base + ("spec", "workspaces"),
                    f'{who} does not bind workspace "{name}", which {resolved.label} requires: add '
                    f"`- name: {name}` with a volume source (volumeClaimTemplate, emptyDir, secret, ...)",
                )
        embedded = resolved.ref is None  # a pipelineSpec: Tekton propagates the run's workspaces into it
        for name, index in bound.items():
            if name in declared:
                continue
            if not embedded:
                message = f"Tekton ignores it (declared: {resolve.names_list(declared)})"
            elif _uses_workspace(resolved.spec, name):
                continue
            else:
                message = f"Tekton propagates it into the embedded specs, but none uses $(workspaces.{name}.path)"
            yield Finding(
                holder,
                base + ("spec", "workspaces", index, "name"),
                f'{who} binds workspace "{name}", which {resolved.label} does not declare; {message}',
                level="info",
            )


def _uses_workspace(value: Any, name: str) -> bool:
    """True when a string in `value` names workspace `name`: `$(workspaces.name.path)` or a
    pipeline task's `workspace: name` binding."""
    if isinstance(value, str):
        return f"workspaces.{name}." in value
    if isinstance(value, dict):
        return value.get("workspace") == name or any(_uses_workspace(v, name) for v in value.values())
    if isinstance(value, list):
        return any(_uses_workspace(v, name) for v in value)
    return False
