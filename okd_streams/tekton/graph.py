"""A Pipeline's task graph for drawing: nodes, `when` conditions and dependency edges.

The dependencies are Tekton's (`PipelineTask.Deps()`), computed by
`okd_streams.tekton.dag.dependencies`: `runAfter` plus every task whose results the task
reads. Here each edge also records whether it comes from `runAfter` and which results it
carries (from `dag.result_uses`), for edge labels. `finally` tasks are not part of the DAG:
they all start once every task of `tasks` has finished or been skipped, so they get no
dependency edges; diagrams hang them off the DAG's leaves.

- `pipeline_graph(name, spec) -> PipelineGraph`: nodes (tasks, finally tasks, and
  "missing" tasks a dependency names but the pipeline lacks) and edges.
- `deps(task)`: the sorted names of the tasks one pipeline task waits for.
- `runs(task)`, `when_conditions(task)`: short descriptions for labels and the catalog.

Any field may have the wrong type: whatever Tekton could not read adds no node or edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from okd_streams.model.objects import items
from okd_streams.tekton import dag
from okd_streams.tekton.pipeline import task_name


def run_after(task: dict) -> list[str]:
    """The names `runAfter` lists (strings only), in order, without duplicates."""
    value = task.get("runAfter") if isinstance(task, dict) else None
    found: list[str] = []
    for name in value if isinstance(value, list) else []:
        if isinstance(name, str) and name and name not in found:
            found.append(name)
    return found


def deps(task: dict) -> list[str]:
    """Tekton's `PipelineTask.Deps()`: the names of the tasks this one waits for, sorted."""
    if not isinstance(task, dict):
        return []
    return sorted(name for name in dag.dependencies(task) if isinstance(name, str) and name)


def _results_read(task: dict) -> dict[str, tuple[str, ...]]:
    read: dict[str, set[str]] = {}
    for _, ref in dag.result_uses(task):
        read.setdefault(ref.task, set()).add(ref.result)
    return {name: tuple(sorted(results)) for name, results in read.items()}


@dataclass
class Node:
    name: str
    section: str  # "tasks" | "finally"
    runs: str  # what it runs: a Task name, "taskSpec", "<resolver> resolver", "Pipeline <name>", ...
    when: list[str] = field(default_factory=list)  # its when expressions, readable
    missing: bool = False  # named by a dependency but not a task of the pipeline

    @property
    def gated(self) -> bool:
        return bool(self.when)


@dataclass(frozen=True)
class Edge:
    source: str  # runs first
    target: str
    run_after: bool
    results: tuple[str, ...]


@dataclass
class PipelineGraph:
    name: str
    nodes: list[Node] = field(default_factory=list)  # `tasks`, in order, then missing ones
    final: list[Node] = field(default_factory=list)  # `finally`, in order
    edges: list[Edge] = field(default_factory=list)

    def node(self, name: str) -> Node | None:
        return next((n for n in self.nodes + self.final if n.name == name), None)

    def leaves(self) -> list[str]:
        """Tasks no other task waits for: where the finally tasks hang off."""
        sources = {edge.source for edge in self.edges}
        return [n.name for n in self.nodes if n.name not in sources and not n.missing]

    def edge_set(self) -> set[tuple[str, str]]:
        return {(edge.source, edge.target) for edge in self.edges}


def runs(task: dict) -> str:
    """A short description of what a pipeline task runs."""
    ref = task.get("taskRef")
    if isinstance(ref, dict):
        kind = ref.get("kind") if isinstance(ref.get("kind"), str) else "Task"
        if isinstance(ref.get("name"), str) and ref["name"]:
            return ref["name"] if kind == "Task" else f"{kind} {ref['name']}"
        if isinstance(ref.get("resolver"), str):
            return f"{ref['resolver']} resolver"
        return "taskRef"
    if isinstance(task.get("taskSpec"), dict):
        return "taskSpec"
    ref = task.get("pipelineRef")
    if isinstance(ref, dict):
        name = ref.get("name")
        return f"Pipeline {name}" if isinstance(name, str) and name else "pipelineRef"
    if isinstance(task.get("pipelineSpec"), dict):
        return "pipelineSpec"
    return ""


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def when_conditions(task: dict) -> list[str]:
    """Each when expression as one line: `input operator [values]`, or `cel: expression`."""
    found = []
    for _, expression in items(task, "when"):
        if "cel" in expression:
            found.append(f"cel: {_scalar(expression.get('cel'))}")
            continue
        values = expression.get("values")
        shown = ", ".join(_scalar(v) for v in values) if isinstance(values, list) else _scalar(values)
        found.append(f"{_scalar(expression.get('input'))} {_scalar(expression.get('operator'))} [{shown}]")
    return found


def pipeline_graph(name: str, spec: Any) -> PipelineGraph:
    """The graph of a PipelineSpec (`spec` of a Pipeline); duplicates keep the first task."""
    graph = PipelineGraph(name)
    seen: set[str] = set()
    for section, target in (("tasks", graph.nodes), ("finally", graph.final)):
        for _, task in items(spec if isinstance(spec, dict) else {}, section):
            task_id = task_name(task)
            if not task_id or task_id in seen:
                continue
            seen.add(task_id)
            target.append(Node(task_id, section, runs(task), when_conditions(task)))
    in_dag = {n.name for n in graph.nodes}
    missing: list[str] = []
    done: set[str] = set()
    for _, task in items(spec if isinstance(spec, dict) else {}, "tasks"):
        target_name = task_name(task)
        if target_name not in in_dag or target_name in done:
            continue  # unnamed, or a duplicate name: the first task of that name is drawn
        done.add(target_name)
        ordered = set(run_after(task))
        read = _results_read(task)
        for dependency in deps(task):
            if dependency not in in_dag and dependency not in missing:
                missing.append(dependency)
            graph.edges.append(Edge(dependency, target_name, dependency in ordered, read.get(dependency, ())))
    graph.nodes.extend(Node(m, "tasks", "", missing=True) for m in missing)
    return graph
