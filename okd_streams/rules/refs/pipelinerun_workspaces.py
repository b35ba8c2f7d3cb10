"""A PipelineRun that does not bind the workspaces its Pipeline requires.

What it does:
  Checks the `workspaces` of every PipelineRun (standalone or in a TriggerTemplate)
  against the Pipeline it runs: each Pipeline workspace not marked `optional: true`
  must be bound. A binding to a workspace the Pipeline does not declare is ignored by
  Tekton and only noted (info).

Why:
  The reconciler checks this only when the run is created (`pipeline requires workspace
  with name "w" be provided by pipelinerun`): the triggered run fails at once.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get, items
from okd_streams.tekton import resolve

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
        for name, workspace in declared.items():
            if workspace.get("optional") is not True and name not in bound:
                yield Finding(
                    holder,
                    base + ("spec", "workspaces"),
                    f'{who} does not bind workspace "{name}", which {resolved.label} requires: add '
                    f"`- name: {name}` with a volume source (volumeClaimTemplate, emptyDir, secret, ...)",
                )
        for name, index in bound.items():
            if name not in declared:
                yield Finding(
                    holder,
                    base + ("spec", "workspaces", index, "name"),
                    f'{who} binds workspace "{name}", which {resolved.label} does not declare; Tekton '
                    f"ignores it (declared: {resolve.names_list(declared)})",
                    level="info",
                )
