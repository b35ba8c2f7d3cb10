"""A stream card entry for a Pipeline the stream does not have, or that nothing runs.

What it does:
  For every Pipeline named under `spec.pipelines` of a stream card, checks that the
  rendered stream has that Pipeline and a TriggerTemplate whose PipelineRun runs it
  (the run the card's params and schedule are for). A Pipeline whose trigger comes from an
  opt-in component names it in its `okd-streams.io/trigger-component` annotation, and the
  finding says to list that component.

Why:
  Values for a Pipeline that is not there go nowhere: a misspelled or renamed Pipeline
  in the card silently drops the stream's settings, and kustomize does not complain.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.rules.card import _shared as _card
from okd_streams.tekton import resolve

ID = "stream-card-pipeline-exists"
CODE = "C002"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    if not unit.stream or not unit.rendered or unit.build_error is not None:
        return
    card = _card.card_obj(unit)
    if card is None:
        return
    pipelines = sorted({obj.name for obj in unit.of_kind("Pipeline") if obj.group == resolve.PIPELINES})
    for key, _ in _card.pipelines(card):
        path = ("spec", "pipelines", key)
        pipeline = _card.card_pipeline(unit, key)
        if pipeline is None:
            yield Finding(
                card,
                path,
                f'the stream card sets values for Pipeline "{key}", which stream {unit.stream} '
                f"does not have (Pipelines: {resolve.names_list(pipelines)})",
            )
            continue
        if not _card.card_pipeline_runs(unit, key, pipeline):
            component = _card.trigger_component(pipeline)
            fix = (
                f"list the component that adds its trigger, ../../{component}, in the stream's kustomization"
                if component
                else "add a TriggerTemplate whose PipelineRun runs it"
            )
            yield Finding(
                card,
                path,
                f'no TriggerTemplate of stream {unit.stream} runs Pipeline "{key}": the card\'s '
                f"params and schedule for it reach nothing; {fix}",
            )
