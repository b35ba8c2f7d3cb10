"""A Task result declaration Tekton rejects, or a `$(results...)` in a step script naming no declared result.

What it does:
  Checks `results` of every Task, ClusterTask and inline taskSpec: the name must match
  `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`; `type` must be `string`, `array` or
  `object` (object when only `properties` is given); an object result needs
  `properties`, each of type `string`. Then checks that each `$(results.<name>...)` in a
  step `script` names a declared result (elsewhere in steps and sidecars: a warning).

Why:
  The webhook refuses the Task (`validateResults`, `validateTaskResultsVariables`:
  `non-existent variable in "...$(results.digst.path)..."`). A step writing to an
  undeclared result path writes to a literal `$(results...)` file and the result is lost.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.containers import container_fields
from okd_streams.tekton.params import RESULT_NAME
from okd_streams.tekton.pipeline import TaskSite, task_specs

ID = "task-results"
CODE = "T030"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def _declarations(site: TaskSite) -> Iterator[Finding]:
    for index, result in items(site.spec, "results"):
        at = site.at("results", index)
        name = result.get("name")
        if not isinstance(name, str) or not RESULT_NAME.match(name):
            yield Finding(
                site.obj,
                at + ("name",),
                f'result name "{name}" in {site.label} is invalid: use letters, digits, "-", "_" and ".", '
                "starting and ending with a letter or digit",
            )
            continue
        props = result.get("properties")
        kind = result.get("type") or ("object" if props is not None else "string")
        if kind not in ("string", "array", "object"):
            yield Finding(
                site.obj,
                at + ("type",),
                f'result "{name}" of {site.label} has type "{kind}"; use string, array or object',
            )
        elif kind == "object" and props is None:
            yield Finding(site.obj, at, f'object result "{name}" of {site.label} has no properties; declare its keys')
        elif kind == "object" and isinstance(props, dict):
            for key, prop in props.items():
                if prop is not None and (not isinstance(prop, dict) or prop.get("type") not in (None, "", "string")):
                    yield Finding(
                        site.obj,
                        at + ("properties", key),
                        f'property "{key}" of object result "{name}" in {site.label} must have type string',
                    )


def check(unit: Unit) -> Iterator[Finding]:
    for site in task_specs(unit):
        yield from _declarations(site)
        declared = {name for _, r in items(site.spec, "results") if isinstance(name := r.get("name"), str)}
        containers = [(site.at("steps", i), step, True) for i, step in items(site.spec, "steps")]
        containers += [(site.at("sidecars", i), car, False) for i, car in items(site.spec, "sidecars")]
        for base, container, is_step in containers:
            for path, text, role in container_fields(container, base, with_on_error=False, needle="$(results"):
                for var in sub.unknown(text, "results", declared):
                    checked = is_step and role == "script"
                    if isinstance(var, str):
                        if checked:
                            yield Finding(site.obj, path, f"{site.label}: {var}")
                        continue
                    message = (
                        f'{var.raw} in {site.label} names result "{sub.trim_index(var.name)}", which the Task '
                        f"does not declare (results: {', '.join(sorted(declared)) or 'none'})"
                    )
                    if checked:
                        yield Finding(site.obj, path, message)
                    else:
                        yield Finding(
                            site.obj,
                            path,
                            message + " (Tekton's webhook only checks scripts; the "
                            "reference is not replaced at run time)",
                            level="warning",
                        )
