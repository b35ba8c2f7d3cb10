"""A StepAction variable Tekton refuses: params in its script, undeclared params or results.

What it does:
  Checks each StepAction (`tekton.dev/v1beta1`, `v1`):
  - its `script` may not use `$(params.NAME)`: Tekton refuses param substitution in a
    StepAction's script (pass the value in `env` and read the variable);
  - `$(params.NAME)` in `command`, `args` and `env` values must name a param it declares;
  - in its `script`, `$(step.results.NAME.path)` must name a result it declares, and
    `$(results.NAME.path)` (a Task's results) does not exist.
  Each fact was asked of Tekton's own validation with the oracle; the bracket form
  `$(params["NAME"])`, `workingDir` and a reference in `args` to a step result are not
  checked by Tekton, and not here.

Why:
  Tekton's webhook refuses the StepAction ("param substitution in scripts is not
  allowed", "non-existent variable in ..."), so no Task can use it. A param spliced into a
  script would be shell code chosen by whoever runs the Task.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, items
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.pipeline import describe, tekton_objects

ID = "stepaction-variables"
CODE = "T025"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("StepAction",)  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

_PARAM_IN_SCRIPT = re.compile(r"\$\(params\.[^)]*\)")
_TASK_RESULT = re.compile(r"\$\(results[.\[][^)]*\)")
_STEP_RESULT = re.compile(r"\$\(step\.results\.(?P<name>[^.\[)]+)[^)]*\)")


def check(unit: Unit) -> Iterator[Finding]:
    for obj in tekton_objects(unit, "StepAction"):
        spec = obj.spec
        label = describe(obj)
        params = {p["name"] for _, p in items(spec, "params") if isinstance(p.get("name"), str)}
        results = {r["name"] for _, r in items(spec, "results") if isinstance(r.get("name"), str)}
        script = spec.get("script")
        if isinstance(script, str):
            yield from _script(obj, label, script, results)
        for path, text in _fields(spec):
            for var in sub.unknown(text, "params", params):
                if isinstance(var, str):
                    continue  # a malformed reference: T022's
                yield Finding(
                    obj,
                    ("spec", *path),
                    f'{var.raw} names param "{sub.trim_index(var.name)}", which {label} does not declare',
                )


def _script(obj: Obj, label: str, script: str, results: set[str]) -> Iterator[Finding]:
    used = _PARAM_IN_SCRIPT.search(script)
    if used:
        yield Finding(
            obj,
            ("spec", "script"),
            f"the script of {label} uses {used.group()}: Tekton refuses param substitution in a StepAction's "
            "script; pass the value in env (- name: VALUE, value: " + used.group() + ") and read $VALUE",
        )
    task_result = _TASK_RESULT.search(script)
    if task_result:
        yield Finding(
            obj,
            ("spec", "script"),
            f"the script of {label} uses {task_result.group()}, which a StepAction does not have: "
            "write its own results to $(step.results.NAME.path)",
        )
    for used in _STEP_RESULT.finditer(script):
        if used["name"] not in results:
            yield Finding(
                obj,
                ("spec", "script"),
                f'{used.group()} names step result "{used["name"]}", which {label} does not declare',
            )


def _fields(spec: dict) -> Iterator[tuple[tuple, str]]:
    """The fields whose params Tekton resolves against the declared ones: command, args, env values."""
    for key in ("command", "args"):
        values = spec.get(key)
        for index, text in enumerate(values if isinstance(values, list) else []):
            if isinstance(text, str) and "$(params" in text:
                yield (key, index), text
    for index, env in items(spec, "env"):
        value = env.get("value")
        if isinstance(value, str) and "$(params" in value:
            yield ("env", index, "value"), value
