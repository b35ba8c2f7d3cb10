"""A `when` expression Tekton rejects: bad operator, no values, empty, or `cel` mixed with input/operator/values.

What it does:
  Checks each `when` expression of every pipeline task (and of steps): with `cel`, none
  of `input`, `operator`, `values` may be set; otherwise `operator` must be `in` or
  `notin` and `values` must be a non-empty list. A missing `input` is a warning: Tekton
  accepts it and compares an empty string.

Why:
  Tekton's webhook rejects the Pipeline (`validateWhenExpressionFields`: "operator "=="
  is not recognized. valid operators: in,notin", "expecting non-empty values field",
  "cel and input+operator+values cannot be set in one WhenExpression").
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, items
from okd_streams.tekton.pipeline import PipelineSite, TaskSite, pipeline_specs, pipeline_tasks, task_label, task_specs
from okd_streams.tekton.schema_issues import given_wrongly

ID = "when-expressions"
CODE = "T050"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

OPERATORS = ("in", "notin")


def _when(unit: Unit, obj: Obj, path: tuple, owner: dict, label: str) -> Iterator[Finding]:
    whens = owner.get("when")
    if whens is None:
        return
    if not isinstance(whens, list):
        yield Finding(obj, path + ("when",), f"when of {label} must be a list of expressions")
        return
    for i, when in enumerate(whens):
        at = path + ("when", i)
        if not isinstance(when, dict) or not any(
            when.get(k) not in (None, "", []) for k in ("input", "operator", "values", "cel")
        ):
            yield Finding(obj, at, f"when expression {i} of {label} is empty")
            continue
        if when.get("cel") not in (None, ""):
            mixed = [k for k in ("input", "operator", "values") if when.get(k) not in (None, "", [])]
            if mixed:
                yield Finding(
                    obj,
                    at,
                    f"when expression {i} of {label} sets cel and {', '.join(mixed)}; use either "
                    "cel alone or input, operator and values",
                )
            continue
        operator = when.get("operator")
        if operator not in OPERATORS and not given_wrongly(unit, obj, at, "operator"):  # else V001, V002
            yield Finding(
                obj,
                at + (("operator",) if "operator" in when else ()),
                f'when expression {i} of {label} has operator "{operator if operator is not None else ""}"; '
                "use in or notin",
            )
        values = when.get("values")
        if (not isinstance(values, list) or not values) and not given_wrongly(unit, obj, at, "values"):
            yield Finding(
                obj,
                at + (("values",) if "values" in when else ()),
                f"when expression {i} of {label} has no values; give a non-empty list",
            )
        if when.get("input") in (None, "") and not given_wrongly(unit, obj, at, "input"):
            yield Finding(
                obj,
                at,
                f"when expression {i} of {label} has no input; Tekton compares an empty string",
                level="warning",
            )


def check(unit: Unit) -> Iterator[Finding]:
    site: PipelineSite | TaskSite
    for site in pipeline_specs(unit):
        for section, index, task in pipeline_tasks(site.spec):
            yield from _when(
                unit, site.obj, site.at(section, index), task, f"{task_label(task, section)} of {site.label}"
            )
    for site in task_specs(unit):
        for index, step in items(site.spec, "steps"):
            if step.get("when") is not None:
                yield from _when(unit, site.obj, site.at("steps", index), step, f"step {index} of {site.label}")
