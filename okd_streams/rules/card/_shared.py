"""Helpers for the stream contract rules: the stream card as an object, its pipelines and
params, the PipelineRun templates its values feed, and CronJob schedules (okd_streams.schema.cron).

The stream card (`streams/<name>/stream.yaml`, kind StreamCard) is plain data:

    spec:
      description: str          owners: [str, ...]       os: str
      version: str              namespace: str           sync: automatic | manual
      timeZone: str (an IANA time zone such as Etc/UTC, for every CronJob of the stream)
      pipelines:
        <pipeline>:
          schedule: "<5-field cron or @daily ...>"
          params: [{name: str, value: str | [str] | {str: str}}]
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Obj, Unit, get, items
from okd_streams.schema import cron
from okd_streams.tekton import resolve

SPEC_FIELDS = {
    "description": "a sentence",
    "owners": "a list of owner names",
    "os": "the OS flavour",
    "version": 'the OKD version, quoted ("4.19")',
    "namespace": "the namespace the stream runs in",
    "sync": "automatic or manual",
    "timeZone": "the IANA time zone of the schedules, such as Etc/UTC",
    "pipelines": "a mapping of Pipeline name to schedule and params",
}
# Known but not required by the card itself: base/stream-card's replacement needs timeZone, and a
# card without it fails to build with a finding at the card (K001), once.
OPTIONAL_SPEC_FIELDS = ("timeZone",)
PIPELINE_FIELDS = ("schedule", "params")
SYNC_VALUES = ("automatic", "manual")
PIPELINE_LABEL = "okd-streams.io/pipeline"


def card_obj(unit: Unit) -> Obj | None:
    """The stream card as an object, so findings on it point at its lines."""
    if unit.card is None or not isinstance(unit.card.data, dict):
        return None
    return Obj(unit.card.data, unit.card.path, unit.card)


def pipelines(card: Obj) -> Iterator[tuple[str, dict]]:
    found = get(card.data, "spec", "pipelines")
    if isinstance(found, dict):
        for name, entry in found.items():
            if isinstance(entry, dict):
                yield str(name), entry


def card_params(entry: dict) -> Iterator[tuple[int, dict]]:
    return items(entry, "params")


def time_zone_error(name: str) -> str | None:
    """Why the API server would refuse `name` as a CronJob `timeZone` (okd_streams.schema.cron)."""
    return cron.time_zone_problem(name)


def schedule_error(schedule: str) -> str | None:
    """Why Kubernetes would reject a CronJob `schedule` (okd_streams.schema.cron), or None."""
    return cron.validate(schedule)


# --- the stream's PipelineRun templates and the card entries that feed them ------------------


def card_key(unit: Unit, holder: Obj, base: tuple, pipeline: str) -> str:
    """The card's spec.pipelines key whose params feed the run at `base` in `holder`: read from
    the replacement that copied them (provenance), else the holder's okd-streams.io/pipeline
    label, else the Pipeline's name."""
    target = base + ("spec", "params")
    for prov in holder.provenance:
        if (
            unit.card is not None
            and prov.doc.path == unit.card.path
            and prov.target == target
            and prov.source[:2] == ("spec", "pipelines")
            and len(prov.source) >= 3
        ):
            return str(prov.source[2])
    labels = holder.metadata.get("labels")
    label = labels.get(PIPELINE_LABEL) if isinstance(labels, dict) else None
    return label if isinstance(label, str) and label else pipeline


def stream_runs(unit: Unit) -> Iterator[tuple[Obj, tuple, dict, resolve.ResolvedSpec, str]]:
    """(holder, base, run, resolved Pipeline, card key) for each PipelineRun a TriggerTemplate of
    the stream creates."""
    for holder, base, run in resolve.run_templates(unit, "PipelineRun"):
        if not base:
            continue
        spec = get(run, "spec")
        if not isinstance(spec, dict):
            continue
        resolved = resolve.resolve_pipeline(unit, holder, spec, base + ("spec",))
        ref_name = resolved.ref.name if resolved.ref else ""
        name = resolved.obj.name if resolved.obj is not None else ref_name
        yield holder, base, run, resolved, card_key(unit, holder, base, name)


def card_pipeline(unit: Unit, key: str) -> Obj | None:
    """The Pipeline a card entry is about: the one its trigger runs, else the one of that name."""
    for _, _, _, resolved, run_key in stream_runs(unit):
        if run_key == key and resolved.ok and resolved.obj is not None:
            return resolved.obj
    return resolve.find(unit, "Pipeline", key, resolve.PIPELINES)


def card_pipeline_runs(unit: Unit, key: str, pipeline: Obj | None) -> bool:
    """Whether a TriggerTemplate of the stream runs the card entry `key`'s Pipeline."""
    return any(key == run_key or resolved.obj is pipeline for _, _, _, resolved, run_key in stream_runs(unit))


TRIGGER_COMPONENT = "okd-streams.io/trigger-component"


def trigger_component(pipeline: Obj | None) -> str | None:
    """The opt-in component that adds the Pipeline's trigger, as its annotation names it."""
    annotations = pipeline.metadata.get("annotations") if pipeline is not None else None
    value = annotations.get(TRIGGER_COMPONENT) if isinstance(annotations, dict) else None
    return value if isinstance(value, str) and value else None
