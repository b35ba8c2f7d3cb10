"""A param bound twice: in one TriggerBinding, or by two bindings of the same trigger.

What it does:
  Reports a TriggerBinding (or ClusterTriggerBinding) that lists a param name twice,
  and an EventListener trigger (or Trigger) whose bindings together supply a param name
  more than once: two referenced TriggerBindings, or a binding and an inline
  `name`/`value` binding, both setting it.

Why:
  The Triggers webhook rejects a TriggerBinding with a duplicate param; a trigger whose
  bindings overlap passes admission but fails on every event (`duplicate param name`),
  so no PipelineRun is ever created.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, items
from okd_streams.tekton import resolve

ID = "trigger-binding-params-unique"
CODE = "R032"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _trigger(unit: Unit, obj: Obj, base: tuple, trigger: dict, who: str) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for index, binding in items(trigger, "bindings"):
        ref = binding.get("ref")
        path = base + ("bindings", index)
        if isinstance(binding.get("spec"), dict):
            names = {given for _, p in items(binding["spec"], "params") if isinstance(given := p.get("name"), str)}
            source = "an inline binding spec"
            dupes = [p.get("name") for _, p in items(binding["spec"], "params")]
            for name in sorted({n for n in dupes if isinstance(n, str) and dupes.count(n) > 1}):
                yield Finding(
                    obj,
                    path,
                    f'{who} binds param "{name}" twice in an inline binding spec; Triggers '
                    "fails every event with `duplicate param name`",
                )
        elif isinstance(ref, str) and ref:
            kind = given if isinstance(given := binding.get("kind"), str) and given else "TriggerBinding"
            found = resolve.find(unit, kind, ref, resolve.TRIGGERS, obj.namespace)
            if found is None:
                continue
            names = {given for _, p in items(found.spec, "params") if isinstance(given := p.get("name"), str)}
            source = f'{kind} "{ref}"'
        elif isinstance(binding.get("name"), str) and "value" in binding:
            names = {binding["name"]}
            source = f'the inline binding "{binding["name"]}"'
        else:
            continue
        for name in sorted(names):
            if name in seen:
                yield Finding(
                    obj,
                    path,
                    f'{who} binds param "{name}" twice, by {seen[name]} and by {source}; '
                    "Triggers fails every event with `duplicate param name`",
                )
            else:
                seen[name] = source


def check(unit: Unit) -> Iterator[Finding]:
    for kind in ("TriggerBinding", "ClusterTriggerBinding"):
        for obj in unit.of_kind(kind):
            if obj.group != resolve.TRIGGERS:
                continue
            seen: set[str] = set()
            for index, param in items(obj.data, "spec", "params"):
                name = param.get("name")
                if not isinstance(name, str):
                    continue
                if name in seen:
                    yield Finding(
                        obj,
                        ("spec", "params", index, "name"),
                        f'{kind} "{obj.name}" declares param "{name}" twice; the Triggers webhook rejects it',
                    )
                seen.add(name)
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
            yield from _trigger(unit, obj, ("spec", "triggers", index), trigger, who)
    for obj in unit.of_kind("Trigger"):
        if obj.group == resolve.TRIGGERS:
            yield from _trigger(unit, obj, ("spec",), obj.spec, f'Trigger "{obj.name}"')
