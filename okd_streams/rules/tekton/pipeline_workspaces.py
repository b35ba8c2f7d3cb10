"""A Pipeline workspace declared twice or without a name, or a pipeline task binding an undeclared workspace.

What it does:
  Checks the `workspaces` a Pipeline declares (non-empty, unique names) and each pipeline
  task's `workspaces` bindings (in `tasks` and `finally`): a binding name may appear once
  per task, and the Pipeline workspace it uses — `workspace:`, or the binding's own name
  when `workspace` is omitted — must be declared by the Pipeline. (A PipelineRun's
  inline pipelineSpec may bind workspaces propagated from the run; only its declarations
  are checked.)

Why:
  Tekton's webhook rejects the Pipeline (`validatePipelineWorkspacesDeclarations`:
  "workspace with name "src" appears more than once"; `validateWorkspaces`: "pipeline
  task "build" expects workspace with name "source" but none exists in pipeline spec").
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton.pipeline import pipeline_specs, pipeline_tasks, task_label
from okd_streams.tekton.schema_issues import given_wrongly

ID = "pipeline-workspaces"
CODE = "T060"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        declared: dict[str, int] = {}
        for index, workspace in items(site.spec, "workspaces"):
            name = workspace.get("name")
            if not isinstance(name, str) or not name:
                if not given_wrongly(unit, site.obj, site.at("workspaces", index), "name"):  # else V001, V002
                    yield Finding(
                        site.obj, site.at("workspaces", index), f"workspace {index} of {site.label} has no name"
                    )
                continue
            if name in declared:
                yield Finding(
                    site.obj,
                    site.at("workspaces", index, "name"),
                    f'workspace "{name}" is declared twice in {site.label} (workspaces[{declared[name]}] '
                    f"and workspaces[{index}])",
                )
            else:
                declared[name] = index
        if not site.standalone:
            continue
        shown = ", ".join(sorted(declared)) or "none"
        for section, index, task in pipeline_tasks(site.spec):
            label = f"{task_label(task, section)} of {site.label}"
            bound: dict[str, int] = {}
            for i, binding in items(task, "workspaces"):
                name = found if isinstance(found := binding.get("name"), str) else ""
                at = site.at(section, index, "workspaces", i)
                if name in bound:
                    yield Finding(
                        site.obj,
                        at + ("name",),
                        f'{label} binds workspace "{name}" twice (workspaces[{bound[name]}] and workspaces[{i}])',
                    )
                else:
                    bound[name] = i
                target = binding.get("workspace")
                if target in (None, ""):
                    if name not in declared:
                        yield Finding(
                            site.obj,
                            at + ("name",),
                            f'{label} binds workspace "{name}" without `workspace:`, so it uses the '
                            f'Pipeline workspace "{name}", which {site.label} does not declare '
                            f"(workspaces: {shown})",
                        )
                elif not isinstance(target, str) or target not in declared:
                    yield Finding(
                        site.obj,
                        at + ("workspace",),
                        f'{label} binds "{name}" to Pipeline workspace "{target}", which {site.label} '
                        f"does not declare (workspaces: {shown})",
                    )
