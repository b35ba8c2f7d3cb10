"""okd-streams graph STREAM: a stream's pipeline DAG as Mermaid, Graphviz DOT or SVG."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from okd_streams.commands._common import add_root
from okd_streams.errors import GraphvizError, UsageError
from okd_streams.files.paths import write_atomic
from okd_streams.lint.checking import stream_units
from okd_streams.model.repo import SourceTree, discover_streams, find_root
from okd_streams.streams.catalog import clean_message, unit_pipelines
from okd_streams.tekton import diagram
from okd_streams.tekton.graph import pipeline_graph

FORMATS = ("mermaid", "dot", "svg")


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "graph",
        help="draw a stream's pipeline graph (mermaid, dot or svg)",
        description="Render the stream with kustomize and draw its Pipelines' task graphs: an edge per "
        "dependency (runAfter, or a result a task reads, labelled with the results), tasks "
        "gated by when expressions as hexagons with their conditions, finally tasks in a dashed "
        "group after the rest. Without --pipeline every Pipeline of the stream is drawn, each in "
        "its own group. svg needs Graphviz's `dot` on PATH.",
    )
    parser.add_argument("stream", metavar="STREAM")
    parser.add_argument("--pipeline", "-p", metavar="NAME", help="draw only this Pipeline")
    parser.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        default="mermaid",
        help="mermaid (default; GitHub renders it in Markdown), dot, or svg (through Graphviz)",
    )
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    add_root(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    if args.format == "svg" and shutil.which("dot") is None:
        raise GraphvizError(diagram.GRAPHVIZ_MISSING)
    streams = {s.name: s for s in discover_streams(root)}
    stream = streams.get(args.stream)
    if stream is None:
        raise UsageError(f"no such stream: {args.stream}; streams: {', '.join(streams) or 'none'}")
    unit = stream_units([stream], SourceTree(root))[0]
    if unit.build_error is not None:
        print(
            f"okd-streams: {stream.name}: kustomize build failed: {clean_message(unit.build_error, root)}",
            file=sys.stderr,
        )
        return 1
    pipelines = unit_pipelines(unit)
    if args.pipeline is not None:
        if args.pipeline not in pipelines:
            raise UsageError(
                f"stream {stream.name} has no Pipeline {args.pipeline}; "
                f"its Pipelines: {', '.join(sorted(pipelines)) or 'none'}"
            )
        names = [args.pipeline]
    else:
        names = sorted(pipelines)
    if not names:
        print(f"okd-streams: stream {stream.name} renders no Pipeline", file=sys.stderr)
        return 1
    graphs = [pipeline_graph(name, pipelines[name]) for name in names]
    if args.format == "mermaid":
        text = diagram.mermaid(graphs)
    else:
        text = diagram.dot(graphs, title=names[0] if len(names) == 1 else stream.name)
        if args.format == "svg":
            text = diagram.svg(text)
    if args.output is not None:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
