"""A Task step Tekton rejects: no image, script with command, bad onError, reserved mount, or StepAction misuse.

What it does:
  Checks every Task, ClusterTask and inline taskSpec: it needs at least one step; each
  step needs an `image` (its own or the stepTemplate's) unless it references a
  StepAction (`ref`); `script` cannot be combined with `command`; `onError` must be
  `continue` or `stopAndFail` (or a `$(params...)` reference); `timeout` must be a valid
  non-negative duration; `volumeMounts` may not use `/tekton/` (except `/tekton/home`)
  or names starting with `tekton-internal-`; a step with `ref` may not also set image,
  command, args, script, workingDir, env, volumeMounts or results, and `params` need a
  `ref`. A sidecar may not be named `tekton-log-results`.

Why:
  Tekton's webhook rejects the Task (`validateStep`: "missing field(s): Image", "script
  cannot be used with command", "Task step onError must be either "continue" or
  "stopAndFail"").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Unit, get, items
from okd_streams.tekton.duration import parse_duration
from okd_streams.tekton.pipeline import describe, task_specs, tekton_objects
from okd_streams.tekton.schema_issues import given_wrongly

ID = "task-steps"
CODE = "T080"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

WITH_REF_FORBIDDEN = ("image", "command", "args", "script", "workingDir", "env", "volumeMounts", "results")
RESERVED_SIDECAR = "tekton-log-results"


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def check(unit: Unit) -> Iterator[Finding]:
    for obj in tekton_objects(unit, "Task", "ClusterTask"):
        if obj.data.get("spec") is None and not given_wrongly(unit, obj, (), "spec"):  # else V001, V002
            yield Finding(
                obj,
                ("spec",) if "spec" in obj.data else (),
                f"{describe(obj)} has no spec; a Task needs at least one step",
            )
    for site in task_specs(unit):
        steps = list(items(site.spec, "steps"))
        if not steps and not given_wrongly(unit, site.obj, site.path, "steps"):
            yield Finding(
                site.obj,
                site.at("steps") if "steps" in site.spec else site.path,
                f"{site.label} has no steps; a Task needs at least one",
            )
        template_image = get(site.spec, "stepTemplate", "image")
        for index, step in steps:
            at = site.at("steps", index)
            name = step.get("name") if isinstance(step.get("name"), str) and step.get("name") else f"steps[{index}]"
            label = f'step "{name}" of {site.label}'
            if step.get("ref") is not None:
                for key in WITH_REF_FORBIDDEN:
                    if _present(step.get(key)):
                        yield Finding(
                            site.obj,
                            at + (key,),
                            f"{label} references a StepAction (ref), so it cannot "
                            f"set {key}; the StepAction provides it",
                        )
            else:
                if _present(step.get("params")):
                    yield Finding(
                        site.obj, at + ("params",), f"{label} has params but no ref; params are passed to a StepAction"
                    )
                if (
                    not _present(step.get("image"))
                    and not _present(template_image)
                    and not given_wrongly(unit, site.obj, at, "image")
                ):
                    yield Finding(
                        site.obj, at, f"{label} has no image (and no stepTemplate image); every step needs one"
                    )
                if _present(step.get("script")) and _present(step.get("command")):
                    yield Finding(
                        site.obj,
                        at + ("script",),
                        f"{label} sets both script and command; the script "
                        "is the command, drop `command` (use `args` for arguments)",
                    )
            on_error = step.get("onError")
            if (
                _present(on_error)
                and on_error not in ("continue", "stopAndFail")
                and not (isinstance(on_error, str) and on_error.startswith("$(params"))
            ):
                yield Finding(
                    site.obj,
                    at + ("onError",),
                    f'onError "{on_error}" of {label} is not valid; use continue or stopAndFail',
                )
            timeout = step.get("timeout")
            if isinstance(timeout, str):  # another type is the schema stage's finding (V002)
                seconds = parse_duration(timeout)
                if seconds is None:
                    yield Finding(
                        site.obj,
                        at + ("timeout",),
                        f'timeout "{timeout}" of {label} is not a Go duration (e.g. "90s", "1h30m")',
                    )
                elif seconds < 0:
                    yield Finding(site.obj, at + ("timeout",), f'timeout "{timeout}" of {label} is negative')
            for j, mount in items(step, "volumeMounts"):
                path, mount_name = mount.get("mountPath"), mount.get("name")
                if isinstance(path, str) and path.startswith("/tekton/") and not path.startswith("/tekton/home"):
                    yield Finding(
                        site.obj,
                        at + ("volumeMounts", j, "mountPath"),
                        f"{label} mounts {mount_name} at {path}; /tekton/ is reserved for Tekton "
                        "(only /tekton/home may be used)",
                    )
                if isinstance(mount_name, str) and mount_name.startswith("tekton-internal-"):
                    yield Finding(
                        site.obj,
                        at + ("volumeMounts", j, "name"),
                        f'{label} mounts volume "{mount_name}"; names starting with tekton-internal- are reserved',
                    )
        for index, sidecar in items(site.spec, "sidecars"):
            if sidecar.get("name") == RESERVED_SIDECAR:
                yield Finding(
                    site.obj,
                    site.at("sidecars", index, "name"),
                    f'sidecar name "{RESERVED_SIDECAR}" in {site.label} is reserved by Tekton',
                )
