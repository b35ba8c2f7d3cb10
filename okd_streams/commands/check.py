"""okd-streams check [STREAM...]: render, lint and contract-check the repository's streams."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from okd_streams import rules as registry
from okd_streams.commands._common import add_config, add_format, add_root, add_show_info, counts, emit
from okd_streams.commands.affected import add_revision_options, changes_for
from okd_streams.config import load_config
from okd_streams.errors import UsageError
from okd_streams.lint.checking import check_repository
from okd_streams.model.repo import discover_streams, find_root
from okd_streams.problem import exit_code
from okd_streams.streams.affected import check_scope


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check",
        help="render every stream with kustomize and check it",
        description="Render every stream (or those named) with the real kustomize, in parallel, then run "
        "yamllint, the repository conventions and every Tekton and param-contract rule. "
        "Exit 0 clean, 1 problems at error level, 2 usage or environment errors.",
    )
    parser.add_argument("streams", nargs="*", metavar="STREAM", help="streams to check (default: all)")
    add_format(parser)
    add_show_info(parser)
    add_config(parser)
    add_root(parser)
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="render every stream and run every rule again, ignoring and not writing "
        ".cache/okd-streams/ (also: OKD_STREAMS_NO_CACHE=1; elsewhere: OKD_STREAMS_CACHE_DIR)",
    )
    add_revision_options(parser)
    parser.add_argument(
        "--files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="check only what these changed files affect (the pre-commit hook passes the staged "
        "files; with --staged, staged deletions and renames count too)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    config = load_config(root, args.config, rule_code=registry.code_of)
    if args.since or args.staged or args.files is not None:  # only what a change affects
        if args.streams:
            raise UsageError("name streams or use --since/--staged/--files, not both")
        affected, label = changes_for(root, args)
        scope = check_scope(root, affected, label)
        for note in scope.notes:
            (sys.stdout if args.format == "text" else sys.stderr).write(f"okd-streams: {note}\n")
        report = check_repository(root, config, scope.names, only_files=scope.files, cache=args.cache)
    else:
        if not discover_streams(root):  # nothing to render: a moved or emptied streams/ must not pass silently
            raise UsageError(f"no streams in {root / 'streams'}: add one with `okd-streams new NAME`")
        report = check_repository(root, config, args.streams or None, cache=args.cache, reuse_report=True)
    hidden = emit(report.problems, args.format, args.show_info)
    if args.format == "text":
        out = sys.stdout
        if len(report.problems) > hidden:
            out.write("\n")
        width = max([24, *(len(summary.name) for summary in report.summaries)])
        for summary in report.summaries:
            state = "rendered" if summary.rendered else "FAILED to render"
            out.write(
                f"{summary.name:<{width}} {summary.objects:>4} objects  {state:<16} "
                f"{summary.errors} errors, {summary.warnings} warnings\n"
            )
        probed = sum(s.probe for s in report.summaries)
        checked = f"{len(report.summaries) - probed} streams checked"
        if probed:  # components no stream uses, each through a probe
            checked += f", {probed} component{'s' if probed != 1 else ''} probed"
        out.write(f"{checked}: {counts(report.problems)}{_hint(hidden)}\n")
    return exit_code(report.problems, args.strict)


def _hint(hidden: int) -> str:
    return " (info not listed: --show-info lists them)" if hidden else ""
