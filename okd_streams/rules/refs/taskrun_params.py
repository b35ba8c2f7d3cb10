"""A TaskRun whose params do not fit its Task.

What it does:
  Checks the params of every TaskRun (standalone or in a TriggerTemplate) against the
  Task it runs (in the same unit, or its inline `taskSpec`), as the TaskRun reconciler
  does: every param without a default is set; each value has the declared type (as in
  Tekton, a string holding a `$(...)` variable is not checked against an array or object
  param); object values carry every declared key their default does not supply; a
  literal value is in the param's `enum`.

Why:
  Tekton checks these only when the TaskRun is created; it fails at once with `invalid
  input params for task`.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get
from okd_streams.tekton import binding, resolve
from okd_streams.tekton.schema_issues import given_wrongly

ID = "taskrun-params"
CODE = "R023"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for holder, base, run in resolve.run_templates(unit, "TaskRun"):
        spec = get(run, "spec")
        if not isinstance(spec, dict):
            continue
        resolved = resolve.resolve_task(unit, holder, spec, base + ("spec",))
        if not resolved.ok:
            continue
        who = resolve.run_label(holder, base, run, "TaskRun")
        args = binding.run_args(run, base, lenient=True)
        for issue in binding.check(args, get(resolved.spec, "params"), who, resolved.label):
            if issue.kind == "extra" or (
                issue.kind == "missing" and given_wrongly(unit, holder, (*base, "spec"), "params")
            ):
                continue  # an extra param is ignored; params misspelt or mistyped are the schema's (V001, V002)
            path = issue.arg.value_path if issue.arg and issue.arg.value_path else base + ("spec", "params")
            yield Finding(holder, path, issue.message)
