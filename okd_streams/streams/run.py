"""The PipelineRun a stream's trigger would create, built from the rendered stream.

`okd-streams run` starts a stream's build by hand with exactly what the stream's own trigger
would create, so it follows the trigger's data flow (base/triggers/) on the rendered objects:

  CronJob (its curl `--data` JSON body) -> EventListener trigger (the one whose template runs
  the Pipeline; a plain `body.KEY == 'VALUE'` CEL filter is honoured) -> TriggerBindings
  (`$(body.x)`, `$(header.x)` read from that body) -> TriggerTemplate (its param defaults) ->
  `$(tt.params.x)` and `$(uid)` replaced in the resource template's JSON text, as Triggers'
  `applyParamToResourceTemplate` does it (raw text replacement, no quoting).

The stream card's values are already in the rendered TriggerTemplate (base/stream-card copies
them), so nothing here reads the card. The run is created in the EventListener's namespace,
with the labels the EventListener's sink adds (`triggers.tekton.dev/eventlistener`, `/trigger`).
`--set` values are applied after the template, as params of the PipelineRun.
"""

from __future__ import annotations

import difflib
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from okd_streams.errors import UsageError
from okd_streams.model.objects import Obj, Provenance, Unit, get, items
from okd_streams.tekton import resolve
from okd_streams.tekton.pipeline import VERSIONS

PIPELINE_LABEL = "okd-streams.io/pipeline"
EL_LABEL = "triggers.tekton.dev/eventlistener"
TRIGGER_LABEL = "triggers.tekton.dev/trigger"
_TT_VARIABLE = re.compile(r"\$\(tt\.params\.([^)]+)\)")
_SIMPLE_FILTER = re.compile(r"""^\s*body\.([A-Za-z0-9_]+)\s*==\s*(['"])([^'"]*)\2\s*$""")


class RunError(UsageError):
    """The stream cannot give the run asked for (no such pipeline, no trigger for it...)."""


@dataclass
class Trigger:
    """One way into a Pipeline: the EventListener trigger, its template and bindings."""

    listener: Obj
    name: str
    template: Obj
    index: int  # of the PipelineRun in the template's resourcetemplates
    bindings: list[Obj] = field(default_factory=list)
    filters: list[tuple[str, str]] = field(default_factory=list)  # plain `body.k == 'v'` filters


@dataclass
class Plan:
    """A run ready to create: the object, where it came from, and the event that made it."""

    pipeline: str
    run: dict
    obj: Obj  # the run as an object whose findings point at the TriggerTemplate's lines
    namespace: str
    body: dict
    trigger: Trigger
    params: dict[str, str]  # the TriggerTemplate params as resolved


def pipelines(unit: Unit) -> list[str]:
    """The Pipelines a stream's triggers run, card order first (the card's first is the default)."""
    found = [name for name, _ in _triggers(unit)]
    card = get(unit.card.data if unit.card is not None else None, "spec", "pipelines")
    order = [str(key) for key in card] if isinstance(card, dict) else []
    return sorted(dict.fromkeys(found), key=lambda name: (order.index(name) if name in order else len(order), name))


def _runs_pipeline(unit: Unit, template: Obj) -> Iterator[tuple[int, str]]:
    for index, resource in items(template.data, "spec", "resourcetemplates"):
        if resource.get("kind") != "PipelineRun" or resource.get("apiVersion") not in VERSIONS:
            continue
        name = get(resource, "spec", "pipelineRef", "name")
        if isinstance(name, str) and name:
            yield index, name


def _triggers(unit: Unit) -> Iterator[tuple[str, Trigger]]:
    """(Pipeline name, trigger) for every EventListener trigger whose template runs a Pipeline."""
    for listener in unit.of_kind("EventListener"):
        for _, entry in items(listener.data, "spec", "triggers"):
            ref = get(entry, "template", "ref") or get(entry, "template", "name")
            template = unit.find("TriggerTemplate", ref) if isinstance(ref, str) else None
            if template is None:
                continue
            bindings = []
            for _, binding in items(entry, "bindings"):
                name = binding.get("ref") or binding.get("name")
                if binding.get("kind", "TriggerBinding") == "TriggerBinding" and isinstance(name, str):
                    found = unit.find("TriggerBinding", name)
                    if found is not None:
                        bindings.append(found)
            filters = []
            for _, interceptor in items(entry, "interceptors"):
                for _, param in items(interceptor, "params"):
                    match = _SIMPLE_FILTER.match(str(param.get("value", ""))) if param.get("name") == "filter" else None
                    if match:
                        filters.append((match.group(1), match.group(3)))
            for index, pipeline in _runs_pipeline(unit, template):
                yield pipeline, Trigger(listener, str(entry.get("name", "")), template, index, bindings, filters)


def cron_body(unit: Unit, pipeline: str) -> dict | None:
    """The JSON body the stream's CronJob for `pipeline` posts (curl `--data`), or None."""
    for cron in unit.of_kind("CronJob"):
        labels = cron.metadata.get("labels")
        if cron.name != pipeline and not (isinstance(labels, dict) and labels.get(PIPELINE_LABEL) == pipeline):
            continue
        for _, container in items(cron.data, "spec", "jobTemplate", "spec", "template", "spec", "containers"):
            argv = [*(container.get("command") or []), *(container.get("args") or [])]
            for position, arg in enumerate(argv):
                data = None
                if arg in ("--data", "-d", "--data-raw", "--data-binary") and position + 1 < len(argv):
                    data = argv[position + 1]
                elif isinstance(arg, str) and arg.startswith("--data="):
                    data = arg.partition("=")[2]
                if isinstance(data, str):
                    try:
                        body = json.loads(data)
                    except ValueError:
                        continue
                    if isinstance(body, dict):
                        return body
    return None


def json_path(event: dict, expression: str) -> str:
    """A binding expression's value the way Triggers' parseJSONPath gives it: a string as is,
    anything else as compact JSON. Dotted keys and [N] indexes."""
    current: Any = event
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", expression):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(current, list) or index >= len(current):
                raise RunError(f"the event has no {expression}")
            current = current[index]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise RunError(f"the event body has no {expression}: a TriggerBinding reads $({expression})")
    if isinstance(current, str):
        return current
    return json.dumps(current, separators=(",", ":"))


def bind(bindings: list[Obj], body: dict, headers: dict[str, str] | None = None) -> dict[str, str]:
    """The TriggerBindings' params with `$(body...)`/`$(header...)` read from the event."""
    event = {"body": body, "header": headers or {}}
    values: dict[str, str] = {}
    for binding in bindings:
        for _, param in items(binding.data, "spec", "params"):
            name, value = param.get("name"), param.get("value")
            if not isinstance(name, str) or not isinstance(value, str):
                continue
            values[name] = re.sub(r"\$\(((?:body|header)[^)]*)\)", lambda m: json_path(event, m.group(1)), value)
    return values


def template_params(template: Obj, bound: dict[str, str]) -> dict[str, str]:
    """Triggers' mergeInDefaultParams: the template's defaults, then the bound values."""
    merged = {}
    for _, spec in items(template.data, "spec", "params"):
        if isinstance(spec.get("name"), str) and isinstance(spec.get("default"), str):
            merged[spec["name"]] = spec["default"]
    merged.update(bound)
    return merged


def substitute(resource: dict, params: dict[str, str], uid: str) -> dict:
    """`$(tt.params.x)` and `$(uid)` replaced in the resource template's JSON text, as Triggers does."""
    text = json.dumps(resource)
    for name, value in params.items():
        text = text.replace(f"$(tt.params.{name})", value)
    text = text.replace("$(uid)", uid)
    try:
        result = json.loads(text)
    except ValueError:
        raise RunError("a TriggerTemplate param value breaks the resource template's JSON (a quote?)") from None
    if not isinstance(result, dict):
        raise RunError("the resource template is not an object")
    return result


def _pick(unit: Unit, pipeline: str, body: dict | None) -> Trigger:
    candidates = [trigger for name, trigger in _triggers(unit) if name == pipeline]
    if not candidates:
        known = pipelines(unit)
        close = difflib.get_close_matches(pipeline, known, n=1)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        raise RunError(
            f'no trigger of stream {unit.stream} runs Pipeline "{pipeline}": {hint}'
            f"(Pipelines its triggers run: {resolve.names_list(known)})"
        )
    if body is not None:
        matching = [t for t in candidates if all(str(body.get(key)) == value for key, value in t.filters)]
        candidates = matching or candidates
    return candidates[0]


def _set_params(run: dict, sets: list[tuple[str, str]], pipeline: Obj | None) -> None:
    """`--set NAME=VALUE` as params of the run: an array or object param of the Pipeline takes
    JSON (or, for an array, comma-separated items)."""
    declared = {
        p.get("name"): p.get("type", "string") for _, p in items(pipeline.data if pipeline else {}, "spec", "params")
    }
    spec = run.setdefault("spec", {})
    params = spec.setdefault("params", [])
    if not isinstance(params, list):
        raise RunError("the TriggerTemplate's PipelineRun params are not a list")
    for name, text in sets:
        kind = declared.get(name, "string")
        value: Any = text
        if kind in ("array", "object"):
            try:
                value = json.loads(text)
            except ValueError:
                if kind == "object":
                    raise RunError(
                        f'--set {name}: param "{name}" is an object: give JSON, {{"key": "value"}}'
                    ) from None
                value = [item.strip() for item in text.split(",") if item.strip()]
        for param in params:
            if isinstance(param, dict) and param.get("name") == name:
                param["value"] = value
                break
        else:
            params.append({"name": name, "value": value})


def run_obj(run: dict, trigger: Trigger) -> Obj:
    """The run as an object: findings on it point at the TriggerTemplate's lines (and at the
    card or patch lines that put a value there)."""
    template = trigger.template
    base = ("spec", "resourcetemplates", trigger.index)
    provenance = []
    if template.doc is not None:
        provenance.append(Provenance((), template.doc, base))
    for prov in template.provenance:
        if prov.target[: len(base)] == base:
            provenance.append(Provenance(prov.target[len(base) :], prov.doc, prov.source))
    return Obj(run, template.file, None, provenance)


def plan(unit: Unit, pipeline: str | None = None, sets: list[tuple[str, str]] | None = None) -> Plan:
    """The PipelineRun stream `unit`'s trigger for `pipeline` (default: the card's first) creates."""
    known = pipelines(unit)
    if pipeline is None:
        if not known:
            raise RunError(f"no trigger of stream {unit.stream} runs a Pipeline")
        pipeline = known[0]
    body = cron_body(unit, pipeline)
    trigger = _pick(unit, pipeline, body)
    if body is None:  # no CronJob (a stream run by hand only): what one would post by hand
        body = dict(trigger.filters)
        body.setdefault("trigger", "manual")
    params = template_params(trigger.template, bind(trigger.bindings, body))
    resource = get(trigger.template.data, "spec", "resourcetemplates", trigger.index)
    run = substitute(resource, params, str(uuid.uuid4()))
    metadata = run.setdefault("metadata", {})
    namespace = metadata.get("namespace") or trigger.listener.namespace
    if namespace:
        metadata["namespace"] = namespace
    labels = metadata.setdefault("labels", {})
    labels[EL_LABEL] = trigger.listener.name
    labels[TRIGGER_LABEL] = trigger.name
    if sets:
        _set_params(run, sets, resolve.find(unit, "Pipeline", pipeline, resolve.PIPELINES))
    return Plan(pipeline, run, run_obj(run, trigger), namespace or "", body, trigger, params)


def with_run(unit: Unit, obj: Obj) -> Unit:
    """A unit of the stream's objects and the run, checked together as the cluster will see them."""
    return Unit(
        unit.label,
        [*unit.objects, obj],
        stream=unit.stream,
        card=unit.card,
        foreign=unit.foreign,
        rendered=unit.rendered,
        build_error=unit.build_error,
        kustomization=unit.kustomization,
        directory=unit.directory,
        kustomizations=unit.kustomizations,
        kustomization_files=unit.kustomization_files,
        target=unit.target,
    )
