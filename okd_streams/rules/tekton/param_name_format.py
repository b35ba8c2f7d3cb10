"""A Task param name, or object param key, in a format Tekton rejects.

What it does:
  Checks the params declared by every Task, ClusterTask and inline `taskSpec`: string
  and array param names must match `^[_a-zA-Z][_a-zA-Z0-9.-]*$`; object param names and
  their `properties` keys must match `^[_a-zA-Z][_a-zA-Z0-9-]*$` (no dots). The type is
  the one Tekton infers (`properties` make an object, an array default an array).

Why:
  Tekton's webhook rejects the Task (`validateNameFormat`: "The format of following
  array and string variable names is invalid"). A dot in an object param would make
  `$(params.obj.key)` ambiguous.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton.params import OBJECT_PARAM_NAME, PARAM_NAME
from okd_streams.tekton.pipeline import param_type, task_specs

ID = "param-name-format"
CODE = "T004"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    for site in task_specs(unit):
        for index, spec in items(site.spec, "params"):
            name = spec.get("name")
            if not isinstance(name, str):
                continue
            if param_type(spec) == "object":
                if not OBJECT_PARAM_NAME.match(name):
                    yield Finding(
                        site.obj,
                        site.at("params", index, "name"),
                        f'object param name "{name}" in {site.label} is invalid: it must start with a '
                        "letter or '_' and contain only letters, digits, '-' and '_' (no dots)",
                    )
                props = spec.get("properties")
                for key in props if isinstance(props, dict) else {}:
                    if not isinstance(key, str) or not OBJECT_PARAM_NAME.match(key):
                        yield Finding(
                            site.obj,
                            site.at("params", index, "properties", key),
                            f'key "{key}" of object param "{name}" in {site.label} is invalid: it must '
                            "start with a letter or '_' and contain only letters, digits, '-' and '_'",
                        )
            elif not PARAM_NAME.match(name):
                yield Finding(
                    site.obj,
                    site.at("params", index, "name"),
                    f'param name "{name}" in {site.label} is invalid: it must start with a letter or '
                    "'_' and contain only letters, digits, '-', '_' and '.'",
                )
