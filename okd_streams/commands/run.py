"""okd-streams run STREAM: start the PipelineRun the stream's trigger would create, and follow it."""

from __future__ import annotations

import argparse
import os
import sys

from okd_streams import rules as registry
from okd_streams.commands._common import add_config, add_root, add_show_info
from okd_streams.config import load_config
from okd_streams.errors import UsageError
from okd_streams.files.loader import dump_plain
from okd_streams.lint import engine
from okd_streams.lint.checking import stream_units
from okd_streams.lint.output import write
from okd_streams.model.repo import SourceTree, discover_streams, find_root
from okd_streams.problem import exit_code
from okd_streams.streams import cluster
from okd_streams.streams import run as runs


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="start a stream's PipelineRun by hand (or print it) and follow it",
        description="Build the PipelineRun the stream's trigger would create: the body its CronJob posts, "
        "read by the EventListener's TriggerBindings, substituted into the rendered TriggerTemplate "
        "(which holds the stream card's values). Check it with every rule together with the stream's "
        "objects; then print it (--dry-run) or create it with kubectl on the current context and "
        "print each task's state as it changes. Exit 0 the run succeeded (or was printed), 1 it "
        "failed or a rule found an error, 2 usage errors or a cluster that cannot be reached.",
    )
    parser.add_argument("stream", metavar="STREAM")
    parser.add_argument(
        "--pipeline", "-p", metavar="P", help="the Pipeline to run (default: the first of the stream card)"
    )
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="set a param of the PipelineRun, over the card's value (repeatable; an array param takes "
        "JSON or comma-separated items, an object param JSON)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the PipelineRun as YAML; create nothing")
    add_show_info(parser)
    add_config(parser)
    add_root(parser)
    parser.set_defaults(run=run)


def _sets(values: list[str]) -> list[tuple[str, str]]:
    parsed = []
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--set {value}: expected PARAM=VALUE")
        parsed.append((name.strip(), text))
    return parsed


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    config = load_config(root, args.config, rule_code=registry.code_of)
    streams = {s.name: s for s in discover_streams(root)}
    stream = streams.get(args.stream)
    if stream is None:
        raise UsageError(f"no such stream: {args.stream}; streams: {', '.join(streams) or 'none'}")
    sets = _sets(args.sets)
    unit = stream_units([stream], SourceTree(root), progress=False)[0]
    if unit.build_error is not None:
        print(f"okd-streams: {stream.name} does not render: {unit.build_error}", file=sys.stderr)
        return 1
    unit.target = config.target
    plan = runs.plan(unit, args.pipeline, sets)
    problems = engine.finalize(engine.check_unit(runs.with_run(unit, plan.obj), config))
    shown = [p for p in problems if args.show_info or p.level != "info"]
    if shown:  # on stderr: stdout is the run's YAML
        write(shown, "text", sys.stderr)
    code = exit_code(problems)
    if code:
        print(
            f"okd-streams: the {plan.pipeline} run of {stream.name} does not pass the rules: not started",
            file=sys.stderr,
        )
        return code
    if args.dry_run:
        sys.stdout.write(dump_plain(plan.run))
        return 0
    kubectl = cluster.Kubectl()
    context = kubectl.use_current_context()
    name = kubectl.create(plan.run, plan.namespace)
    print(f"PipelineRun {name} created in namespace {plan.namespace} (context {context})", flush=True)
    interval = float(os.environ.get("OKD_STREAMS_RUN_INTERVAL", "10"))
    return cluster.follow(kubectl, name, plan.namespace, lambda line: print(line, flush=True), interval)
