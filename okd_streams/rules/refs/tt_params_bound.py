"""A TriggerTemplate param without default that a trigger using the template never binds.

What it does:
  For every EventListener trigger (and Trigger object) whose template is a
  TriggerTemplate of the same unit, collects the params its bindings supply (the
  TriggerBindings and ClusterTriggerBindings it references, and inline `name`/`value`
  bindings) and reports each template param that has no default and is not supplied.
  A trigger that uses a binding not in the unit is skipped (its params are unknown).

Why:
  Triggers does not fail: it creates the resources with the text `$(tt.params.x)` left
  in them, so the PipelineRun starts with a literal `$(tt.params.x)` as a value.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, items
from okd_streams.tekton import params as P
from okd_streams.tekton import resolve

ID = "tt-params-bound"
CODE = "R031"
LEVEL = "warning"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def supplied(unit: Unit, obj: Obj, trigger: dict) -> set[str] | None:
    """Param names the trigger's bindings supply; None when a binding is not in the unit."""
    names: set[str] = set()
    for _, binding in items(trigger, "bindings"):
        ref = binding.get("ref")
        if isinstance(binding.get("spec"), dict):
            names |= set(P.specs(binding["spec"].get("params")))
        elif isinstance(ref, str) and ref:
            kind = given if isinstance(given := binding.get("kind"), str) and given else "TriggerBinding"
            found = resolve.find(unit, kind, ref, resolve.TRIGGERS, obj.namespace)
            if found is None:
                return None
            names |= set(P.specs(found.spec.get("params")))
        elif isinstance(binding.get("name"), str) and "value" in binding:
            names.add(binding["name"])
        else:
            return None  # v1alpha1 `name` as a reference, or something Triggers rejects anyway
    return names


def _check_trigger(unit: Unit, obj: Obj, base: tuple, trigger: dict, who: str) -> Iterator[Finding]:
    template = trigger.get("template")
    if not isinstance(template, dict):
        return
    ref = template.get("ref") if template.get("ref") is not None else template.get("name")
    found = (
        resolve.find(unit, "TriggerTemplate", ref, resolve.TRIGGERS, obj.namespace) if isinstance(ref, str) else None
    )
    spec = found.spec if found is not None else template.get("spec") if isinstance(template.get("spec"), dict) else None
    if spec is None:
        return
    names = supplied(unit, obj, trigger)
    if names is None:
        return
    label = f'TriggerTemplate "{ref}"' if found is not None else "its template"
    for name, param in P.specs(spec.get("params")).items():
        if name not in names and not P.has_default(param):
            yield Finding(
                obj,
                base + ("bindings",) if "bindings" in trigger else base,
                f'{who} does not bind param "{name}" of {label}, which has no default: Triggers would '
                f"leave $(tt.params.{name}) unreplaced; add a binding for it or give it a default",
            )


def check(unit: Unit) -> Iterator[Finding]:
    for obj in unit.of_kind("EventListener"):
        if obj.group != resolve.TRIGGERS:
            continue
        for index, trigger in items(obj.data, "spec", "triggers"):
            name = trigger.get("name")
            who = (
                f'trigger "{name}" of EventListener "{obj.name}"'
                if isinstance(name, str) and name
                else f'trigger {index + 1} of EventListener "{obj.name}"'
            )
            yield from _check_trigger(unit, obj, ("spec", "triggers", index), trigger, who)
    for obj in unit.of_kind("Trigger"):
        if obj.group == resolve.TRIGGERS:
            yield from _check_trigger(unit, obj, ("spec",), obj.spec, f'Trigger "{obj.name}"')
