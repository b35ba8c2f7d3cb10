"""The pipeline task dependency graph, with Tekton's semantics (`PipelineTask.Deps`, `dag.Build`).

A pipeline task depends on every task named in its `runAfter` and on every task whose
result it references — in `params`, `matrix.params`, `matrix.include[].params`, `when`
(input, values, cel) and, for an inline `taskSpec`, anywhere in its steps and sidecars
(`PipelineTaskResultRefs`). Result references are Tekton's: `$(tasks.<t>.results.<r>)`,
`[*]`/`[N]` and `.<key>` forms, and `$(finally.<t>.results.<r>)`.

API (used by several rules; keep it stable):

- `result_uses(task) -> [(path, ResultRef)]`: every result reference of one pipeline
  task, with the path of the string it is in (relative to the task).
- `dependencies(task) -> {name: reason}`: what the task waits for, each with a short
  human reason ('runAfter', 'result "digest" in params "image"').
- `graph(tasks) -> {name: {dep: reason}}` over a list of task dicts (for Tekton, `spec.tasks`
  only: finally tasks are not part of the DAG).
- `find_cycle(graph) -> [a, b, ..., a] | None`: one dependency cycle, as a path that starts
  and ends with the same task (`a` depends on `b` ...), the smallest name first; None when
  the graph is acyclic. Dependencies on tasks absent from the graph are ignored here.
- `missing(graph) -> [(task, dep, reason)]`: dependencies on tasks not in the graph
  (`task a depends on x but x wasn't present in Pipeline`).
"""

from __future__ import annotations

from okd_streams.model.objects import get, items
from okd_streams.tekton.pipeline import param_strings, task_name
from okd_streams.tekton.substitution import ResultRef, result_refs
from okd_streams.tekton.variables import strings_in


def result_uses(task: dict) -> list[tuple[tuple, ResultRef]]:
    found: list[tuple[tuple, ResultRef]] = []
    params: list[tuple[tuple, dict]] = [(("params", i), p) for i, p in items(task, "params")]
    params += [(("matrix", "params", i), p) for i, p in items(task, "matrix", "params")]
    for j, include in items(task, "matrix", "include"):
        params += [(("matrix", "include", j, "params", i), p) for i, p in items(include, "params")]
    for path, param in params:
        for where, text in param_strings(param, path):
            found += [(where, ref) for ref in result_refs(text)]
    for i, when in items(task, "when"):
        for key in ("input", "cel"):
            found += [(("when", i, key), ref) for ref in result_refs(when.get(key))]
        for j, value in enumerate(values if isinstance(values := when.get("values"), list) else []):
            found += [(("when", i, "values", j), ref) for ref in result_refs(value)]
    spec = task.get("taskSpec")
    if isinstance(spec, dict):
        containers: list[tuple[tuple, dict]] = [
            (("taskSpec", section, i), item) for section in ("steps", "sidecars") for i, item in items(spec, section)
        ]
        if isinstance(spec.get("stepTemplate"), dict):
            containers.append((("taskSpec", "stepTemplate"), spec["stepTemplate"]))
        for at, container in containers:
            for key, value in container.items():
                if key in UNSCANNED_STEP_FIELDS:
                    continue
                for where, text in strings_in(value, (*at, key)):
                    found += [(where, ref) for ref in result_refs(text)]
    return found


# Fields of an embedded step (or sidecar) whose result references Tekton leaves out of the
# dependencies, passing the text on as it is: a StepAction's params, a step's `when`, the
# volume mounts (asked with the oracle: admitted, where the same reference in env, args,
# script, image... is refused, "task go depends on nope but nope was not found").
UNSCANNED_STEP_FIELDS = frozenset({"params", "when", "volumeMounts"})


def _describe_path(path: tuple, task: dict) -> str:
    if path and path[0] == "params" and len(path) > 1:
        name = get(task, "params", path[1], "name")
        return f'param "{name}"' if isinstance(name, str) else "params"
    if path[:2] == ("matrix", "params") and len(path) > 2:
        name = get(task, "matrix", "params", path[2], "name")
        return f'matrix param "{name}"' if isinstance(name, str) else "matrix params"
    if path[:2] == ("matrix", "include"):
        return "matrix include params"
    if path and path[0] == "when":
        return "when expression"
    if path and path[0] == "taskSpec":
        return f"taskSpec {path[1]}"
    return ".".join(str(p) for p in path)


def dependencies(task: dict) -> dict[str, str]:
    """name -> reason for every task this one must wait for (results first, then runAfter)."""
    deps: dict[str, str] = {}
    for path, ref in result_uses(task):
        deps.setdefault(ref.task, f'result "{ref.result}" used in {_describe_path(path, task)}')
    run_after = task.get("runAfter")
    if isinstance(run_after, list):
        for name in run_after:
            if isinstance(name, str):
                deps.setdefault(name, "runAfter")
    return deps


def graph(tasks: list[dict]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for task in tasks:
        if isinstance(task, dict):
            found.setdefault(task_name(task), {}).update(dependencies(task))
    return found


def find_cycle(deps: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle (`[a, b, a]`: a depends on b, b on a), or None."""
    done: set[str] = set()
    for start in sorted(deps):
        if start in done:
            continue
        stack: list[str] = [start]
        on_stack = {start}
        pending = [iter(sorted(d for d in deps.get(start, {}) if d in deps))]
        while pending:
            dep = next(pending[-1], None)
            if dep is None:
                finished = stack.pop()
                on_stack.discard(finished)
                done.add(finished)
                pending.pop()
                continue
            if dep in on_stack:
                ring = stack[stack.index(dep) :]
                first = ring.index(min(ring))
                ring = ring[first:] + ring[:first]
                return ring + [ring[0]]
            if dep in done:
                continue
            stack.append(dep)
            on_stack.add(dep)
            pending.append(iter(sorted(d for d in deps.get(dep, {}) if d in deps)))
    return None


def missing(deps: dict[str, dict[str, str]]) -> list[tuple[str, str, str]]:
    return [
        (task, dep, reason) for task, task_deps in deps.items() for dep, reason in task_deps.items() if dep not in deps
    ]
