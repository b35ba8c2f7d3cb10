"""Pipelines-as-Code: what it submits for a `.tekton/` PipelineRun.

PaC reads the `.tekton/` folder of a repository. For a PipelineRun it recognises (by its
`pipelinesascode.tekton.dev/...` annotations) it resolves, before anything reaches the
cluster, every Pipeline and Task the run references by name that is defined under
`.tekton/` into an embedded `pipelineSpec` and `taskSpec` (a ClusterTask, bundle,
resolver or custom task reference stays as written). So such a run must be judged as
embedded specs: a workspace binding a Task does not declare becomes a declaration, as
the TaskRun reconciler does for every embedded taskSpec.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from okd_streams.files.pac_text import FOLDER, PLACEHOLDER
from okd_streams.model.objects import Obj, Unit, get, items
from okd_streams.tekton.pipeline import pipeline_tasks

ANNOTATION = "pipelinesascode.tekton.dev/"


def is_pac_run(obj: Obj) -> bool:
    """A PipelineRun Pipelines-as-Code handles: one of its annotations is PaC's."""
    if obj.kind != "PipelineRun":
        return False
    annotations = obj.metadata.get("annotations")
    return isinstance(annotations, dict) and any(
        isinstance(key, str) and key.startswith(ANNOTATION) for key in annotations
    )


def in_tekton_folder(obj: Obj) -> bool:
    return FOLDER in PurePosixPath(obj.file.replace("\\", "/")).parts


def has_placeholder(value: Any) -> bool:
    """Whether `value` holds a `{{ name }}` placeholder. PaC fills them in the text of the
    `.tekton/` files before it reads them as YAML (okd_streams.files.pac_text), with the event's
    values (revision, repo_name ...) and the Repository's own params: not known here."""
    return isinstance(value, str) and "{{" in value and PLACEHOLDER.search(value) is not None


def filled_in_by_pac(obj: Obj, value: Any) -> bool:
    """Whether `value`, a value of `obj`, holds a placeholder PaC fills in before the cluster
    sees it: a run PaC handles, or anything it reads from a `.tekton/` folder."""
    return has_placeholder(value) and (is_pac_run(obj) or in_tekton_folder(obj))


def _pac_pipeline_names(unit: Unit) -> frozenset[str]:
    """Names of the Pipelines a PaC run references: PaC inlines them into the run."""
    return frozenset(
        name
        for run in unit.of_kind("PipelineRun")
        if is_pac_run(run) and isinstance(name := get(run.data, "spec", "pipelineRef", "name"), str)
    )


def inlines(unit: Unit, holder: Obj, task: Obj) -> bool:
    """True when Pipelines-as-Code submits Task `task`, referenced by a pipeline task of
    `holder` (a PaC PipelineRun, or a `.tekton/` Pipeline such a run references), as an
    embedded taskSpec."""
    if task.kind != "Task" or not in_tekton_folder(task):
        return False
    if holder.kind == "PipelineRun":
        return is_pac_run(holder)
    if holder.kind == "Pipeline" and in_tekton_folder(holder):
        return holder.name in unit.memo(("pac_pipelines",), lambda: _pac_pipeline_names(unit))
    return False


def inlined_bindings(unit: Unit) -> dict[str, frozenset[str]]:
    """For each `.tekton/` Task that PaC inlines into a run of `unit`: the workspaces that
    every pipeline task referencing it binds. Once embedded, the Task's steps may use them
    undeclared (the TaskRun reconciler declares a bound workspace an embedded taskSpec
    lacks), so they count as declared there."""
    return unit.memo(("pac_inlined_bindings",), lambda: _inlined_bindings(unit))


def _inlined_bindings(unit: Unit) -> dict[str, frozenset[str]]:
    local = {task.name for task in unit.of_kind("Task") if in_tekton_folder(task)}
    pipelines = unit.memo(("pac_pipelines",), lambda: _pac_pipeline_names(unit))
    specs = [get(run.data, "spec", "pipelineSpec") for run in unit.of_kind("PipelineRun") if is_pac_run(run)]
    specs += [
        pipeline.data.get("spec")
        for pipeline in unit.of_kind("Pipeline")
        if in_tekton_folder(pipeline) and pipeline.name in pipelines
    ]
    found: dict[str, frozenset[str]] = {}
    for spec in specs:
        for _, _, task in pipeline_tasks(spec) if isinstance(spec, dict) else []:
            ref = task.get("taskRef")
            if (
                not isinstance(ref, dict)
                or ref.get("kind", "Task") != "Task"
                or ref.get("resolver")
                or ref.get("bundle")
            ):
                continue  # a ClusterTask, a resolver or a bundle: PaC leaves it as written
            name = ref.get("name")
            if isinstance(name, str) and name in local:
                bound = frozenset(w["name"] for _, w in items(task, "workspaces") if isinstance(w.get("name"), str))
                found[name] = found[name] & bound if name in found else bound
    return found


# The annotations naming what PaC fetches for a run (its matcher's patterns): Tasks under
# `task` and `task-N`, one Pipeline under `pipeline`.
_FETCHES = {"Task": re.compile(r"task(-[0-9]+)?"), "Pipeline": re.compile(r"pipeline")}


def fetched(unit: Unit, holder: Obj, kind: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """What Pipelines-as-Code fetches and inlines for `holder` (a run it handles, or a
    `.tekton/` Pipeline such a run references), from the run's annotations: (the names of the
    Artifact Hub Tasks or Pipelines it fetches, `git-clone` or `git-clone:0.9`; the other
    sources, URLs and files of the repository, whose objects' names are known only once fetched)."""
    runs = [holder] if is_pac_run(holder) else []
    if holder.kind == "Pipeline" and in_tekton_folder(holder):
        runs = [
            run
            for run in unit.of_kind("PipelineRun")
            if is_pac_run(run) and get(run.data, "spec", "pipelineRef", "name") == holder.name
        ]
    names: set[str] = set()
    others: list[str] = []
    for run in runs:
        annotations = run.metadata.get("annotations")
        for key, value in annotations.items() if isinstance(annotations, dict) else ():
            if not (isinstance(key, str) and key.startswith(ANNOTATION) and isinstance(value, str)):
                continue
            if not _FETCHES[kind].fullmatch(key[len(ANNOTATION) :]):
                continue
            for entry in (part.strip() for part in value.strip().removeprefix("[").removesuffix("]").split(",")):
                if entry.startswith(("https://", "http://")) or ("/" in entry and "://" not in entry):
                    others.append(entry)  # a URL, or a file inside the repository
                elif entry:  # a Hub name, of the default catalog or another (`catalog://name`)
                    names.add(entry.rpartition("://")[2].partition(":")[0])
    return frozenset(names), tuple(others)


def fetched_note(unit: Unit, holder: Obj, kind: str, name: str) -> str | None:
    """How to say that PaC fetches the `kind` named `name` that `holder` references (or fills
    its name in), or None when its annotations fetch nothing that could be it."""
    if filled_in_by_pac(holder, name):
        return "a name Pipelines-as-Code fills in: not checked here"
    names, others = fetched(unit, holder, kind)
    if name in names:
        return (
            "which Pipelines-as-Code fetches from Artifact Hub (its annotations say so) and inlines: not checked here"
        )
    named = [source for source in others if PurePosixPath(source).stem == name]  # .../git-clone.yaml
    if named:
        return f"which Pipelines-as-Code fetches from {named[0]} (its annotations say so) and inlines: not checked here"
    if others:
        shown = ", ".join(others[:2]) + (f" or {len(others) - 2} more" if len(others) > 2 else "")
        return (
            f"which is not among the checked objects; Pipelines-as-Code may fetch it from {shown} "
            "(its annotations say so) and inline it: not checked here"
        )
    return None
