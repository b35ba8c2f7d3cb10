"""`okd-streams graph`: every drawn edge is a real Tekton dependency, and every dependency is drawn.

The expected edges are computed here independently of okd_streams.tekton, straight from the
Pipelines kustomize renders: `runAfter` plus `$(tasks.<t>.results.<r>...)` references in
params, matrix params, matrix include params and when expressions.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from okd_streams.cli import main
from okd_streams.model.repo import discover_streams
from okd_streams.render.kustomize import build
from okd_streams.tekton.diagram import GRAPHVIZ_MISSING, dot, mermaid
from okd_streams.tekton.graph import deps, pipeline_graph
from tests.conftest import REPO

STREAMS = [s.name for s in discover_streams(REPO)]
RESULT_REF = re.compile(r"\$\(tasks\.([A-Za-z0-9_-]+)\.results\.[A-Za-z0-9_.\[\]*-]+\)")


def rendered_pipelines(root: Path, stream: str) -> dict[str, dict]:
    result = build(root / "streams" / stream)
    assert result.ok, result.error
    return {o.data["metadata"]["name"]: o.data for o in result.objects if o.data.get("kind") == "Pipeline"}


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)


def expected_edges(pipeline: dict) -> set[tuple[str, str]]:
    edges = set()
    for task in pipeline["spec"].get("tasks", []):
        for before in task.get("runAfter", []):
            edges.add((before, task["name"]))
        texts = []
        for param in task.get("params", []) + task.get("matrix", {}).get("params", []):
            texts += strings(param.get("value"))
        for include in task.get("matrix", {}).get("include", []):
            for param in include.get("params", []):
                texts += strings(param.get("value"))
        for when in task.get("when", []):
            texts += strings([when.get("input"), when.get("values"), when.get("cel")])
        for text in texts:
            edges.update((ref, task["name"]) for ref in RESULT_REF.findall(text))
    return edges


def _unescape(label: str) -> str:
    label = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)
    label = label.replace("#quot;", '"').replace("#lt;", "<").replace("#gt;", ">")
    return html.unescape(label)


NODE = re.compile(r'^\s*(\w+)(?:\["(.*)"\]|\{\{"(.*)"\}\})\s*$')
EDGE = re.compile(r'^\s*(\w+) -->(?:\|"(.*)"\|)? (\w+)\s*$')


def parse_mermaid(text: str) -> dict:
    nodes, shapes, edges, labels, finally_nodes, to_finally = {}, {}, set(), {}, set(), set()
    group = None
    for line in text.splitlines():
        if line.strip().startswith("subgraph "):
            group = line.split()[1].split("[")[0]
            continue
        if line.strip() == "end":
            group = None
            continue
        node = NODE.match(line)
        if node:
            label = node.group(2) if node.group(2) is not None else node.group(3)
            lines = [_unescape(part) for part in label.split("<br/>")]
            nodes[node.group(1)] = lines
            shapes[node.group(1)] = "hexagon" if node.group(3) is not None else "box"
            if group and group.endswith("finally_group"):
                finally_nodes.add(node.group(1))
            continue
        edge = EDGE.match(line)
        if edge:
            edges.add((edge.group(1), edge.group(3)))
            labels[(edge.group(1), edge.group(3))] = edge.group(2)
            continue
        dotted = re.match(r"^\s*(\w+) -\.-> (\w+)\s*$", line)
        if dotted:
            to_finally.add(dotted.group(1))
    name = {node_id: lines[0] for node_id, lines in nodes.items()}
    return {
        "nodes": nodes,
        "shapes": shapes,
        "name": name,
        "labels": labels,
        "edges": {(name[a], name[b]) for a, b in edges},
        "finally": {name[n] for n in finally_nodes},
        "to_finally": {name[n] for n in to_finally},
    }


def graph_output(capsys, *args) -> str:
    assert main(["graph", *args, "--root", str(REPO)]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("stream", STREAMS)
def test_mermaid_edges_are_exactly_run_after_and_result_references(stream, capsys):
    pipelines = rendered_pipelines(REPO, stream)
    assert {"okd-coreos", "okd-release"} <= set(pipelines)
    for name, pipeline in pipelines.items():
        drawn = parse_mermaid(graph_output(capsys, stream, "--pipeline", name))
        expected = expected_edges(pipeline)
        assert expected, name
        assert drawn["edges"] == expected, name
        tasks = [t["name"] for t in pipeline["spec"]["tasks"]]
        finals = [t["name"] for t in pipeline["spec"].get("finally", [])]
        assert sorted(n for n in drawn["name"].values()) == sorted(tasks + finals)
        assert drawn["finally"] == set(finals), "finally tasks are drawn in the finally group"
        waited_for = {before for before, _ in expected}
        assert drawn["to_finally"] == {t for t in tasks if t not in waited_for}, "finally hangs off the leaves"
        for task in pipeline["spec"]["tasks"] + pipeline["spec"].get("finally", []):
            node_id = next(i for i, n in drawn["name"].items() if n == task["name"])
            if task.get("when"):
                assert drawn["shapes"][node_id] == "hexagon", task["name"]
                label = " ".join(drawn["nodes"][node_id])
                for when in task["when"]:
                    assert when["input"] in label and when["operator"] in label
            else:
                assert drawn["shapes"][node_id] == "box", task["name"]


@pytest.mark.parametrize("stream", STREAMS)
def test_result_edges_are_labelled_with_the_results(stream, capsys):
    pipeline = rendered_pipelines(REPO, stream)["okd-release"]
    drawn = parse_mermaid(graph_output(capsys, stream, "--pipeline", "okd-release"))
    ids = {n: i for i, n in drawn["name"].items()}
    assert drawn["labels"][(ids["pick-release"], ids["pick-target-release-name"])] == "release-name"
    assert drawn["labels"][(ids["verify-release"], ids["mirror"])] is None, "runAfter only: no label"
    assert pipeline["spec"]["tasks"]


@pytest.mark.parametrize("stream", STREAMS)
def test_graph_model_matches_for_every_pipeline(stream):
    for name, pipeline in rendered_pipelines(REPO, stream).items():
        graph = pipeline_graph(name, pipeline["spec"])
        assert graph.edge_set() == expected_edges(pipeline), name
        for task in pipeline["spec"]["tasks"]:
            assert set(deps(task)) == {a for a, b in expected_edges(pipeline) if b == task["name"]}


def test_without_pipeline_every_pipeline_is_drawn_in_its_own_group(capsys):
    out = graph_output(capsys, "okd-scos")
    assert out.startswith("flowchart TD\n")
    assert 'subgraph p0_pipeline["Pipeline okd-coreos"]' in out
    assert 'subgraph p1_pipeline["Pipeline okd-payload"]' in out  # every stream has it (base/)
    assert 'subgraph p2_pipeline["Pipeline okd-release"]' in out


DOT_EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)"( \[label="[^"]*"\])?;$')
DOT_NODE = re.compile(r'^\s*"([^"]+)" \[label="([^"\\]*)')


@pytest.mark.parametrize("stream", STREAMS)
def test_dot_edges_match_too(stream, capsys):
    for name, pipeline in rendered_pipelines(REPO, stream).items():
        out = graph_output(capsys, stream, "--pipeline", name, "--format", "dot")
        assert out.startswith(f'digraph "{name}" {{')
        names = {m.group(1): m.group(2) for m in map(DOT_NODE.match, out.splitlines()) if m}
        edges = {(names[m.group(1)], names[m.group(2)]) for m in map(DOT_EDGE.match, out.splitlines()) if m}
        assert edges == expected_edges(pipeline)
        assert 'subgraph "cluster_finally"' in out and "style=dotted" in out
        if shutil.which("dot"):
            done = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr


def test_svg_without_graphviz_is_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here; kustomize comes from the kubectl wheel
    assert main(["graph", "okd-scos", "--format", "svg", "--root", str(REPO)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert GRAPHVIZ_MISSING in captured.err
    assert "Graphviz is not installed (apt-get install graphviz), use --format mermaid or dot" in captured.err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_with_graphviz(tmp_path, capsys):
    target = tmp_path / "okd-scos.svg"
    assert main(["graph", "okd-scos", "-p", "okd-coreos", "-f", "svg", "-o", str(target), "--root", str(REPO)]) == 0
    text = target.read_text()
    assert "<svg" in text and "cosa-build-baseos" in html.unescape(text)


def test_unknown_stream_or_pipeline_is_a_usage_error(capsys):
    assert main(["graph", "no-such-stream", "--root", str(REPO)]) == 2
    assert "no such stream" in capsys.readouterr().err
    assert main(["graph", "okd-scos", "--pipeline", "nope", "--root", str(REPO)]) == 2
    err = capsys.readouterr().err
    assert "has no Pipeline nope" in err and "okd-coreos" in err


def test_a_stream_that_does_not_build_is_exit_1(tmp_path, capsys):
    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "streams/okd-fcos/kustomization.yaml").write_text("resources: [../../base, missing.yaml]\n")
    assert main(["graph", "okd-fcos", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "kustomize build failed" in err and "Traceback" not in err and str(tmp_path) not in err


def test_a_component_task_is_in_the_graph(tmp_path, capsys):
    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    kustomization = tmp_path / "streams/okd-scos/kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "  - ../../overlays/hpc\n")
    pipeline = rendered_pipelines(tmp_path, "okd-scos")["okd-coreos"]
    assert main(["graph", "okd-scos", "-p", "okd-coreos", "--root", str(tmp_path)]) == 0
    drawn = parse_mermaid(capsys.readouterr().out)
    assert drawn["edges"] == expected_edges(pipeline)
    assert {("cosa-build-baseos", "hpc-layer"), ("hpc-layer", "cosa-generate-release-meta")} <= drawn["edges"]


HOSTILE = [
    {
        "tasks": [
            {"name": "end", "runAfter": ["graph"]},
            {"name": "graph"},
            {
                "name": 'we"ird|na#me<b>`x`',
                "runAfter": ["end", 3, None, "ghost"],
                "when": [
                    {"input": "$(tasks.end.results.a)", "operator": "in", "values": ['"q"', None, 5]},
                    {"cel": "'a' == \"b\" && x < 3"},
                    "bad",
                    {"input": None},
                ],
                "params": [
                    {"name": "p", "value": ["$(tasks.graph.results.out[*])", 1]},
                    {"name": "o", "value": {"k": "$(tasks.end.results.obj.key)"}},
                ],
                "matrix": {
                    "params": [{"name": "m", "value": ["$(tasks.a_b.results.list[*])"]}],
                    "include": [{"params": [{"name": "i", "value": "$(tasks.subgraph.results.x)"}]}],
                },
            },
            {"name": "a_b"},
            {"name": "a-b"},
            {"name": "a-b", "runAfter": ["end"]},
            {"name": "subgraph"},
            {"name": "x", "runAfter": ["notify"]},
        ],
        "finally": [
            {"name": "notify", "when": [{"input": "$(tasks.status)", "operator": "notin", "values": ["x"]}]},
            {"name": "end"},
            {"name": "click"},
        ],
    },
    {"tasks": "nope", "finally": [{"name": "only-final"}]},
    {"tasks": [None, 1, {"name": 5}, {"name": "self", "runAfter": ["self"]}]},
    "garbage",
    None,
    {},
    {"tasks": [{"name": "a", "runAfter": "b", "when": "c", "params": "d", "matrix": 1}]},
]


@pytest.mark.parametrize("spec", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_pipelines_never_crash(spec):
    graph = pipeline_graph("p", spec)
    for text in (mermaid([graph], {"p": {"end"}}), dot([graph]), mermaid([graph, graph]), dot([graph, graph])):
        assert text.endswith("\n")
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tsvg"], input=dot([graph]), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_hostile_pipeline_edges_and_missing_tasks():
    graph = pipeline_graph("p", HOSTILE[0])
    weird = 'we"ird|na#me<b>`x`'
    assert {
        ("graph", "end"),
        ("end", weird),
        ("ghost", weird),
        ("graph", weird),
        ("a_b", weird),
        ("subgraph", weird),
        ("notify", "x"),
    } == graph.edge_set()
    assert [n.name for n in graph.nodes if n.missing] == ["ghost", "notify"]
    assert [n.name for n in graph.final] == ["notify", "click"], "a finally task named like a task is dropped"
    ids = re.findall(r"^\s*(\w+)[\[{]", mermaid([graph]), re.MULTILINE)
    assert len(ids) == len(set(ids)), "a-b and a_b get distinct ids"
