"""A stream whose trigger does not give its Pipeline every required param, with the right type.

What it does:
  The param contract: for every PipelineRun that a stream's TriggerTemplates create,
  checks the params it passes (the stream card's, copied in by kustomize replacements)
  against the rendered Pipeline: each Pipeline param without a default is set, each
  value has the declared type, object values carry the declared keys, literal values
  are in the `enum`. Each problem is reported once per stream and param, at the stream
  card: a missing param at the card's params list of that Pipeline, a wrong value at the
  value itself; the message names the param, the stream, the type to use and the
  allowed values.

Why:
  A base change that adds a required param, changes a type or narrows an enum breaks
  every stream that does not follow; Tekton would only say so when each stream's
  trigger fires (`ParameterMissing`), at night, stream by stream.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.rules.card import _shared as _card
from okd_streams.tekton import binding

ID = "stream-contract"
CODE = "C004"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _missing_at(card: Obj, key: str) -> tuple:
    """The card position of a pipeline's params list, or the nearest thing that exists."""
    for path in (("spec", "pipelines", key, "params"), ("spec", "pipelines", key), ("spec", "pipelines")):
        if get(card.data, *path) is not None:
            return path
    return ("spec",)


def check(unit: Unit) -> Iterator[Finding]:
    if not unit.stream or not unit.rendered or unit.build_error is not None:
        return
    card = _card.card_obj(unit)
    if card is None:
        return
    reported: set[tuple[str, str]] = set()
    for holder, base, run, resolved, key in _card.stream_runs(unit):
        if not resolved.ok:
            continue
        pipeline = resolved.obj.name if resolved.obj is not None else key
        who = f"stream {unit.stream}"
        for issue in binding.check(
            binding.run_args(run, base), get(resolved.spec, "params"), who, resolved.label, verb="sets"
        ):
            if issue.kind == "extra" or (pipeline, issue.name) in reported:
                continue
            reported.add((pipeline, issue.name))
            if issue.arg is None:
                yield Finding(
                    card,
                    _missing_at(card, key),
                    f'stream {unit.stream} does not set param "{issue.name}" of Pipeline "{pipeline}", '
                    f"which has no default: add `- name: {issue.name}` with a value "
                    f"({binding.describe_spec(issue.spec or {})}) to spec.pipelines.{key}.params",
                )
            else:
                yield Finding(holder, issue.arg.value_path or issue.arg.path, issue.message)
