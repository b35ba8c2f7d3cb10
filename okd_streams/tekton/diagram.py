"""Draw pipeline graphs (`okd_streams.tekton.graph`) as Mermaid or Graphviz DOT, and SVG via `dot`.

Both drawings show the same thing:
- one box per pipeline task, with the Task it runs when that differs from its name;
- a task gated by `when` expressions as a hexagon, its conditions in the label;
- an edge per dependency (`runAfter` or a result reference); an edge that carries results
  is labelled with the result names;
- `finally` tasks in a dashed "finally" group, reached by dotted edges from every task
  nothing else waits for (they start once the whole DAG is done);
- a task named by a dependency but absent from the pipeline drawn as "(missing)";
- tasks in `highlight` (the catalog: differs from the base Pipeline) with a thick border.

Node ids are sanitized (`t_cosa_init`), labels quoted and escaped: task names, conditions
and results never break the syntax.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable

from okd_streams.errors import GraphvizError
from okd_streams.tekton.graph import Node, PipelineGraph

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


GRAPHVIZ_MISSING = "Graphviz is not installed (apt-get install graphviz), use --format mermaid or dot"


class _Ids:
    """Stable, unique, syntax-safe node ids: `t_` + the name with unsafe characters as `_`."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.ids: dict[tuple[str, str], str] = {}
        self.used: set[str] = set()

    def __call__(self, node: Node) -> str:
        key = ("finally" if node.section == "finally" else "tasks", node.name)
        found = self.ids.get(key)
        if found is None:
            base = self.prefix + ("f_" if key[0] == "finally" else "t_") + _UNSAFE.sub("_", node.name)
            found, counter = base, 2
            while found in self.used:
                found, counter = f"{base}_{counter}", counter + 1
            self.ids[key] = found
            self.used.add(found)
        return found


def _label_lines(node: Node) -> list[str]:
    lines = [node.name]
    if node.missing:
        lines.append("(missing)")
    elif node.runs and node.runs != node.name:
        lines.append(f"({node.runs})")
    lines.extend(f"when {condition}" for condition in node.when)
    return lines


# --- Mermaid ----------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: entity codes for what the parser would read."""
    text = text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return text.replace("\n", " ").replace("`", "#96;")


def _mermaid_node(node: Node, node_id: str) -> str:
    label = "<br/>".join(_mermaid_text(line) for line in _label_lines(node))
    if node.gated:
        return f'{node_id}{{{{"{label}"}}}}'
    return f'{node_id}["{label}"]'


def _mermaid_body(graph: PipelineGraph, ids: _Ids, highlight: set[str], indent: str) -> list[str]:
    lines = []
    by_name = {n.name: n for n in graph.nodes}
    for node in graph.nodes:
        lines.append(indent + _mermaid_node(node, ids(node)))
    for edge in graph.edges:
        source, target = ids(by_name[edge.source]), ids(by_name[edge.target])
        if edge.results:
            label = _mermaid_text(", ".join(edge.results))
            lines.append(f'{indent}{source} -->|"{label}"| {target}')
        else:
            lines.append(f"{indent}{source} --> {target}")
    if graph.final:
        group = ids.prefix + "finally_group"
        lines.append(f'{indent}subgraph {group}["finally"]')
        for node in graph.final:
            lines.append(f"{indent}  " + _mermaid_node(node, ids(node)))
        lines.append(f"{indent}end")
        lines.append(f"{indent}style {group} stroke-dasharray: 5 5")
        for leaf in graph.leaves():
            lines.append(f"{indent}{ids(by_name[leaf])} -.-> {group}")
    classes: dict[str, list[str]] = {"gated": [], "missing": [], "changed": []}
    for node in graph.nodes + graph.final:
        if node.missing:
            classes["missing"].append(ids(node))
        elif node.gated:
            classes["gated"].append(ids(node))
        if node.name in highlight and not node.missing:
            classes["changed"].append(ids(node))
    for name, members in classes.items():
        if members:
            lines.append(f"{indent}class {','.join(members)} {name}")
    return lines


_MERMAID_CLASSES = [
    "classDef gated stroke-dasharray: 3 3",
    "classDef missing stroke:#d00,color:#d00",
    "classDef changed stroke-width:4px",
]


def mermaid(graphs: Iterable[PipelineGraph], highlight: dict[str, set[str]] | None = None) -> str:
    """One flowchart; several pipelines each get a subgraph of their own."""
    graphs = list(graphs)
    highlight = highlight or {}
    lines = ["flowchart TD"]
    if len(graphs) == 1:
        lines += _mermaid_body(graphs[0], _Ids(), highlight.get(graphs[0].name, set()), "  ")
    else:
        for index, graph in enumerate(graphs):
            prefix = f"p{index}_"
            lines.append(f'  subgraph {prefix}pipeline["Pipeline {_mermaid_text(graph.name)}"]')
            lines += _mermaid_body(graph, _Ids(prefix), highlight.get(graph.name, set()), "    ")
            lines.append("  end")
    lines += ["  " + line for line in _MERMAID_CLASSES]
    return "\n".join(lines) + "\n"


# --- Graphviz DOT -----------------------------------------------------------------------------


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _dot_node(node: Node, node_id: str, highlight: set[str], indent: str) -> str:
    label = "\\n".join(_dot_string(line)[1:-1] for line in _label_lines(node))
    attributes = [f'label="{label}"']
    if node.gated:
        attributes.append("shape=hexagon")
    if node.missing:
        attributes.append('color="#dd0000", fontcolor="#dd0000", style=dashed')
    if node.name in highlight and not node.missing:
        attributes.append("penwidth=3")
    return f"{indent}{_dot_string(node_id)} [{', '.join(attributes)}];"


def _dot_body(graph: PipelineGraph, ids: _Ids, highlight: set[str], indent: str) -> list[str]:
    lines = []
    by_name = {n.name: n for n in graph.nodes}
    for node in graph.nodes:
        lines.append(_dot_node(node, ids(node), highlight, indent))
    for edge in graph.edges:
        source, target = _dot_string(ids(by_name[edge.source])), _dot_string(ids(by_name[edge.target]))
        label = f" [label={_dot_string(', '.join(edge.results))}]" if edge.results else ""
        lines.append(f"{indent}{source} -> {target}{label};")
    if graph.final:
        lines.append(f"{indent}subgraph {_dot_string('cluster_' + ids.prefix + 'finally')} {{")
        lines.append(f'{indent}  label="finally"; style=dashed;')
        for node in graph.final:
            lines.append(_dot_node(node, ids(node), highlight, indent + "  "))
        lines.append(f"{indent}}}")
        for leaf in graph.leaves():
            for node in graph.final:
                lines.append(
                    f"{indent}{_dot_string(ids(by_name[leaf]))} -> {_dot_string(ids(node))} "
                    "[style=dotted, arrowhead=empty];"
                )
    return lines


def dot(graphs: Iterable[PipelineGraph], highlight: dict[str, set[str]] | None = None, title: str = "") -> str:
    """One digraph; several pipelines each get a cluster of their own."""
    graphs = list(graphs)
    highlight = highlight or {}
    name = title or (graphs[0].name if len(graphs) == 1 else "pipelines")
    lines = [
        f"digraph {_dot_string(name)} {{",
        '  rankdir=TB; fontname="Helvetica";',
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    if len(graphs) == 1:
        lines += _dot_body(graphs[0], _Ids(), highlight.get(graphs[0].name, set()), "  ")
    else:
        for index, graph in enumerate(graphs):
            prefix = f"p{index}_"
            lines.append(f"  subgraph {_dot_string('cluster_' + prefix + 'pipeline')} {{")
            lines.append(f"    label={_dot_string('Pipeline ' + graph.name)};")
            lines += _dot_body(graph, _Ids(prefix), highlight.get(graph.name, set()), "    ")
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg(dot_text: str, timeout: float = 60) -> str:
    """Run Graphviz `dot -Tsvg`; GraphvizError when it is not installed or fails."""
    binary = shutil.which("dot")
    if binary is None:
        raise GraphvizError(GRAPHVIZ_MISSING)
    try:
        done = subprocess.run([binary, "-Tsvg"], input=dot_text, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as exc:
        raise GraphvizError(f"cannot run Graphviz dot: {exc}") from None
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["dot failed"])[-1]
        raise GraphvizError(f"Graphviz dot failed: {message}")
    return done.stdout
