"""A pipeline task whose workspace bindings do not fit the Task it runs.

What it does:
  Checks every pipeline task's `workspaces` against the workspaces its Task declares:
  each workspace the Task declares without `optional: true` must be bound; each binding
  must name a workspace the Task declares; and a binding to a Pipeline workspace marked
  `optional: true` must go to a Task workspace that is optional too. An inline taskSpec
  receives workspaces it uses without declaring them, and unbound ones of the same name
  from the Pipeline (propagated workspaces), so those cases are not reported. A Task
  that Pipelines-as-Code inlines (a `.tekton/` Task referenced from a PaC PipelineRun)
  counts as an inline taskSpec, since that is what PaC submits.

Why:
  Tekton matches these only at run time: the TaskRun fails with `declared workspace "w"
  is required but has not been bound` or `workspace binding "w" does not match any
  declared workspace`, and the PipelineRun with `RequiredWorkspaceMarkedOptional`.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import pac, resolve
from okd_streams.tekton.schema_issues import given_wrongly

ID = "pipeline-task-workspaces"
CODE = "R013"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for site in resolve.pipeline_sites(unit):
        pipeline_workspaces = resolve.workspace_specs(site.spec)
        optional = {name for name, spec in pipeline_workspaces.items() if spec.get("optional") is True}
        for task in resolve.site_tasks(site):
            resolved = resolve.resolve_pipeline_task(unit, task)
            if not resolved.ok:
                continue
            declared = resolve.workspace_specs(resolved.spec)
            bound: dict[str, tuple[int, dict]] = {}
            for index, binding in items(task.data, "workspaces"):
                if isinstance(binding.get("name"), str):
                    bound.setdefault(binding["name"], (index, binding))
            for name, spec in declared.items():
                if spec.get("optional") is True:
                    continue
                if name in bound:
                    index, binding = bound[name]
                    source = binding.get("workspace")
                    if isinstance(source, str) and source in optional:
                        yield Finding(
                            task.obj,
                            task.path + ("workspaces", index, "workspace"),
                            f'{task.label} binds Pipeline workspace "{source}", which is optional, to '
                            f'workspace "{name}", which {resolved.label} requires: make the Pipeline '
                            "workspace required or the Task workspace optional",
                        )
                    continue
                if name in pipeline_workspaces and (
                    resolved.obj is None or pac.inlines(unit, task.site.obj, resolved.obj)
                ):
                    continue  # propagated to an inline taskSpec
                if given_wrongly(unit, task.obj, task.path, "workspaces"):
                    continue  # the bindings misspelt or mistyped: the schema stage's finding (V001, V002)
                yield Finding(
                    task.obj,
                    task.path + ("workspaces",),
                    f'{task.label} does not bind workspace "{name}", which {resolved.label} requires: '
                    f"add `- name: {name}` with `workspace: <a Pipeline workspace>`",
                )
            for name, (index, _) in bound.items():
                # An inline taskSpec takes a binding as a declaration (and PaC inlines its .tekton/ Tasks).
                if (
                    name not in declared
                    and resolved.obj is not None
                    and not pac.inlines(unit, task.site.obj, resolved.obj)
                ):
                    yield Finding(
                        task.obj,
                        task.path + ("workspaces", index, "name"),
                        f'{task.label} binds workspace "{name}", which {resolved.label} does not declare '
                        f"(declared: {resolve.names_list(declared)})",
                    )
