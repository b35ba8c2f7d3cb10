"""References between objects, resolved the way Tekton resolves them, but inside one unit.

A unit is what okd-streams checks together (a rendered stream, or a lint set). Tekton
looks a `taskRef` up in the namespace of the run; here the same lookup is made among the
unit's objects. What cannot be looked up offline (resolvers, bundles) is reported as such
and never guessed at.

Also here: where pipeline specs live (Pipeline objects, and `pipelineSpec` embedded in a
PipelineRun or in a TriggerTemplate's resourcetemplates), their pipeline tasks, and the
Task spec a pipeline task runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from okd_streams.model.objects import Obj, Unit, get, items
from okd_streams.tekton.pipeline import (
    VERSIONS,
    PipelineSite,
    is_custom_task,
    pipeline_specs,
    pipeline_tasks,
    task_label,
    task_name,
    tekton_objects,
)

PIPELINES = "tekton.dev"
TRIGGERS = "triggers.tekton.dev"
CORE = ""  # the core group (apiVersion: v1)

# ClusterInterceptors installed with Tekton Triggers itself.
BUILTIN_INTERCEPTORS = frozenset({"cel", "github", "gitlab", "bitbucket", "slack"})
# ServiceAccounts that exist in every namespace (Kubernetes' own; OpenShift Pipelines' one).
WELL_KNOWN_SERVICE_ACCOUNTS = frozenset({"default", "pipeline"})


def quoted(name: Any) -> str:
    return f'"{name}"'


def unresolved_level(unit: Unit) -> str:
    """A rendered stream must be self-contained; a lint set may rely on the cluster."""
    return "error" if unit.rendered and unit.stream else "warning"


def _candidates(unit: Unit, kind: str, name: str, group: str | None, namespace: str) -> list[Obj]:
    if not isinstance(name, str) or not name:
        return []
    found = [obj for obj in unit.find_near(kind, name) if group is None or obj.group == group]
    same = [obj for obj in found if obj.namespace == namespace]
    return same or [obj for obj in found if not obj.namespace or not namespace]


def find(unit: Unit, kind: str, name: str, group: str | None, namespace: str = "") -> Obj | None:
    """The object `kind`/`name` of `group` in the unit, preferring the same namespace."""
    found = _candidates(unit, kind, name, group, namespace)
    return found[0] if found else None


@lru_cache(maxsize=4096)  # a pure function of a path string; asked for every candidate of every reference
def _folders(file: str) -> tuple[str, ...]:
    folder = os.path.dirname(file)
    return tuple(folder.split("/")) if folder else ()


def _closeness(obj: Obj, holder: Obj) -> tuple[int, int]:
    """Nearest first: the holder's own file; then its folder and the folders above it,
    nearest first (a Task beside its `tests/`); then any other folder, by how much of the
    path it shares with the holder's."""
    if obj.file and obj.file == holder.file:
        return (2, 0)
    here, there = _folders(holder.file), _folders(obj.file)
    if here[: len(there)] == there:  # the definition's folder is the holder's or one above it
        return (1, len(there))
    common = 0
    for a, b in zip(here, there, strict=False):  # the common prefix
        if a != b:
            break
        common += 1
    return (0, common)


def nearest_definitions(unit: Unit, kind: str, name: str, group: str | None, holder: Obj) -> list[Obj]:
    """The different definitions a reference from `holder` could mean, equally near it:
    none, one, or several (an ambiguity to report, never to settle silently)."""
    found = _candidates(unit, kind, name, group, holder.namespace)
    if len(found) <= 1:
        return found
    scored = [(_closeness(obj, holder), obj) for obj in found]
    best = max(score for score, _ in scored)
    nearest: list[Obj] = []
    for score, obj in scored:
        if score == best and all(obj.data.get("spec") != other.data.get("spec") for other in nearest):
            nearest.append(obj)
    return nearest


def has_variable(value: Any) -> bool:
    return isinstance(value, str) and "$(" in value


@dataclass
class Ref:
    """A taskRef / pipelineRef as written."""

    path: tuple  # path of the ref mapping in its object
    kind: str
    name: str
    api_version: str
    remote: str | None  # resolver name, or "bundle" for a v1beta1 bundle


def read_ref(data: Any, path: tuple, default_kind: str) -> Ref | None:
    ref = get(data, *path)
    if not isinstance(ref, dict):
        return None
    kind = given if isinstance(given := ref.get("kind"), str) and given else default_kind
    name = given if isinstance(given := ref.get("name"), str) else ""
    api_version = given if isinstance(given := ref.get("apiVersion"), str) else ""
    remote = None
    if isinstance(ref.get("resolver"), str) and ref.get("resolver"):
        remote = ref["resolver"]
    elif isinstance(ref.get("bundle"), str) and ref.get("bundle"):
        remote = "bundle"
    return Ref(path, kind, name, api_version, remote)


# --- where pipeline specs live ------------------------------------------------------------


def run_templates(unit: Unit, kind: str) -> Iterable[tuple[Obj, tuple, dict]]:
    """(holder, path, run) for every `kind` run: standalone, or in a TriggerTemplate."""
    return unit.view(_run_templates, kind)


def _run_templates(unit: Unit, kind: str) -> Iterator[tuple[Obj, tuple, dict]]:
    for obj in tekton_objects(unit, kind):
        yield obj, (), obj.data
    for obj in unit.of_kind("TriggerTemplate"):
        if obj.group != TRIGGERS:
            continue
        for index, template in items(obj.data, "spec", "resourcetemplates"):
            if template.get("kind") == kind and template.get("apiVersion") in VERSIONS:
                yield obj, ("spec", "resourcetemplates", index), template


def run_label(holder: Obj, path: tuple, run: dict, kind: str) -> str:
    if not path:
        name = holder.name or get(run, "metadata", "generateName")
        return f"{kind} {quoted(name)}" if isinstance(name, str) and name else kind
    name = get(run, "metadata", "name") or get(run, "metadata", "generateName") or ""
    shown = f" {quoted(name)}" if isinstance(name, str) and name else ""
    return f"the {kind}{shown} in TriggerTemplate {quoted(holder.name)}"


def pipeline_sites(unit: Unit) -> Iterable[PipelineSite]:
    """Every PipelineSpec: Pipelines, PipelineRuns' pipelineSpec, and those of the
    PipelineRuns a TriggerTemplate creates."""
    return unit.view(_pipeline_sites)


def _pipeline_sites(unit: Unit) -> Iterator[PipelineSite]:
    yield from pipeline_specs(unit)
    for holder, path, run in run_templates(unit, "PipelineRun"):
        spec = get(run, "spec", "pipelineSpec")
        if path and isinstance(spec, dict):
            label = "the pipelineSpec of " + run_label(holder, path, run, "PipelineRun")
            yield PipelineSite(holder, path + ("spec", "pipelineSpec"), spec, False, label)


@dataclass
class PipelineTask:
    site: PipelineSite
    section: str  # "tasks" | "finally"
    index: int
    data: dict

    @property
    def path(self) -> tuple:
        """Path of the pipeline task mapping in obj.data."""
        return self.site.at(self.section, self.index)

    @property
    def name(self) -> str:
        return task_name(self.data)

    @property
    def obj(self) -> Obj:
        return self.site.obj

    @property
    def label(self) -> str:
        return task_label(self.data, self.section)


def site_tasks(site: PipelineSite) -> Iterator[PipelineTask]:
    if site.tasks is None:
        site.tasks = [PipelineTask(site, section, index, task) for section, index, task in pipeline_tasks(site.spec)]
    return iter(site.tasks)


def task_names(spec: dict) -> dict[str, tuple[str, dict]]:
    """name -> (section, pipeline task) for tasks and finally (first of duplicates)."""
    found: dict[str, tuple[str, dict]] = {}
    for section, _, task in pipeline_tasks(spec):
        if task_name(task):
            found.setdefault(task_name(task), (section, task))
    return found


@dataclass
class ResolvedSpec:
    """What a reference led to. `spec` is set only when the spec is known here."""

    status: str  # "ok" | "missing" | "ambiguous" | "remote" | "custom" | "cluster-missing" | "none"
    spec: dict | None = None
    obj: Obj | None = None
    label: str = ""  # 'Task "x"' or 'its taskSpec'
    ref: Ref | None = None
    others: tuple[Obj, ...] = ()  # when ambiguous: the other definitions, as near as `obj`

    @property
    def ok(self) -> bool:
        return self.status == "ok" and isinstance(self.spec, dict)


def resolve_task(unit: Unit, holder: Obj, data: dict, base: tuple = ()) -> ResolvedSpec:
    """The Task spec a pipeline task or TaskRun runs (`data` holds taskRef or taskSpec).
    Several rules resolve every pipeline task: the result is shared, do not change it."""
    # Keyed by identity; the entry keeps holder and data alive, so their ids stay theirs.
    key = ("resolve_task", id(holder), id(data), base)
    return unit.memo(key, lambda: (holder, data, _resolve_task(unit, holder, data, base)))[2]


def _resolve_task(unit: Unit, holder: Obj, data: dict, base: tuple) -> ResolvedSpec:
    if is_custom_task(data):
        return ResolvedSpec("custom", ref=read_ref(data, ("taskRef",), "Task"))
    ref = read_ref(data, ("taskRef",), "Task")
    inline = data.get("taskSpec")
    if ref is None and isinstance(inline, dict):
        return ResolvedSpec("ok", inline, None, "its taskSpec")
    if ref is None:
        return ResolvedSpec("none")
    ref.path = base + ref.path
    if ref.remote:
        return ResolvedSpec("remote", ref=ref)
    if ref.kind not in ("Task", "ClusterTask"):
        return ResolvedSpec("custom", ref=ref)
    if not ref.name or has_variable(ref.name):
        return ResolvedSpec("none", ref=ref)
    nearest = nearest_definitions(unit, ref.kind, ref.name, PIPELINES, holder)
    if not nearest:
        return ResolvedSpec(
            "cluster-missing" if ref.kind == "ClusterTask" else "missing",
            label=f"{ref.kind} {quoted(ref.name)}",
            ref=ref,
        )
    found = nearest[0]
    if len(nearest) > 1:
        return ResolvedSpec("ambiguous", None, found, f"{ref.kind} {quoted(ref.name)}", ref, tuple(nearest[1:]))
    spec = found.data.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    return ResolvedSpec("ok", spec, found, f"{ref.kind} {quoted(ref.name)}", ref)


def resolve_pipeline(unit: Unit, holder: Obj, data: dict, base: tuple = ()) -> ResolvedSpec:
    """The Pipeline spec a PipelineRun (or a pipeline task, alpha) runs. Several rules resolve
    every PipelineRun: the result is shared, do not change it."""
    # Keyed by identity; the entry keeps holder and data alive, so their ids stay theirs.
    key = ("resolve_pipeline", id(holder), id(data), base)
    return unit.memo(key, lambda: (holder, data, _resolve_pipeline(unit, holder, data, base)))[2]


def _resolve_pipeline(unit: Unit, holder: Obj, data: dict, base: tuple) -> ResolvedSpec:
    inline = data.get("pipelineSpec")
    if isinstance(inline, dict):
        return ResolvedSpec("ok", inline, None, "its pipelineSpec")
    ref = read_ref(data, ("pipelineRef",), "Pipeline")
    if ref is None:
        return ResolvedSpec("none")
    ref.path = base + ref.path
    if ref.remote:
        return ResolvedSpec("remote", ref=ref)
    if not ref.name or has_variable(ref.name):
        return ResolvedSpec("none", ref=ref)
    nearest = nearest_definitions(unit, "Pipeline", ref.name, PIPELINES, holder)
    if not nearest:
        return ResolvedSpec("missing", label=f"Pipeline {quoted(ref.name)}", ref=ref)
    found = nearest[0]
    if len(nearest) > 1:
        return ResolvedSpec("ambiguous", None, found, f"Pipeline {quoted(ref.name)}", ref, tuple(nearest[1:]))
    spec = found.data.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    return ResolvedSpec("ok", spec, found, f"Pipeline {quoted(ref.name)}", ref)


def resolve_pipeline_task(unit: Unit, task: PipelineTask) -> ResolvedSpec:
    """The Task a pipeline task runs; pipelines in pipelines and custom tasks are not Tasks."""
    if "pipelineRef" in task.data or "pipelineSpec" in task.data:
        return ResolvedSpec("custom")
    return resolve_task(unit, task.obj, task.data, task.path)


# --- results ----------------------------------------------------------------------------------


def result_type(spec: dict) -> str:
    """A TaskResult's type after Tekton's defaulting (TaskResult.SetDefaults)."""
    declared = spec.get("type")
    if declared in ("string", "array", "object"):
        return declared
    if isinstance(spec.get("properties"), dict):
        return "object"
    return "string"


def result_specs(task_spec: dict | None) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for _, result in items(task_spec or {}, "results"):
        if isinstance(result.get("name"), str):
            found.setdefault(result["name"], result)
    return found


def workspace_specs(spec: dict | None) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for _, workspace in items(spec or {}, "workspaces"):
        if isinstance(workspace.get("name"), str):
            found.setdefault(workspace["name"], workspace)
    return found


def ambiguity(resolved: ResolvedSpec) -> str:
    """The end of a finding on an ambiguous reference: where each definition is."""
    places = [obj.file or "?" for obj in (resolved.obj, *resolved.others) if obj is not None]
    if len(places) > 2:  # a catalog holds a Task in many versions: two name the problem
        places = [places[0], f"{places[1]} and {len(places) - 2} other place{'s' if len(places) > 3 else ''}"]
    return (
        f"{resolved.label}, which is defined differently at {places[0]} and at {places[1]}, equally "
        "near this reference: okd-streams checks it against neither; rename one, or lint them as separate paths"
    )


def names_list(names: Any, limit: int = 12) -> str:
    names = [str(n) for n in names]
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
