"""A `$(workspaces...)` variable in a Task naming an undeclared workspace or an unknown property.

What it does:
  Checks `$(workspaces.<name>.<property>)` in the steps of every Task and ClusterTask:
  `<name>` must be one of the Task's `workspaces`, and `<property>` one of `path`,
  `bound`, `claim`, `volume`. Sidecars give warnings, as does a bare
  `$(workspaces.<name>)` without a property. Inline taskSpecs are skipped: they may
  use workspaces propagated from the run or Pipeline. So may a `.tekton/` Task that
  Pipelines-as-Code inlines into a run: a workspace every pipeline task using it binds
  counts as declared there.

Why:
  Tekton does not replace such a variable: the step runs with the literal text and fails
  with `workspaces.src.path: not found` (tektoncd/pipeline#6699). Webhook validation for
  it is recent (tektoncd/pipeline#9707) and not in every release, so this is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import pac
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.containers import container_fields
from okd_streams.tekton.pipeline import task_specs

ID = "workspace-variables"
CODE = "T024"
LEVEL = "warning"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False  # a `.tekton/` Task's findings depend on the PaC runs beside it
APPLIES_TO = None
WAIVER_NEEDS_REASON = False

PROPERTIES = {"path", "bound", "claim", "volume"}
_BARE = re.compile(r"\$\(workspaces\.([^.()\[\]\s]+)\)")


def _problems(text: str, declared: set[str], label: str) -> list[tuple[str, str | None]]:
    if "$(workspaces" not in text:  # every check below looks at $(workspaces...) references only
        return []
    found: list[tuple[str, str | None]] = []
    for var in sub.unknown(text, "workspaces", declared):
        if isinstance(var, str):
            found.append((var, None))
        else:
            shown = ", ".join(sorted(declared)) or "none"
            found.append(
                (f'{var.raw} names workspace "{var.name}", which {label} does not declare (workspaces: {shown})', None)
            )
    for name in declared:
        for var in sub.unknown(text, r"workspaces\." + re.escape(name), PROPERTIES):
            if not isinstance(var, str):
                found.append(
                    (f'{var.raw}: workspaces have no property "{var.name}"; use path, bound, claim or volume', None)
                )
    for match in _BARE.finditer(text):
        if match.group(1) in declared:
            found.append((f"{match.group(0)} names no property; write $(workspaces.{match.group(1)}.path)", "warning"))
    return found


def check(unit: Unit) -> Iterator[Finding]:
    for site in task_specs(unit):
        if not site.standalone:
            continue
        declared = {name for _, w in items(site.spec, "workspaces") if isinstance(name := w.get("name"), str)}
        if site.obj.kind == "Task" and pac.in_tekton_folder(site.obj):
            declared |= pac.inlined_bindings(unit).get(site.obj.name, frozenset())
        containers: list[tuple[tuple, dict, str | None]] = [
            (site.at("steps", i), step, None) for i, step in items(site.spec, "steps")
        ]
        containers += [(site.at("sidecars", i), car, "warning") for i, car in items(site.spec, "sidecars")]
        for base, container, level in containers:
            for path, text, _ in container_fields(container, base, needle="$(workspaces"):
                for problem, problem_level in _problems(text, declared, site.label):
                    yield Finding(site.obj, path, f"{site.label}: {problem}", level=problem_level or level)
