"""A taskRef that names no Task among the objects checked together.

What it does:
  Looks up the Task (or ClusterTask) named by every pipeline task's `taskRef` (in
  `tasks` and `finally`, also in a PipelineRun's or a TriggerTemplate's embedded
  `pipelineSpec`) and by every TaskRun's `taskRef`, among the objects of the same unit.
  In a rendered stream a missing Task is an error: the stream must be self-contained.
  In a lint set it is a warning (the Task may be installed on the cluster), and a
  TaskRun's ClusterTask not in the set is only noted (info); a pipeline task's ClusterTask
  is refused by Tekton outright, which T070 reports. A name defined differently in two
  places equally near the reference (same folder, then the folders above it, then the
  rest of the set) is a warning naming both. Resolver and bundle references are
  left to `remote-ref-unchecked` (R005); custom tasks are not Tasks and are skipped. A
  Task that Pipelines-as-Code fetches for a run it handles (its `pipelinesascode.tekton.dev/task`
  annotations name it on Artifact Hub, or a URL or file that may hold it) is only noted (info).
  A Task the build itself renamed (namePrefix/nameSuffix) while the taskRef kept the old
  name is an error everywhere: kustomize renames no taskRef unless `configurations:` says so.

Why:
  Tekton resolves a taskRef only when the PipelineRun starts; a misspelled or renamed
  Task fails the run with `CouldntGetTask`, hours after the merge.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.tekton import pac, renames, resolve

ID = "task-ref-resolves"
CODE = "R001"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _report(unit: Unit, obj: Obj, who: str, resolved: resolve.ResolvedSpec) -> Iterator[Finding]:
    ref = resolved.ref
    if ref is None or resolved.status not in ("missing", "cluster-missing", "ambiguous"):
        return
    path = ref.path + ("name",)
    if resolved.status == "ambiguous":
        yield Finding(obj, path, f"{who} runs {resolve.ambiguity(resolved)}", level="warning")
        return
    if resolved.status == "cluster-missing":
        if obj.kind != "TaskRun":
            return  # a pipeline task's ClusterTask is refused outright: T070 says so
        yield Finding(
            obj,
            path,
            f'{who} runs ClusterTask "{ref.name}", which is not among the checked objects; '
            "it must exist on the cluster (ClusterTasks are deprecated: prefer a Task in the same "
            "namespace or the cluster resolver)",
            level="info",
        )
        return
    target = (
        renames.renamed(unit, "Task", ref.name, resolve.PIPELINES, obj.namespace)
        if resolved.status == "missing"
        else None
    )
    if target is not None:
        yield renames.dangling(obj, path, who, "Task", ref.name, target)
        return
    if resolve.unresolved_level(unit) == "error":
        yield Finding(
            obj,
            path,
            f'{who} runs Task "{ref.name}", which this stream does not contain; a stream '
            "must be self-contained: add the Task to the base or an overlay, or fix the name",
        )
    elif (note := pac.fetched_note(unit, obj, "Task", ref.name)) is not None:
        yield Finding(obj, path, f'{who} runs Task "{ref.name}", {note}', level="info")
    else:
        yield Finding(
            obj,
            path,
            f'{who} runs Task "{ref.name}", which is not among the checked objects; it '
            "must exist in the namespace on the cluster",
            level="warning",
        )


def check(unit: Unit) -> Iterator[Finding]:
    for site in resolve.pipeline_sites(unit):
        for task in resolve.site_tasks(site):
            if "pipelineRef" in task.data or "pipelineSpec" in task.data:
                continue
            resolved = resolve.resolve_task(unit, task.obj, task.data, task.path)
            yield from _report(unit, task.obj, task.label, resolved)
    for holder, path, run in resolve.run_templates(unit, "TaskRun"):
        spec = get(run, "spec")
        if isinstance(spec, dict):
            resolved = resolve.resolve_task(unit, holder, spec, path + ("spec",))
            yield from _report(unit, holder, resolve.run_label(holder, path, run, "TaskRun"), resolved)
