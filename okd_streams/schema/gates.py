"""Fields Tekton accepts only behind a feature flag: the one table, with where Tekton says so.

Each entry was confirmed with the tekton-oracle (tektoncd/pipeline 3ee1745): rejected at
admission with the flag off, admitted with it on. Sources are files of tektoncd/pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from okd_streams.schema.explain import Raw
from okd_streams.schema.target import Target

Path = tuple[Any, ...]


@dataclass(frozen=True)
class Gate:
    what: str  # words for the message
    container: str  # the list whose items carry the field ("" = the object's spec)
    field: str  # the key that is gated
    flag: str  # Tekton feature flag
    value: Any  # the value the flag needs ("alpha"/"beta" for enable-api-fields)
    source: str  # where Tekton's validation says so


GATES: tuple[Gate, ...] = (
    Gate(
        "enum on a param",
        "params",
        "enum",
        "enable-param-enum",
        True,
        'pkg/apis/pipeline/v1/param_types.go (ValidateParamEnum... "enable-param-enum")',
    ),
    Gate(
        "CEL in a when expression",
        "when",
        "cel",
        "enable-cel-in-whenexpression",
        True,
        "pkg/apis/pipeline/v1/when_validation.go (validateCEL)",
    ),
    Gate(
        "a pipeline in a pipeline (pipelineRef)",
        "tasks",
        "pipelineRef",
        "enable-api-fields",
        "alpha",
        "pkg/apis/pipeline/v1/pipeline_validation.go validateRefOrSpec",
    ),
    Gate(
        "a pipeline in a pipeline (pipelineSpec)",
        "tasks",
        "pipelineSpec",
        "enable-api-fields",
        "alpha",
        "pkg/apis/pipeline/v1/pipeline_validation.go validateRefOrSpec",
    ),
    Gate(
        "stdoutConfig on a step",
        "steps",
        "stdoutConfig",
        "enable-api-fields",
        "alpha",
        "pkg/apis/pipeline/v1/task_validation.go (step stdout stream support)",
    ),
    Gate(
        "stderrConfig on a step",
        "steps",
        "stderrConfig",
        "enable-api-fields",
        "alpha",
        "pkg/apis/pipeline/v1/task_validation.go (step stderr stream support)",
    ),
    Gate(
        "debug on a TaskRun",
        "",
        "debug",
        "enable-api-fields",
        "alpha",
        "pkg/apis/pipeline/v1/taskrun_validation.go (ts.Debug)",
    ),
    Gate(
        "workspaces on a step",
        "steps",
        "workspaces",
        "enable-api-fields",
        "beta",
        "pkg/apis/pipeline/v1/task_validation.go (step workspaces)",
    ),
    Gate(
        "onError on a pipeline task",
        "tasks",
        "onError",
        "enable-api-fields",
        "beta",
        "pkg/apis/pipeline/v1/pipeline_validation.go ValidateOnError",
    ),
    Gate(
        "matrix on a pipeline task",
        "tasks",
        "matrix",
        "enable-api-fields",
        "beta",
        "pkg/apis/pipeline/v1/pipeline_validation.go validateMatrix",
    ),
    Gate(
        "params of a remote reference (resolver params)",
        "taskRef",
        "params",
        "enable-api-fields",
        "beta",
        "pkg/apis/pipeline/v1/taskref_validation.go",
    ),
    Gate(
        "params of a remote reference (resolver params)",
        "pipelineRef",
        "params",
        "enable-api-fields",
        "beta",
        "pkg/apis/pipeline/v1/pipelineref_validation.go",
    ),
    Gate(
        "computeResources on a TaskRun",
        "",
        "computeResources",
        "enable-api-fields",
        "beta",
        "pkg/apis/pipeline/v1/taskrun_validation.go (computeResources)",
    ),
    Gate(
        "a StepAction reference on a step (ref)",
        "steps",
        "ref",
        "enable-step-actions",
        True,
        "pkg/apis/pipeline/v1/container_validation.go (enable-step-actions)",
    ),
)

# Pipeline tasks live in both lists; the table names "tasks" for both.
SAME_LIST = {"finally": "tasks"}
SPEC = "<spec>"  # the container of the gates on a spec itself ("" in the table), for okd_streams.schema.fast


def enabled(gate: Gate, target: Target) -> bool:
    if gate.flag == "enable-api-fields":
        return target.api_fields_allow(str(gate.value))
    return bool(target.flag(gate.flag)) == gate.value


def _spec_gate(gate: Gate, kind: str) -> bool:
    return (
        gate.container == ""
        and (gate.field != "debug" or kind == "TaskRun")
        and (gate.field != "computeResources" or kind == "TaskRun")
    )


def off(target: Target) -> frozenset[tuple[str, str]]:
    """(container, field) of every gate the target leaves off; a spec's own gates under SPEC."""
    found = _OFF.get(target.key)
    if found is None:
        found = _OFF[target.key] = frozenset(
            (gate.container or SPEC, gate.field) for gate in GATES if not enabled(gate, target)
        )
    return found


_OFF: dict[tuple, frozenset[tuple[str, str]]] = {}  # by Target.key: a pure function of an immutable value


def root(api_version: str, kind: str) -> str:
    """The container name of an object's root, so that its `spec` is SPEC where the spec gates apply."""
    return "<root:TaskRun>" if api_version.startswith("tekton.dev/") and kind == "TaskRun" else ""


def check(data: dict[str, Any], target: Target) -> list[Raw]:
    api = str(data.get("apiVersion", ""))
    if not api.startswith("tekton.dev/"):
        return []
    kind = str(data.get("kind", ""))
    out: list[Raw] = []
    spec = data.get("spec")
    if isinstance(spec, dict):
        for gate in GATES:
            if _spec_gate(gate, kind) and gate.field in spec and not enabled(gate, target):
                out.append(_raw(("spec", gate.field), gate))
    for path, container, node in _mappings(data, ()):
        for gate in GATES:
            if gate.field == "enum" and kind == "StepAction":
                continue  # Tekton checks the flag on Task and Pipeline params only (asked with the oracle)
            if (
                gate.container
                and gate.container == container
                and gate.field in node
                and node[gate.field] is not None
                and not enabled(gate, target)
            ):
                if gate.field == "onError" and "$(" in str(node["onError"]):
                    continue  # Tekton skips the gate for a param reference
                out.append(_raw(path + (gate.field,), gate))
    return out


def _raw(path: Path, gate: Gate) -> Raw:
    return Raw(path, "feature-gated", {"gate": gate})


def _mappings(node: Any, path: Path, container: str = "") -> Iterator[tuple[Path, str, dict[Any, Any]]]:
    """Every mapping with the name of the list (or key) that holds it."""
    if isinstance(node, dict):
        if container:
            yield path, container, node
        for key, sub in node.items():
            if key in ("taskRef", "pipelineRef") and isinstance(sub, dict):
                yield from _mappings(sub, path + (key,), str(key))
            elif isinstance(sub, (dict, list)):
                yield from _mappings(sub, path + (key,), "")
    elif isinstance(node, list) and path and isinstance(path[-1], str):
        name = SAME_LIST.get(path[-1], path[-1])
        for i, item in enumerate(node):
            if isinstance(item, dict):
                yield path + (i,), name, item
                for key, sub in item.items():
                    if key in ("taskRef", "pipelineRef") and isinstance(sub, dict):
                        yield from _mappings(sub, path + (i, key), str(key))
                    elif isinstance(sub, (dict, list)):
                        yield from _mappings(sub, path + (i, key), "")
