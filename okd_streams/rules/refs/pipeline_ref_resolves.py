"""A pipelineRef that names no Pipeline among the objects checked together.

What it does:
  Looks up the Pipeline named by every PipelineRun's `pipelineRef` (standalone, or in a
  TriggerTemplate's `resourcetemplates`) and by pipeline tasks that run a Pipeline
  (`pipelineRef`, Tekton's pipelines-in-pipelines), among the objects of the same unit.
  In a rendered stream a missing Pipeline is an error (the stream must be
  self-contained); in a lint set it is a warning (it may exist on the cluster). A
  Pipeline defined differently in two places equally near the reference is a warning
  naming both. A name
  built from a Triggers variable (`$(tt.params.x)`) cannot be looked up and is skipped;
  resolver and bundle references are left to `remote-ref-unchecked` (R005). A Pipeline
  the build itself renamed (namePrefix/nameSuffix) while the reference kept the old name
  is an error everywhere: kustomize renames no pipelineRef unless `configurations:` says so.

Why:
  Tekton resolves a pipelineRef only when the run starts: the trigger fires, the
  PipelineRun is created and fails at once with `CouldntGetPipeline`.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.tekton import pac, renames, resolve

ID = "pipeline-ref-resolves"
CODE = "R002"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _report(unit: Unit, obj: Obj, who: str, resolved: resolve.ResolvedSpec) -> Iterator[Finding]:
    ref = resolved.ref
    if ref is None or resolved.status not in ("missing", "ambiguous"):
        return
    path = ref.path + ("name",)
    if resolved.status == "ambiguous":
        yield Finding(obj, path, f"{who} runs {resolve.ambiguity(resolved)}", level="warning")
        return
    target = (
        renames.renamed(unit, "Pipeline", ref.name, resolve.PIPELINES, obj.namespace)
        if resolved.status == "missing"
        else None
    )
    if target is not None:
        yield renames.dangling(obj, path, who, "Pipeline", ref.name, target)
        return
    if resolve.unresolved_level(unit) == "error":
        yield Finding(
            obj,
            path,
            f'{who} runs Pipeline "{ref.name}", which this stream does not contain; a '
            "stream must be self-contained: fix the name or add the Pipeline to the base",
        )
    elif (note := pac.fetched_note(unit, obj, "Pipeline", ref.name)) is not None:
        yield Finding(obj, path, f'{who} runs Pipeline "{ref.name}", {note}', level="info")
    else:
        yield Finding(
            obj,
            path,
            f'{who} runs Pipeline "{ref.name}", which is not among the checked objects; '
            "it must exist in the namespace on the cluster",
            level="warning",
        )


def check(unit: Unit) -> Iterator[Finding]:
    for holder, path, run in resolve.run_templates(unit, "PipelineRun"):
        spec = get(run, "spec")
        if isinstance(spec, dict):
            resolved = resolve.resolve_pipeline(unit, holder, spec, path + ("spec",))
            yield from _report(unit, holder, resolve.run_label(holder, path, run, "PipelineRun"), resolved)
    for site in resolve.pipeline_sites(unit):
        for task in resolve.site_tasks(site):
            if isinstance(task.data.get("pipelineRef"), dict):
                resolved = resolve.resolve_pipeline(
                    unit, task.obj, {"pipelineRef": task.data["pipelineRef"]}, task.path
                )
                yield from _report(unit, task.obj, task.label, resolved)
