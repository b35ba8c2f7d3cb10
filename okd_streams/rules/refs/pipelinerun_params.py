"""A PipelineRun whose params do not fit its Pipeline.

What it does:
  Checks the params of every PipelineRun, standalone or in a TriggerTemplate's
  `resourcetemplates`, against the Pipeline it runs (in the same unit, or its inline
  `pipelineSpec`), as the PipelineRun reconciler does: every Pipeline param without a
  default is set; each value has the declared type (a value is taken as written: a
  string holding `$(tt.params.x)` is a string); object values carry every declared key
  their default does not supply; a literal value is in the param's `enum`. In an
  okd-streams stream the PipelineRuns of TriggerTemplates carry the stream card's values
  and are checked by `stream-contract` (C004), which reports at the card; linting the
  base of an okd-streams repository alone, a param its TriggerTemplates leave for the
  stream cards to set is only noted (info). Extra params
  are allowed by Tekton (`param-not-declared`, R011, notes them).

Why:
  Tekton checks these only when the run is created: a trigger fires at night, the
  PipelineRun fails at once with `ParameterMissing` or `ParameterTypeMismatch`, and no
  build happens.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get
from okd_streams.tekton import binding, resolve
from okd_streams.tekton.schema_issues import given_wrongly

ID = "pipelinerun-params"
CODE = "R020"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for holder, base, run in resolve.run_templates(unit, "PipelineRun"):
        if base and unit.stream and unit.card is not None:
            continue  # the stream's trigger runs: stream-contract (C004) reports them at the card
        spec = get(run, "spec")
        if not isinstance(spec, dict):
            continue
        resolved = resolve.resolve_pipeline(unit, holder, spec, base + ("spec",))
        if not resolved.ok:
            continue
        who = resolve.run_label(holder, base, run, "PipelineRun")
        for issue in binding.check(binding.run_args(run, base), get(resolved.spec, "params"), who, resolved.label):
            if issue.kind == "extra" or (
                issue.kind == "missing" and given_wrongly(unit, holder, (*base, "spec"), "params")
            ):
                continue  # an extra param is ignored; params misspelt or mistyped are the schema's (V001, V002)
            path = issue.arg.value_path if issue.arg and issue.arg.value_path else base + ("spec", "params")
            if issue.kind == "missing" and base and not unit.foreign and not unit.stream:
                # The base of an okd-streams repository, linted on its own: each stream's card fills
                # these in, and stream-contract (C004) checks them per stream.
                yield Finding(holder, path, issue.message + " (each stream sets it in its stream card)", level="info")
                continue
            yield Finding(holder, path, issue.message)
