"""A `$(params...)` reference in a Task's steps that Tekton rejects: unknown param, misused array or object.

What it does:
  Checks the `$(params...)` references in the steps of every Task, ClusterTask and inline
  `taskSpec` — in `name`, `image`, `workingDir`, `script`, `command`, `args`, `env`
  values, `volumeMounts` and `onError` — the way Tekton's webhook does:
  - the param must be declared (by the Task; for a pipeline task's inline taskSpec, by
    the taskSpec or the Pipeline; for TaskRuns and PipelineRuns, also by the run's
    params), and a dotted reference has at most two parts (`$(params.obj.key)`); a name
    with dots needs the bracket form `$(params["a.b"])`;
  - an array param may only be expanded as an entire `command`/`args` item
    `$(params.x[*])` (or indexed, `$(params.x[0])`), never in name, image, workingDir,
    script or env;
  - an object param is read by key, `$(params.obj.key)` with a declared key, never whole.
  The same mistakes in `sidecars` and `stepTemplate` are warnings: the webhook does not
  look there, but the reference is left unreplaced at run time.

Why:
  The webhook refuses the Task (`non-existent variable in "$(params.imgae)"`, `variable
  type invalid`, `variable is not properly isolated`). A typo caught here is a Task that
  would not install, or an unreplaced `$(params...)` in a sidecar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.rules.tekton._refs import not_declared_by
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.containers import container_fields
from okd_streams.tekton.pipeline import TaskSite, params_by_type, task_specs

ID = "task-param-references"
CODE = "T020"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def _field_name(path: tuple) -> str:
    parts = [p for p in path if isinstance(p, str)]
    return parts[-1] if parts else "field"


def _problems(
    text: str, role: str, declared: set[str] | None, arrays: set[str], objects: dict[str, set[str]], owner: str
) -> list[str]:
    if "$(params" not in text:  # every check below looks at $(params...) references only
        return []
    found: list[str] = []
    if declared is not None:
        for var in sub.unknown(text, "params", declared):
            if isinstance(var, str):
                found.append(var)
            else:
                hint = ""
                if sub.trim_index(var.entire) in declared:
                    hint = f'; a name with dots needs the bracket form $(params["{sub.trim_index(var.entire)}"])'
                found.append(
                    f'{var.raw} names param "{sub.trim_index(var.name)}", which {not_declared_by(owner)}{hint}'
                )
        if role != "onError":
            for name, keys in objects.items():
                for var in sub.unknown(text, r"params\." + re.escape(name), keys):
                    if isinstance(var, str):
                        continue
                    shown = ", ".join(sorted(keys)) or "none"
                    found.append(f'{var.raw}: object param "{name}" has no key "{var.name}" (keys: {shown})')
            for var in sub.entire_prohibited(text, "params", set(objects)):
                found.append(
                    f'{var.raw} uses object param "{var.name}" whole; read one key, $(params.{var.name}.<key>)'
                )
    if role == "onError":
        return found
    if role == "list":
        for var in sub.not_isolated(text, "params", arrays):
            if isinstance(var, str):
                found.append(var)
                continue
            name = _strip_star(var.name)
            found.append(f'{var.raw}: array param "{name}" must be a whole item of its own, "$(params.{name}[*])"')
    else:
        for var in sub.prohibited(text, "params", arrays):
            if isinstance(var, str):
                continue
            name = _strip_star(var.name)
            found.append(
                f'{var.raw} uses array param "{name}" where only a string fits; expand it as a whole '
                f'command/args item "$(params.{name}[*])" or index it, $(params.{name}[0])'
            )
    return list(dict.fromkeys(found))


def _strip_star(name: str) -> str:
    return name[:-3] if name.endswith("[*]") else name


def _owner(site: TaskSite) -> str:
    if site.pipeline is not None and site.pipeline.standalone:
        return f"neither the taskSpec nor {site.pipeline.label}"
    if site.pipeline is not None:
        return "neither the taskSpec, the pipelineSpec nor the PipelineRun's params"
    if not site.standalone:
        return "neither the taskSpec nor the TaskRun's params"
    return site.label


def check(unit: Unit) -> Iterator[Finding]:
    for site in task_specs(unit):
        own = [p for _, p in items(site.spec, "params")]
        usage = site.usage_params
        _, arrays, _ = params_by_type(own)
        inline_run = site.pipeline is None or not site.pipeline.standalone
        if not site.standalone and inline_run and usage is not None:
            arrays |= params_by_type(usage)[1]  # validateInlineParameters checks the combined params too
        declared, _, objects = params_by_type(usage) if usage is not None else (None, set(), {})
        owner = _owner(site)
        for index, step in items(site.spec, "steps"):
            step_name = (
                step.get("name") if isinstance(step.get("name"), str) and step.get("name") else f"steps[{index}]"
            )
            for path, text, role in container_fields(step, site.at("steps", index), needle="$(params"):
                for problem in _problems(text, role, declared, arrays, objects, owner):
                    yield Finding(
                        site.obj, path, f'{_field_name(path)} of step "{step_name}" in {site.label}: {problem}'
                    )
        # Not validated by the webhook: left unreplaced at run time.
        extra = [
            (site.at("sidecars", i), sidecar, f'sidecar "{sidecar.get("name") or i}"')
            for i, sidecar in items(site.spec, "sidecars")
        ]
        if isinstance(site.spec.get("stepTemplate"), dict):
            extra.append((site.at("stepTemplate"), site.spec["stepTemplate"], "the stepTemplate"))
        for base, container, what in extra:
            for path, text, role in container_fields(container, base, with_on_error=False, needle="$(params"):
                for problem in _problems(text, role, declared, arrays, objects, owner):
                    yield Finding(
                        site.obj,
                        path,
                        f"{_field_name(path)} of {what} in {site.label}: {problem} (Tekton's webhook does "
                        "not check here, but the reference is not replaced at run time)",
                        level="warning",
                    )
