"""An EventListener or Trigger whose template, bindings, trigger or interceptor names nothing.

What it does:
  For every EventListener trigger (and every Trigger object) checks that it has a
  template or a `triggerRef` (the Triggers webhook rejects one with neither, or a
  template with neither `ref` nor `spec`), that each binding has exactly one of `ref` and
  `name` (and a `value` with a `name`), and looks up what it names among the objects
  of the same unit: `triggerRef` (a Trigger), `template.ref` (a TriggerTemplate),
  `bindings[].ref` (a TriggerBinding, or a ClusterTriggerBinding with
  `kind: ClusterTriggerBinding`) and `interceptors[].ref` of kind
  NamespacedInterceptor. In a rendered stream a missing object is an error (the stream
  must be self-contained); in a lint set a warning, unless the build itself renamed the
  object (namePrefix/nameSuffix) and left the reference behind: then it is an error. ClusterTriggerBindings and
  ClusterInterceptors are cluster-scoped: one not in the set is only noted (info), and
  the interceptors Triggers installs (cel, github, gitlab, bitbucket, slack) not at all.

Why:
  The EventListener resolves these when an event arrives: a misspelled binding or
  template makes every event fail with `error getting TriggerTemplate`, and no
  PipelineRun is ever created. Nothing tells the stream's owner.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Obj, Unit, items
from okd_streams.tekton import renames, resolve
from okd_streams.tekton.schema_issues import given_wrongly

ID = "trigger-refs-resolve"
CODE = "R003"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _missing(unit: Unit, obj: Obj, path: tuple, who: str, kind: str, name: str) -> Finding:
    target = renames.renamed(unit, kind, name, resolve.TRIGGERS, obj.namespace)
    if target is not None:
        return renames.dangling(obj, path, who, kind, name, target)
    if resolve.unresolved_level(unit) == "error":
        return Finding(
            obj,
            path,
            f'{who} names {kind} "{name}", which this stream does not contain; a stream '
            f"must be self-contained: fix the name or add the {kind}",
        )
    return Finding(
        obj,
        path,
        f'{who} names {kind} "{name}", which is not among the checked objects; it must '
        "exist in the namespace on the cluster",
        level="warning",
    )


def _lookup(
    unit: Unit, obj: Obj, path: tuple, who: str, kind: str, name: Any, cluster: bool = False
) -> Iterator[Finding]:
    if not isinstance(name, str) or not name or resolve.has_variable(name):
        return
    if resolve.find(unit, kind, name, resolve.TRIGGERS, obj.namespace) is not None:
        return
    if cluster:
        yield Finding(
            obj,
            path,
            f'{who} names {kind} "{name}", which is not among the checked objects; it must exist on the cluster',
            level="info",
        )
        return
    yield _missing(unit, obj, path, who, kind, name)


def _trigger(unit: Unit, obj: Obj, base: tuple, trigger: dict, who: str, standalone: bool) -> Iterator[Finding]:
    trigger_ref = trigger.get("triggerRef")
    template = trigger.get("template")
    if not standalone and isinstance(trigger_ref, str) and trigger_ref:
        yield from _lookup(unit, obj, base + ("triggerRef",), who, "Trigger", trigger_ref)
    elif not isinstance(template, dict) and not any(
        given_wrongly(unit, obj, base, field) for field in ("template", "triggerRef")
    ):  # a misspelt or mistyped template is the schema stage's finding (V001, V002)
        what = "a template" if standalone else "a template or a triggerRef"
        yield Finding(obj, base, f"{who} has no template: give it {what} (the Triggers webhook rejects it)")
    if isinstance(template, dict):
        ref = template.get("ref") if template.get("ref") is not None else template.get("name")
        key = "ref" if template.get("ref") is not None or template.get("name") is None else "name"
        if (not isinstance(ref, str) or not ref) and not isinstance(template.get("spec"), dict):
            yield Finding(
                obj,
                base + ("template",),
                f"{who} has a template with neither ref nor spec (the Triggers webhook rejects it)",
            )
        else:
            yield from _lookup(unit, obj, base + ("template", key), who, "TriggerTemplate", ref)
    for index, binding in items(trigger, "bindings"):
        shape = _binding_shape(binding)
        if shape:
            yield Finding(obj, base + ("bindings", index), f"binding {index + 1} of {who} {shape}")
            continue
        ref = binding.get("ref")
        kind = binding.get("kind") if isinstance(binding.get("kind"), str) and binding.get("kind") else "TriggerBinding"
        if kind not in ("TriggerBinding", "ClusterTriggerBinding"):
            continue
        yield from _lookup(
            unit, obj, base + ("bindings", index, "ref"), who, kind, ref, cluster=kind == "ClusterTriggerBinding"
        )
    for index, interceptor in items(trigger, "interceptors"):
        ref = interceptor.get("ref")
        if not isinstance(ref, dict):
            continue
        name = ref.get("name")
        kind = ref.get("kind") if isinstance(ref.get("kind"), str) and ref.get("kind") else "ClusterInterceptor"
        path = base + ("interceptors", index, "ref", "name")
        if kind == "NamespacedInterceptor":
            yield from _lookup(unit, obj, path, who, kind, name)
        elif kind == "ClusterInterceptor" and name not in resolve.BUILTIN_INTERCEPTORS:
            yield from _lookup(unit, obj, path, who, kind, name, cluster=True)


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
            yield from _trigger(unit, obj, ("spec", "triggers", index), trigger, who, False)
    for obj in unit.of_kind("Trigger"):
        if obj.group == resolve.TRIGGERS and obj.spec:
            yield from _trigger(unit, obj, ("spec",), obj.spec, f'Trigger "{obj.name}"', True)


def _binding_shape(binding: dict) -> str | None:
    """What the Triggers webhook refuses in a binding (asked with the oracle): a binding names a
    TriggerBinding (`ref`) or is one param of its own (`name` with a `value`), exactly one."""
    has_ref = isinstance(binding.get("ref"), str) and binding["ref"] != ""
    has_name = isinstance(binding.get("name"), str) and binding["name"] != ""
    if has_ref and has_name:
        return (
            "sets both ref and name: it names a TriggerBinding (ref) or is a param of its own (name "
            'with a value), not both ("expected exactly one, got both")'
        )
    if not has_ref and not has_name:
        return (
            "has neither ref nor name: give the TriggerBinding it names (ref), or a param of its own "
            '(name with a value) ("expected exactly one, got neither")'
        )
    if has_name and binding.get("value") is None:
        return (
            f'is the param "{binding["name"]}" of its own but has no value ("missing field(s): value"); '
            "give it one, or name a TriggerBinding with ref"
        )
    return None
