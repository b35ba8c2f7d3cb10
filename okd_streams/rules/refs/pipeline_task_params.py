"""A pipeline task whose params do not fit the Task it runs.

What it does:
  Checks every pipeline task (in `tasks` and `finally`, in Pipelines and in embedded
  `pipelineSpec`s) against the params its Task declares (a Task in the same unit, or an
  inline `taskSpec`), as Tekton's PipelineRun reconciler does before it creates a
  TaskRun: a param without a default that the task does not pass (matrix params count);
  a value of the wrong type (`$(params.p)` has the type of pipeline param p,
  `$(params.p[*])` is an array, `$(tasks.t.results.r)` the type of result r, a string
  with text around its variables a string; each item of a matrix param is a string); an
  object value missing keys the Task declares and its default does not supply; a literal
  value outside the Task's `enum`; and, as Tekton does with `enable-param-enum`, a
  pipeline param passed to an enum param whose own enum is missing or not a subset.
  Undeclared extra params are `param-not-declared` (R011).

Why:
  Tekton checks none of this when the Pipeline is applied, only when a run reaches the
  task: the PipelineRun fails with `invalid input params for task ...` after the
  earlier tasks ran, often hours into a build.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get, items
from okd_streams.tekton import binding, resolve
from okd_streams.tekton import params as P
from okd_streams.tekton.schema_issues import given_wrongly
from okd_streams.tekton.substitution import extract, trim_index

ID = "pipeline-task-params"
CODE = "R010"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _enum_subset(
    task: resolve.PipelineTask, pipeline_params: dict, task_params: dict, target: str
) -> Iterator[Finding]:
    """`ValidateParamEnumSubset`, in Tekton's order: for a value that is exactly one
    pipeline param, that param's enum must be a subset of the Task param's enum. Like
    Tekton, stop at the first such param that is not a string or whose Task param has no
    enum."""
    for index, param in items(task.data, "params"):
        value = param.get("value")
        if not isinstance(value, str):
            continue
        variables, error = extract(value, "params")
        if error or len(variables) != 1:
            continue
        pipeline_param = pipeline_params.get(trim_index(variables[0].name))
        task_param = task_params.get(param.get("name")) if isinstance(param.get("name"), str) else None
        task_enum = P.enum(task_param) if task_param else None
        if pipeline_param is None or P.declared_type(pipeline_param) != "string" or not task_enum:
            return
        pipeline_enum = P.enum(pipeline_param) or []
        path = task.path + ("params", index, "value")
        name = pipeline_param.get("name")
        if not pipeline_enum:
            yield Finding(
                task.obj,
                path,
                f'{task.label} passes pipeline param "{name}", which has no enum, to param '
                f'"{param["name"]}" of {target}, which allows only {", ".join(task_enum)}: give the '
                "pipeline param the same enum (or a subset of it)",
            )
        elif not set(pipeline_enum) <= set(task_enum):
            outside = [value for value in pipeline_enum if value not in task_enum]
            yield Finding(
                task.obj,
                path,
                f'{task.label} passes pipeline param "{name}" (enum: '
                f'{", ".join(pipeline_enum)}) to param "{param["name"]}" of {target}, whose enum '
                f"({', '.join(task_enum)}) does not allow {', '.join(outside)}",
            )


def check(unit: Unit) -> Iterator[Finding]:
    for site in resolve.pipeline_sites(unit):
        pipeline_params = P.specs(site.spec.get("params"))
        for task in resolve.site_tasks(site):
            resolved = resolve.resolve_pipeline_task(unit, task)
            if not resolved.ok:
                continue
            declarations = get(resolved.spec, "params")
            for issue in binding.pipeline_task_issues(unit, site, task, resolved):
                if issue.kind == "extra" or (
                    issue.kind == "missing" and given_wrongly(unit, task.obj, task.path, "params")
                ):
                    continue  # an extra param is ignored; params misspelt or mistyped are the schema's (V001, V002)
                path = issue.arg.value_path if issue.arg and issue.arg.value_path else task.path + ("params",)
                yield Finding(task.obj, path, issue.message)
            task_params = P.specs(declarations)
            if any(P.enum(spec) for spec in task_params.values()):
                yield from _enum_subset(task, pipeline_params, task_params, resolved.label)
