"""A Pipeline result whose value is not made of result references to existing tasks.

What it does:
  Checks each entry of a Pipeline's `results` (and a PipelineRun's inline
  `pipelineSpec`): its `value` must contain task result references,
  `$(tasks.<task>.results.<result>)` or `$(finally.<task>.results.<result>)`, each
  well-formed (at most one `.key` after the result name) and naming a task of that
  section; in a string value nothing but text after a reference may surround them.

Why:
  Tekton's webhook rejects the Pipeline (`validatePipelineResults`: "expected pipeline
  results to be task result expressions", "referencing a nonexistent task"). Its check
  splits the value at each `$`, so text before the first reference, or another `$` in the
  text, is rejected too.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.pipeline import names, pipeline_specs

ID = "pipeline-results"
CODE = "T031"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def _strip(expression: str) -> str:
    expression = expression[2:] if expression.startswith("$(") else expression
    return expression[:-1] if expression.endswith(")") else expression


def _string_problem(value: str, tasks: set[str], finally_: set[str]) -> str | None:
    """Tekton's `taskContainsResult`, with a reason."""
    for piece in value.split("$"):
        if not piece:
            continue
        expression = _strip("$" + piece)
        ref = sub.result_ref(expression)
        if ref is None:
            if value.startswith(piece):
                return f'the text "{piece}" before the first $(...) is not allowed'
            return f'"${piece}" is not a task result reference (Tekton reads every "$" as the start of one)'
        if expression.startswith("tasks") and ref.task not in tasks:
            return f'task "{ref.task}" is not in tasks'
        if expression.startswith("finally") and ref.task not in finally_:
            return f'task "{ref.task}" is not in finally'
    return None


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        tasks, finally_ = names(site.spec, "tasks"), names(site.spec, "finally")
        for index, result in items(site.spec, "results"):
            at = site.at("results", index, "value")
            label = f'result "{result.get("name")}" of {site.label}'
            kind, value = sub.go_value(result.get("value"))
            texts = [value] if kind == "string" else list(value) if kind == "array" else list(value.values())
            found = [e for text in texts for e in sub.expressions(text)]
            if not found:
                what = (
                    "has no value"
                    if result.get("value") is None
                    else "has no $(tasks.<task>.results.<result>) reference"
                )
                yield Finding(
                    site.obj,
                    at if result.get("value") is not None else site.at("results", index),
                    f"{label} {what}; a pipeline result must be taken from task results, e.g. "
                    "value: $(tasks.<task>.results.<result>)",
                )
                continue
            result_like = [e for e in found if sub.looks_like_result_ref(e)]
            if not result_like:
                yield Finding(
                    site.obj,
                    at,
                    f"{label} references no task result (found "
                    f"{', '.join('$(' + e + ')' for e in found)}); use $(tasks.<task>.results.<result>)",
                )
                continue
            malformed = [e for e in result_like if sub.result_ref(e) is None]
            if malformed:
                yield Finding(
                    site.obj,
                    at,
                    f"{label}: $({malformed[0]}) is not a valid result reference; use "
                    "$(tasks.<task>.results.<result>) or $(tasks.<task>.results.<result>.<key>)",
                )
                continue
            for ref in filter(None, map(sub.result_ref, result_like)):  # none is None: see malformed
                pool = tasks if ref.section == "tasks" else finally_
                if ref.task not in pool:
                    where = "tasks" if ref.section == "tasks" else "finally"
                    hint = ""
                    if ref.section == "tasks" and ref.task in finally_:
                        hint = f"; it is a finally task, use $(finally.{ref.task}.results.{ref.result})"
                    yield Finding(
                        site.obj,
                        at,
                        f'{label} references task "{ref.task}", which is not in {where} of {site.label}{hint}',
                    )
                    break
            else:
                if kind == "string":
                    problem = _string_problem(value, tasks, finally_)
                    if problem:
                        yield Finding(
                            site.obj,
                            at,
                            f"{label}: {problem}; Tekton's webhook rejects this value "
                            '("referencing a nonexistent task")',
                        )
