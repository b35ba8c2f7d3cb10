"""A PipelineRun Tekton rejects: bad timeouts, task results in its params, unknown status.

What it does:
  Checks each PipelineRun:
  - `spec.timeouts.pipeline`, `.tasks` and `.finally` must be Go durations (`"1h30m"`),
    not negative; when `pipeline` is given and not 0 (no timeout), `tasks` and `finally`
    may not exceed it, nor be 0; `tasks` + `finally` may not exceed `pipeline`;
    (v1beta1) `timeout` and `timeouts` cannot both be set;
  - `spec.params` values cannot use task results (`$(tasks.<t>.results.<r>)`): no task
    has run yet;
  - `spec.status`, when set, must be `Cancelled`, `CancelledRunFinally`,
    `StoppedRunFinally` or `PipelineRunPending`;
  - a `taskRunSpecs` item may not set `computeResources` both for the whole task and for a
    step (`stepSpecs`, v1beta1 `stepOverrides`).

Why:
  Tekton's webhook rejects the PipelineRun ("1h0m0s should be <= pipeline duration",
  "cannot use result expressions in ... as PipelineRun parameter values").
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, items
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.containers import step_resources_twice
from okd_streams.tekton.duration import format_duration, parse_duration
from okd_streams.tekton.pac import filled_in_by_pac
from okd_streams.tekton.pipeline import describe, param_strings, tekton_objects

ID = "pipelinerun-spec"
CODE = "T090"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("PipelineRun",)  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

STATUSES = ("Cancelled", "CancelledRunFinally", "StoppedRunFinally", "PipelineRunPending")


def _durations(obj: Obj, label: str) -> Iterator[Finding | tuple[str, float]]:
    timeouts = obj.spec.get("timeouts")
    if not isinstance(timeouts, dict):
        return
    for key in ("pipeline", "tasks", "finally"):
        if not isinstance(timeouts.get(key), str) or filled_in_by_pac(obj, timeouts[key]):
            continue  # absent; another type is the schema stage's finding (V002); PaC fills it in
        value = timeouts[key]
        seconds = parse_duration(value)
        if seconds is None:
            yield Finding(
                obj,
                ("spec", "timeouts", key),
                f'timeouts.{key} "{value}" of {label} is not a Go duration (e.g. "1h30m", "45m", "0" for no timeout)',
            )
        elif seconds < 0:
            yield Finding(obj, ("spec", "timeouts", key), f'timeouts.{key} "{value}" of {label} is negative')
        else:
            yield key, seconds


def check(unit: Unit) -> Iterator[Finding]:
    for obj in tekton_objects(unit, "PipelineRun"):
        label = describe(obj)
        parsed: dict[str, float] = {}
        for item in _durations(obj, label):
            if isinstance(item, Finding):
                yield item
            else:
                parsed[item[0]] = item[1]
        pipeline = parsed.get("pipeline")
        if pipeline is not None and pipeline != 0:
            for key in ("tasks", "finally"):
                if key not in parsed:
                    continue
                if parsed[key] == 0:
                    yield Finding(
                        obj,
                        ("spec", "timeouts", key),
                        f"timeouts.{key} of {label} is 0 (no timeout) but "
                        f"timeouts.pipeline is {format_duration(pipeline)}; it must fit in the pipeline "
                        "timeout",
                    )
                elif parsed[key] > pipeline:
                    yield Finding(
                        obj,
                        ("spec", "timeouts", key),
                        f"timeouts.{key} ({format_duration(parsed[key])}) "
                        f"of {label} is longer than timeouts.pipeline ({format_duration(pipeline)})",
                    )
        if pipeline is not None and "tasks" in parsed and "finally" in parsed:
            total = parsed["tasks"] + parsed["finally"]
            if total > pipeline:
                yield Finding(
                    obj,
                    ("spec", "timeouts"),
                    f"timeouts.tasks + timeouts.finally of {label} ({format_duration(parsed['tasks'])} + "
                    f"{format_duration(parsed['finally'])}) exceed timeouts.pipeline "
                    f"({format_duration(pipeline)}"
                    + (", which Tekton compares as 0 here" if pipeline == 0 else "")
                    + ")",
                )
        if obj.api_version.endswith("v1beta1") and obj.spec.get("timeout") is not None:
            if obj.spec.get("timeouts") is not None:
                yield Finding(obj, ("spec", "timeout"), f"{label} sets both timeout and timeouts; use timeouts only")
            seconds = parse_duration(obj.spec["timeout"])
            if isinstance(obj.spec["timeout"], str) and (seconds is None or seconds < 0):
                yield Finding(
                    obj,
                    ("spec", "timeout"),
                    f'timeout "{obj.spec["timeout"]}" of {label} is not a non-negative Go duration',
                )
        for index, param in items(obj.data, "spec", "params"):
            for where, text in param_strings(param, ("spec", "params", index)):
                refs = sub.result_refs(text)
                if refs:
                    yield Finding(
                        obj,
                        where,
                        f'param "{param.get("name")}" of {label} uses '
                        f"$({refs[0].expression}); a PipelineRun's params cannot use task results",
                    )
        for index, run_spec in items(obj.spec, "taskRunSpecs"):
            step = step_resources_twice(run_spec)
            if step is not None:
                yield Finding(
                    obj,
                    ("spec", "taskRunSpecs", index, "computeResources"),
                    f'computeResources of taskRunSpecs "{run_spec.get("pipelineTaskName")}" of {label} is set for the '
                    f'whole task and for step "{step}" too: Tekton takes one or the other ("expected exactly one, '
                    'got both"); keep one',
                )
        status = obj.spec.get("status")
        allowed = STATUSES + (("PipelineRunCancelled",) if obj.api_version.endswith("v1beta1") else ())
        if status not in (None, "") and status not in allowed:
            yield Finding(
                obj, ("spec", "status"), f'status "{status}" of {label} is not valid; use one of {", ".join(STATUSES)}'
            )
