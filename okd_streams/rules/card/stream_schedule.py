"""A stream whose CronJob does not run on the schedule its stream card sets.

What it does:
  For every Pipeline with a `schedule` in the stream card, finds the rendered CronJobs
  labelled `okd-streams.io/pipeline: <pipeline>` (or named after the Pipeline) and
  checks that their `spec.schedule` is the card's: the kustomize replacement that copies
  the schedule (base/stream-card) is wired. A scheduled Pipeline without a CronJob is
  reported too.

Why:
  The card is what people read and edit; if the replacement is missing or selects the
  wrong CronJob, the stream keeps running on the base's placeholder schedule and nobody
  notices.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.components import runs_manually
from okd_streams.model.objects import Finding, Obj, Unit
from okd_streams.rules.card import _shared as _card

ID = "stream-schedule"
CODE = "C006"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def cronjobs(unit: Unit, pipeline: str) -> list[Obj]:
    labelled = []
    named = []
    for obj in unit.of_kind("CronJob"):
        labels = obj.metadata.get("labels")
        if isinstance(labels, dict) and labels.get(_card.PIPELINE_LABEL) == pipeline:
            labelled.append(obj)
        elif obj.name == pipeline:
            named.append(obj)
    return labelled or named


def check(unit: Unit) -> Iterator[Finding]:
    if not unit.stream or not unit.rendered or unit.build_error is not None:
        return
    card = _card.card_obj(unit)
    if card is None:
        return
    for key, entry in _card.pipelines(card):
        schedule = entry.get("schedule")
        pipeline = _card.card_pipeline(unit, key)
        if not isinstance(schedule, str) or pipeline is None:
            continue  # no such Pipeline: stream-card-pipeline-exists (C002)
        path = ("spec", "pipelines", key, "schedule")
        found = cronjobs(unit, key)
        if not found:
            if runs_manually(unit):
                continue  # deleted on purpose: started by hand
            if not _card.card_pipeline_runs(unit, key, pipeline):
                continue  # no trigger at all (a component not listed): one finding, C002's
            yield Finding(
                card,
                path,
                f'stream {unit.stream} has no CronJob for Pipeline "{key}" (labelled '
                f"{_card.PIPELINE_LABEL}: {key}), so the card's schedule starts nothing",
            )
            continue
        for cronjob in found:
            actual = cronjob.spec.get("schedule")
            if actual != schedule:
                yield Finding(
                    card,
                    path,
                    f'CronJob "{cronjob.name}" of stream {unit.stream} runs on "{actual}", '
                    f'not on the card\'s schedule "{schedule}": copy spec.pipelines.{key}.schedule into its '
                    "spec.schedule with a kustomize replacement (see base/stream-card)",
                )
