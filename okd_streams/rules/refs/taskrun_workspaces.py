"""A TaskRun whose workspaces or step/sidecar overrides do not fit its Task.

What it does:
  Checks every TaskRun (standalone or in a TriggerTemplate) against the Task it runs:
  each workspace the Task declares without `optional: true` is bound; each binding names
  a declared workspace (an inline taskSpec may use bound workspaces it does not declare:
  propagated workspaces); each `stepSpecs` / `sidecarSpecs` entry (v1beta1:
  `stepOverrides` / `sidecarOverrides`) names a step or sidecar of the Task.

Why:
  The TaskRun reconciler checks these only when the run is created: `declared workspace
  "w" is required but has not been bound`, `invalid StepOverride: No Step named x`.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get, items
from okd_streams.tekton import resolve
from okd_streams.tekton.schema_issues import given_wrongly

ID = "taskrun-workspaces"
CODE = "R024"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False

OVERRIDES = (
    ("stepSpecs", "steps", "step"),
    ("stepOverrides", "steps", "step"),
    ("sidecarSpecs", "sidecars", "sidecar"),
    ("sidecarOverrides", "sidecars", "sidecar"),
)


def check(unit: Unit) -> Iterator[Finding]:
    for holder, base, run in resolve.run_templates(unit, "TaskRun"):
        spec = get(run, "spec")
        if not isinstance(spec, dict):
            continue
        resolved = resolve.resolve_task(unit, holder, spec, base + ("spec",))
        if not resolved.ok:
            continue
        who = resolve.run_label(holder, base, run, "TaskRun")
        declared = resolve.workspace_specs(resolved.spec)
        bound: dict[str, int] = {}
        for index, binding in items(spec, "workspaces"):
            if isinstance(binding.get("name"), str):
                bound.setdefault(binding["name"], index)
        missing = [n for n, w in declared.items() if w.get("optional") is not True and n not in bound]
        unknown = [(n, i) for n, i in bound.items() if n not in declared] if resolved.obj is not None else []
        if len(missing) == 1 and len(unknown) == 1:  # one binding under the wrong name: one mistake
            (name, index), wanted = unknown[0], missing[0]
            yield Finding(
                holder,
                base + ("spec", "workspaces", index, "name"),
                f'{who} binds workspace "{name}", which {resolved.label} does not declare, and leaves '
                f'"{wanted}", which it requires, unbound: name the binding "{wanted}"',
            )
            missing, unknown = [], []
        if missing and given_wrongly(unit, holder, (*base, "spec"), "workspaces"):
            missing = []  # the bindings misspelt or mistyped: the schema stage's finding (V001, V002)
        for name in missing:
            yield Finding(
                holder,
                base + ("spec", "workspaces"),
                f'{who} does not bind workspace "{name}", which {resolved.label} requires',
            )
        for name, index in unknown:
            yield Finding(
                holder,
                base + ("spec", "workspaces", index, "name"),
                f'{who} binds workspace "{name}", which {resolved.label} does not declare '
                f"(declared: {resolve.names_list(declared)})",
            )
        for key, section, what in OVERRIDES:
            names = {item.get("name") for _, item in items(resolved.spec, section)}
            for index, override in items(spec, key):
                overridden = override.get("name")
                if isinstance(overridden, str) and overridden not in names:
                    yield Finding(
                        holder,
                        base + ("spec", key, index, "name"),
                        f'{who} overrides {what} "{overridden}" in {key}, but {resolved.label} has no '
                        f"such {what} "
                        f"({section}: {resolve.names_list(sorted(n for n in names if isinstance(n, str)))})",
                    )
