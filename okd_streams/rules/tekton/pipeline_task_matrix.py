"""A pipeline task `matrix` Tekton rejects: a param given twice, wrong value types, too many combinations.

What it does:
  Checks each pipeline task with a `matrix` (in `tasks` and `finally`):
  - a param may be given in `params` or in the matrix (`matrix.params`,
    `matrix.include`), not both;
  - `matrix.params` values must be arrays (or a single reference such as
    `$(params.platforms[*])` that resolves to one); `matrix.include` values must be
    strings;
  - the number of combinations, when all values are literal arrays, may not exceed 256
    (Tekton's default `default-max-matrix-combinations-count`);
  - results of a matrixed task can only be consumed whole, `$(tasks.<t>.results.<r>[*])`,
    and an inline matrixed taskSpec can only emit string results that way.

Why:
  Tekton's webhook rejects the Pipeline (`validateParameterInOneOfMatrixOrParams`,
  `validateCombinationsCount`, "A matrixed pipelineTask can only be consumed in
  aggregate using [*] notation"); the reconciler fails the run for non-array matrix
  values ("parameters of type array only are allowed").
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.pipeline import (
    PipelineSite,
    embedded_task_spec,
    is_matrixed,
    param_strings,
    pipeline_specs,
    task_label,
    task_name,
)

ID = "pipeline-task-matrix"
CODE = "T085"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

MAX_COMBINATIONS = 256


def count_combinations(task: dict) -> int | None:
    """`Matrix.CountCombinations`, or None when a matrix param is not a literal array."""
    params = [p for _, p in items(task, "matrix", "params")]
    values: dict = {}
    count = 1 if params else 0
    for param in params:
        kind, value = sub.go_value(param.get("value"))
        if kind != "array":
            return None
        values[str(param.get("name"))] = value
        count *= len(value)
    includes = [inc for _, inc in items(task, "matrix", "include")]
    if not params:
        return count + len(includes)
    for include in includes:
        for _, param in items(include, "params"):
            if str(param.get("name")) in values:
                if param.get("value") not in values[str(param.get("name"))]:
                    count += 1
                else:
                    break
    return count


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        for section in ("tasks", "finally"):
            tasks = list(items(site.spec, section))
            matrixed = {task_name(task): task for _, task in tasks if is_matrixed(task)}
            for index, task in tasks:
                at = site.at(section, index)
                label = f"{task_label(task, section)} of {site.label}"
                matrix_params = [p for _, p in items(task, "matrix", "params")]
                for _, include in items(task, "matrix", "include"):
                    matrix_params += [p for _, p in items(include, "params")]
                in_matrix = {p["name"] for p in matrix_params if isinstance(p.get("name"), str)}
                for i, param in items(task, "params"):
                    if isinstance(param.get("name"), str) and param["name"] in in_matrix:
                        yield Finding(
                            site.obj,
                            at + ("params", i, "name"),
                            f'{label} gives param "{param.get("name")}" both in params and in its matrix; '
                            "give it in one place",
                        )
                if is_matrixed(task):
                    yield from _matrix(site, at, task, label)
                # Results of matrixed tasks can only be consumed whole (validateMatrixedPipelineTaskConsumed).
                for i, param in items(task, "params"):
                    for where, text in param_strings(param, ("params", i)):
                        for expression in sub.expressions(text):
                            if not sub.looks_like_result_ref(expression):
                                continue
                            target = expression.split(".")[1]
                            if target not in matrixed:
                                continue
                            if not expression.endswith("[*]"):
                                yield Finding(
                                    site.obj,
                                    at + where,
                                    f'{label} uses $({expression}) of matrixed task "{target}"; a '
                                    f"matrixed task's results can only be consumed whole, "
                                    f"$({expression.split('[')[0]}[*])",
                                )
                                continue
                            ref = sub.result_ref(expression)
                            spec = embedded_task_spec(matrixed[target]) or {}
                            for _, result in items(spec, "results"):
                                if ref and result.get("name") == ref.result:
                                    kind = result.get("type") or (
                                        "object" if result.get("properties") is not None else "string"
                                    )
                                    if kind != "string":
                                        yield Finding(
                                            site.obj,
                                            at + where,
                                            f'{label} consumes result "{ref.result}" of matrixed task '
                                            f'"{target}", which is {kind}; matrixed tasks can only emit '
                                            "string results",
                                        )


def _matrix(site: PipelineSite, at: tuple, task: dict, label: str) -> Iterator[Finding]:
    for i, param in items(task, "matrix", "params"):
        kind, value = sub.go_value(param.get("value"))
        if kind == "array" or (kind == "string" and sub.is_exact_expression(value)):
            continue
        yield Finding(
            site.obj,
            at + ("matrix", "params", i, "value"),
            f'matrix param "{param.get("name")}" of {label} is {"an" if kind == "object" else "a"} {kind}; '
            "matrix params take arrays (or one reference to an array, such as $(params.x[*]))",
        )
    for j, include in items(task, "matrix", "include"):
        for i, param in items(include, "params"):
            kind, _ = sub.go_value(param.get("value"))
            if kind != "string":
                yield Finding(
                    site.obj,
                    at + ("matrix", "include", j, "params", i, "value"),
                    f'matrix include param "{param.get("name")}" of {label} is an {kind}; include params take strings',
                )
    count = count_combinations(task)
    if count is not None and count > MAX_COMBINATIONS:
        yield Finding(
            site.obj,
            at + ("matrix",),
            f"the matrix of {label} makes {count} combinations; Tekton allows at most {MAX_COMBINATIONS} "
            "by default (default-max-matrix-combinations-count)",
        )
