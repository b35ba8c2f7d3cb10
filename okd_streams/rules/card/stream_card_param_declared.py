"""A stream card param that its Pipeline does not declare.

What it does:
  Checks each param under `spec.pipelines.<pipeline>.params` of a stream card against
  the params the rendered Pipeline declares, and reports one it does not declare,
  listing those it does.

Why:
  Tekton ignores a PipelineRun param its Pipeline does not declare: a misspelled name
  in the card means the stream silently runs with the Pipeline's default instead of the
  value its owner set.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.rules.card import _shared as _card
from okd_streams.tekton import binding

ID = "stream-card-param-declared"
CODE = "C003"
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
    for key, entry in _card.pipelines(card):
        pipeline = _card.card_pipeline(unit, key)
        if pipeline is None:
            continue  # stream-card-pipeline-exists (C002)
        declarations = pipeline.spec.get("params")
        args = binding.card_args(entry.get("params"), ("spec", "pipelines", key, "params"))
        declared = ", ".join(binding.P.specs(declarations)) or "none"
        for issue in binding.check(args, declarations, f"stream {unit.stream}", f'Pipeline "{pipeline.name}"'):
            if issue.kind == "extra" and issue.arg:
                yield Finding(
                    card,
                    issue.arg.path + ("name",),
                    f'the stream card sets param "{issue.name}" for Pipeline "{pipeline.name}", which '
                    f"does not declare it (declared: {declared}); Tekton would ignore it",
                )
