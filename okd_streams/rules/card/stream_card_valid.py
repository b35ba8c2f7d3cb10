"""A stream card that is missing, incomplete or malformed.

What it does:
  Checks `streams/<name>/stream.yaml` (kind StreamCard): it exists and is named after
  its stream; `spec` has `description`, `owners` (a non-empty list of names), `os`,
  `version` (a string: quote "4.19"), `namespace` (a DNS label), `sync` (`automatic` or
  `manual`) and `pipelines`, and no other keys but `timeZone` (an IANA time zone name
  such as `Etc/UTC`, which base/stream-card copies into every CronJob's `spec.timeZone`:
  a card without it does not build, K001); each pipeline has a `schedule` that
  Kubernetes accepts for a CronJob (five fields with ranges, steps, lists and names
  such as MON or JAN, or a macro such as `@daily`; the time zone is `timeZone`, never a
  TZ= prefix) and `params`, a list of `{name, value}` with unique names and string,
  list-of-strings or string-map values.

Why:
  The card is the one place a stream's values live; kustomize copies them into the
  triggers. A typo in a key is silently ignored by kustomize, a bad schedule is
  rejected by the API server only when Argo CD syncs, and so is an unknown time zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Obj, Unit
from okd_streams.rules.card import _shared as _card
from okd_streams.schema.names import DNS1123_LABEL

ID = "stream-card-valid"
CODE = "C001"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _spec(card: Obj, stream: str) -> Iterator[Finding]:
    name = card.name
    if name != stream:
        yield Finding(
            card,
            ("metadata", "name"),
            f'the stream card is named "{name}", not after its stream "{stream}": set metadata.name: {stream}',
        )
    spec = card.data.get("spec")
    if not isinstance(spec, dict):
        yield Finding(
            card,
            ("spec",),
            "the stream card has no spec mapping: add description, owners, os, version, namespace, sync and pipelines",
        )
        return
    for key, what in _card.SPEC_FIELDS.items():
        if key not in spec and key not in _card.OPTIONAL_SPEC_FIELDS:
            yield Finding(card, ("spec",), f"the stream card does not set spec.{key} ({what})")
    for key in spec:
        if key not in _card.SPEC_FIELDS:
            yield Finding(
                card,
                ("spec", key),
                f'unknown key "spec.{key}" in the stream card (known: {", ".join(_card.SPEC_FIELDS)})',
            )
    for key in ("description", "os", "version", "namespace"):
        if key in spec and (not isinstance(spec[key], str) or not spec[key].strip()):
            hint = f'; quote it: "{spec[key]}"' if isinstance(spec[key], (int, float)) else ""
            yield Finding(card, ("spec", key), f"spec.{key} must be a non-empty string{hint}")
    namespace = spec.get("namespace")
    if isinstance(namespace, str) and namespace.strip() and (len(namespace) > 63 or not DNS1123_LABEL.match(namespace)):
        yield Finding(
            card,
            ("spec", "namespace"),
            f"namespace \"{namespace}\" is not a DNS label (lower case letters, digits and '-', at most 63 characters)",
        )
    zone = spec.get("timeZone")
    if "timeZone" in spec:
        error = _card.time_zone_error(zone) if isinstance(zone, str) else "it must be a string, such as Etc/UTC"
        if error:
            yield Finding(card, ("spec", "timeZone"), f"spec.timeZone {zone!r} is refused by Kubernetes: {error}")
    owners = spec.get("owners")
    if "owners" in spec and (
        not isinstance(owners, list) or not owners or not all(isinstance(o, str) and o.strip() for o in owners)
    ):
        yield Finding(card, ("spec", "owners"), "spec.owners must be a non-empty list of owner names")
    sync = spec.get("sync")
    if "sync" in spec and sync not in _card.SYNC_VALUES:
        yield Finding(card, ("spec", "sync"), f"spec.sync must be automatic or manual, not {sync!r}")
    pipelines = spec.get("pipelines")
    if "pipelines" in spec and not isinstance(pipelines, dict):
        yield Finding(
            card, ("spec", "pipelines"), "spec.pipelines must map Pipeline names to their schedule and params"
        )
    elif isinstance(pipelines, dict):
        for pipeline, entry in pipelines.items():
            yield from _pipeline(card, str(pipeline), entry)


def _pipeline(card: Obj, pipeline: str, entry: Any) -> Iterator[Finding]:
    base = ("spec", "pipelines", pipeline)
    if not isinstance(entry, dict):
        yield Finding(card, base, f"spec.pipelines.{pipeline} must be a mapping with schedule and params")
        return
    for key in _card.PIPELINE_FIELDS:
        if key not in entry:
            yield Finding(card, base, f"spec.pipelines.{pipeline} does not set {key}")
    for key in entry:
        if key not in _card.PIPELINE_FIELDS:
            yield Finding(
                card,
                base + (key,),
                f'unknown key "{key}" in spec.pipelines.{pipeline} (known: {", ".join(_card.PIPELINE_FIELDS)})',
            )
    schedule = entry.get("schedule")
    if "schedule" in entry:
        if not isinstance(schedule, str):
            yield Finding(
                card, base + ("schedule",), f'the schedule of {pipeline} must be a quoted string, like "30 6 * * *"'
            )
        else:
            error = _card.schedule_error(schedule)
            if error:
                yield Finding(
                    card, base + ("schedule",), f"the schedule of {pipeline} is not a valid CronJob schedule: {error}"
                )
    params = entry.get("params")
    if "params" in entry and not isinstance(params, list):
        yield Finding(card, base + ("params",), f"the params of {pipeline} must be a list of name/value pairs")
        return
    seen: set[str] = set()
    for index, param in enumerate(params or []):
        path = base + ("params", index)
        if not isinstance(param, dict) or not isinstance(param.get("name"), str) or "value" not in param:
            yield Finding(card, path, f"each param of {pipeline} must be a mapping with a name and a value")
            continue
        extra = [key for key in param if key not in ("name", "value")]
        if extra:
            yield Finding(
                card, path + (extra[0],), f'unknown key "{extra[0]}" in a param of {pipeline} (known: name, value)'
            )
        if param["name"] in seen:
            yield Finding(card, path + ("name",), f'param "{param["name"]}" of {pipeline} is set twice')
        seen.add(param["name"])
        value = param["value"]
        ok = (
            isinstance(value, str)
            or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            or (isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))
        )
        if not ok:
            yield Finding(
                card,
                path + ("value",),
                f'the value of param "{param["name"]}" of {pipeline} must be a '
                'string (quote numbers and booleans: "true"), a list of strings or a map of strings',
            )


def check(unit: Unit) -> Iterator[Finding]:
    if not unit.stream or not unit.rendered or unit.build_error is not None:
        return
    card = _card.card_obj(unit)
    if card is None:
        where = unit.kustomization or f"streams/{unit.stream}"
        yield Finding(
            None,
            (),
            f"stream {unit.stream} has no stream card: add streams/{unit.stream}/stream.yaml "
            "(kind StreamCard) with its description, owners, schedule and params",
            file=where,
        )
        return
    yield from _spec(card, unit.stream)
