"""A TriggerTemplate param without default that a trigger using the template never binds.

What it does:
  For every EventListener trigger (and Trigger object) whose template is a
  TriggerTemplate of the same unit, collects the params its bindings supply (the
  TriggerBindings and ClusterTriggerBindings it references, and inline `name`/`value`
  bindings) and reports each template param that has no default and is not supplied.
  A trigger that uses a binding not in the unit is skipped (its params are unknown).
  The level follows where the template uses the param: an error where the API server
  validates the value (`metadata.name`, `generateName`, `namespace`, label keys and
  values, annotation keys), a warning elsewhere, and info when no resource template uses
  it at all (nothing is left unreplaced; the declaration is only dead).

Why:
  Triggers does not fail: it creates the resources with the text `$(tt.params.x)` left
  in them, so the PipelineRun starts with a literal `$(tt.params.x)` as a value. In a
  name or a label the API server then refuses the resource (`a lowercase RFC 1123
  subdomain must consist of...`), so every event fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

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
    unbound = [n for n, param in P.specs(spec.get("params")).items() if n not in names and not P.has_default(param)]
    if not unbound:
        return
    uses = _uses(spec)
    at = base + ("bindings",) if "bindings" in trigger else base
    for name in unbound:
        fields = uses.get(name, [])
        validated = [field for field, checked in fields if checked]
        head = f'{who} does not bind param "{name}" of {label}, which has no default'
        if validated:
            yield Finding(
                obj,
                at,
                f"{head}: Triggers leaves $(tt.params.{name}) in {validated[0]}, which the API server "
                "rejects as not a valid name or label, so every event fails; add a binding for it or give it "
                "a default",
                level="error",
            )
        elif fields:
            yield Finding(
                obj,
                at,
                f"{head}: Triggers leaves $(tt.params.{name}) unreplaced in {fields[0][0]}; add a binding for "
                "it or give it a default",
            )
        else:
            yield Finding(
                obj,
                at,
                f"{head}, and no resource template uses it: nothing is left unreplaced, so remove the "
                "declaration or give it a default",
                level="info",
            )


# `$(tt.params.x)`, and the older `$(params.x)` that some templates still write.
_PARAM_USE = re.compile(r"\$\((?:tt\.)?params\.([^.)\s\[]+)")
_NAME_FIELDS = ("name", "generateName", "namespace")  # metadata fields the API server validates


def _uses(spec: dict) -> dict[str, list[tuple[str, bool]]]:
    """Per template param: (the field of a resource template that uses it, whether the API
    server validates that field's value), in document order."""
    found: dict[str, list[tuple[str, bool]]] = {}
    templates = spec.get("resourcetemplates", spec.get("resourceTemplates"))  # Triggers reads either
    for index, template in enumerate(templates if isinstance(templates, list) else []):
        if not isinstance(template, dict):
            continue
        kind = template.get("kind") if isinstance(template.get("kind"), str) else "resource"
        where = f"resource template {index + 1} ({kind})"
        given = template.get("metadata")
        metadata: dict = given if isinstance(given, dict) else {}
        for key in _NAME_FIELDS:
            _record(found, metadata.get(key), f"metadata.{key} of {where}", True)
        for key in ("labels", "annotations"):
            entries = metadata.get(key)
            for label, value in entries.items() if isinstance(entries, dict) else ():
                _record(found, str(label), f"a metadata.{key} key of {where}", True)
                # Annotation values are free text; label values are validated.
                _record(found, value, f"metadata.{key}.{label} of {where}", key == "labels")
        rest = {k: v for k, v in template.items() if k != "metadata"}
        rest["metadata"] = {k: v for k, v in metadata.items() if k not in (*_NAME_FIELDS, "labels", "annotations")}
        _walk(found, rest, where, "")
    return found


def _record(found: dict[str, list[tuple[str, bool]]], value: Any, field: str, checked: bool) -> None:
    if isinstance(value, str) and "params." in value:
        for name in _PARAM_USE.findall(value):
            found.setdefault(name, []).append((field, checked))


def _walk(found: dict[str, list[tuple[str, bool]]], value: Any, where: str, path: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(found, item, where, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(found, item, where, f"{path}[{index}]")
    else:
        _record(found, value, f"{path} of {where}", False)


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
