"""A pipeline task without exactly one of taskRef/taskSpec, or with a malformed Task or custom-task reference.

What it does:
  Checks how each pipeline task (in `tasks` and `finally`) says what to run:
  - exactly one of `taskRef` and `taskSpec` (`pipelineRef`/`pipelineSpec` count too;
    that they need `enable-api-fields: alpha` is V005's to say, by the target's flags);
  - a `taskRef` to a Task needs a `name` (or a `resolver`), a valid Kubernetes name, and
    `params` only together with a `resolver`;
  - a custom task (`apiVersion`, or a kind other than Task) needs `apiVersion` in the
    form `group/version` and a `kind`; an inline `taskSpec` with `steps` may not set
    `apiVersion` or `kind`.
  A `taskRef` with `apiVersion` but no `kind` is a warning: Tekton defaults the kind to
  `Task` and then tries to run a custom task of kind Task. `kind: ClusterTask` is an error:
  Tekton no longer serves ClusterTasks and reads it as a custom task without apiVersion.

Why:
  Tekton's webhook rejects the Pipeline (`validateRefOrSpec`: "expected exactly one, got
  both" / "expected exactly one, got neither"; `validateCustomTask`: "custom task ref must
  specify apiVersion"; `TaskRef.Validate`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Obj, Unit
from okd_streams.rules.tekton._refs import ref_problems
from okd_streams.tekton.pipeline import is_custom_task, pipeline_specs, pipeline_tasks, task_label
from okd_streams.tekton.schema_issues import given_wrongly

ID = "pipeline-task-ref"
CODE = "T070"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

FIELDS = ("taskRef", "taskSpec", "pipelineRef", "pipelineSpec")


def valid_api_version(value: Any) -> bool:
    parts = value.split("/") if isinstance(value, str) else []
    return len(parts) == 2 and all(parts)


def _task(unit: Unit, obj: Obj, at: tuple, task: dict, label: str) -> Iterator[Finding]:
    given = [field for field in FIELDS if task.get(field) is not None]
    if len(given) > 1:
        yield Finding(obj, at + (given[1],), f"{label} sets {' and '.join(given)}; give exactly one")
        return
    if not given:
        if not any(given_wrongly(unit, obj, at, field) for field in FIELDS):  # else the schema stage's (V001, V002)
            yield Finding(obj, at, f"{label} has neither taskRef nor taskSpec; give exactly one")
        return
    ref, spec = task.get("taskRef"), task.get("taskSpec")
    if isinstance(spec, dict) and isinstance(spec.get("steps"), list) and spec["steps"]:
        for key in ("apiVersion", "kind"):
            if spec.get(key):
                yield Finding(
                    obj,
                    at + ("taskSpec", key),
                    f"taskSpec of {label} has steps, so it is a Task; it cannot also set {key}",
                )
        if spec.get("apiVersion") or spec.get("kind"):
            return
    if isinstance(ref, dict):
        if ref.get("kind") == "ClusterTask" and not ref.get("apiVersion"):
            # Tekton no longer serves ClusterTasks: it takes the kind for a custom task's
            # and refuses the Pipeline (asked with the oracle).
            yield Finding(
                obj,
                at + ("taskRef", "kind"),
                f"{label} references a ClusterTask, which Tekton no longer has: it reads the kind as a "
                'custom task\'s and refuses the Pipeline ("custom task ref must specify apiVersion"); '
                "use a Task, or the cluster resolver",
            )
            return
        if is_custom_task(task):
            api_version, kind = ref.get("apiVersion"), ref.get("kind")
            if not kind:
                if ref.get("resolver"):
                    yield Finding(obj, at + ("taskRef",), f"custom task taskRef of {label} must set kind")
                else:
                    yield Finding(
                        obj,
                        at + ("taskRef",),
                        f"taskRef of {label} sets apiVersion {api_version} but no "
                        "kind; Tekton defaults the kind to Task and would run a custom task of kind Task. "
                        "Set the custom task's kind, or drop apiVersion to run a Task",
                        level="warning",
                    )
            if not api_version:
                yield Finding(
                    obj,
                    at + ("taskRef",),
                    f'taskRef of {label} has kind "{kind}", so it is a custom '
                    "task; it must also set apiVersion (group/version)",
                )
            elif not valid_api_version(api_version):
                yield Finding(
                    obj,
                    at + ("taskRef", "apiVersion"),
                    f'custom task apiVersion "{api_version}" of {label} must be group/version',
                )
        else:
            yield from ref_problems(obj, at + ("taskRef",), ref, label)
    elif isinstance(spec, dict) and is_custom_task(task):
        api_version, kind = spec.get("apiVersion"), spec.get("kind")
        if not kind:
            yield Finding(obj, at + ("taskSpec",), f"custom task taskSpec of {label} must set kind")
        if not api_version:
            yield Finding(obj, at + ("taskSpec",), f"custom task taskSpec of {label} must set apiVersion")
        elif not valid_api_version(api_version):
            yield Finding(
                obj,
                at + ("taskSpec", "apiVersion"),
                f'custom task apiVersion "{api_version}" of {label} must be group/version',
            )


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        for section, index, task in pipeline_tasks(site.spec):
            yield from _task(
                unit, site.obj, site.at(section, index), task, f"{task_label(task, section)} of {site.label}"
            )
