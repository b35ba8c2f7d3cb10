"""A `$(...)` expression in a pipeline task's params, matrix or when that is no Tekton variable.

What it does:
  Looks at every `$(a.b...)`-shaped expression in the params, `matrix` params and `when`
  expressions (input, values, cel) of each pipeline task (`tasks` and `finally`) and
  checks that it starts with a prefix Tekton substitutes there: `params`, `tasks`,
  `finally`, `context`, `workspaces`, `results` (passed on to the Task), or `tt`
  (left by Tekton Triggers). A one-word `$(word)` is reported as a warning: it is almost
  always a shell command substitution, which current Tekton rejects in these fields.

Why:
  Tekton's webhook rejects the Pipeline (`validateVarSubstitutionExpressions`: "invalid
  variable reference ... must start with a valid prefix"). Typical causes are a
  misspelled prefix (`$(param.x)`), a v1alpha1 leftover (`$(inputs.params.x)`), or a
  shell variable written `$(VAR)` instead of `${VAR}`.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton.pipeline import param_strings, pipeline_specs, pipeline_tasks, task_label, task_params
from okd_streams.tekton.substitution import expressions

ID = "variable-prefixes"
CODE = "T022"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

PREFIXES = ("params", "tasks", "finally", "context", "workspaces", "results", "tt")


def _strings(task: dict) -> Iterator[tuple[tuple, str]]:
    for path, param in task_params(task):
        yield from param_strings(param, path)
    for i, when in items(task, "when"):
        for key in ("input", "cel"):
            if isinstance(when.get(key), str):
                yield ("when", i, key), when[key]
        values = when.get("values")
        for k, value in enumerate(values if isinstance(values, list) else []):
            if isinstance(value, str):
                yield ("when", i, "values", k), value


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        for section, index, task in pipeline_tasks(site.spec):
            for path, text in _strings(task):
                for expression in expressions(text):
                    prefix = expression.split(".", 1)[0]
                    if prefix in PREFIXES:
                        continue
                    where = f"{task_label(task, section)} of {site.label}"
                    if "." not in expression:
                        yield Finding(
                            site.obj,
                            site.at(section, index) + path,
                            f"$({expression}) in {where} is not a Tekton variable; current Tekton "
                            f"rejects it here (older releases pass it through). In a script, write a command "
                            f"substitution as `{expression}` (backticks) and a shell variable as "
                            f"${{{expression}}}",
                            level="warning",
                        )
                    else:
                        yield Finding(
                            site.obj,
                            site.at(section, index) + path,
                            f'$({expression}) in {where} starts with "{prefix}", which is not a Tekton '
                            f"variable prefix ({', '.join(PREFIXES[:6])}); for a shell variable write "
                            f"${{VAR}}",
                        )
