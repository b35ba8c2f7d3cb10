"""A `$(tasks.T.results.R)` reference to a result T's Task does not declare.

What it does:
  For every result reference in a pipeline task (params, matrix, `when`, an inline
  taskSpec's steps) and in the Pipeline's own `results` (also `$(finally.T.results.R)`),
  looks up the Task that pipeline task T runs and reports a result name R it does not
  declare, listing the results it does. References to tasks that do not exist are the
  webhook's business (the DAG rules); custom tasks, pipelines in pipelines and remote
  Tasks are not checked. As in Tekton, a reference is split on dots:
  `$(tasks.t.results.a.b)` is key `b` of result `a`.

Why:
  Tekton checks result names only when the run starts (`"R" is not a named result
  returned by pipeline task "T"`, `InvalidTaskResultReference`), and Pipeline results
  only when the run ends, after every task ran.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton import resolve
from okd_streams.tekton.dag import result_uses
from okd_streams.tekton.pipeline import param_strings
from okd_streams.tekton.substitution import ResultRef, result_refs

ID = "result-ref-declared"
CODE = "R012"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for site in resolve.pipeline_sites(unit):
        tasks = resolve.task_names(site.spec)
        cache: dict[str, resolve.ResolvedSpec] = {}

        def declared(ref: ResultRef) -> tuple[resolve.ResolvedSpec, dict] | None:
            found = tasks.get(ref.task)
            if found is None or (ref.section == "finally") != (found[0] == "finally"):
                return None  # no such task: the webhook's (and the DAG rules') business
            section, task = found
            if ref.task not in cache:
                holder = resolve.PipelineTask(site, section, 0, task)
                cache[ref.task] = resolve.resolve_pipeline_task(unit, holder)
            resolved = cache[ref.task]
            if not resolved.ok:
                return None
            return resolved, resolve.result_specs(resolved.spec)

        def report(ref: ResultRef, path: tuple, where: str) -> Iterator[Finding]:
            found = declared(ref)
            if found is None:
                return
            resolved, results = found
            if ref.result in results:
                return
            kind = "finally task" if ref.section == "finally" else "pipeline task"
            yield Finding(
                site.obj,
                path,
                f'{where} uses result "{ref.result}" of {kind} "{ref.task}", but '
                f"{resolved.label} it runs declares no such result (declared: "
                f"{resolve.names_list(results)})",
            )

        for task in resolve.site_tasks(site):
            for path, ref in result_uses(task.data):
                if ref.section == "tasks":
                    yield from report(ref, task.path + path, task.label)
        for index, result in items(site.spec, "results"):
            base = site.at("results", index)
            name = result.get("name")
            where = f'Pipeline result "{name}"' if isinstance(name, str) else "Pipeline result"
            for path, text in param_strings(result, ()):
                for ref in result_refs(text):
                    yield from report(ref, base + path, where)
