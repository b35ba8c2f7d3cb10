"""okd-streams diff --base REV [--head REV]: a Tekton-aware diff of every affected stream's render."""

from __future__ import annotations

import argparse
import sys

from okd_streams.commands._common import add_root
from okd_streams.model.repo import find_root
from okd_streams.streams import diff as stream_diff


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "diff",
        help="compare the rendered streams of two revisions, in Tekton's terms",
        description="Render every stream the changes between two revisions affect, at both revisions (in "
        "temporary git worktrees; your working tree is never touched), and report per stream what "
        "changed in Tekton's terms (tasks, DAG edges, params and defaults, images, workspaces, when "
        "expressions, trigger schedules) followed by the unified diff of the rendered YAML. "
        "Markdown output is a pull-request comment with one collapsible section per stream. "
        "Exit 0 no difference, 1 differences, 2 usage or environment errors.",
    )
    parser.add_argument(
        "streams",
        nargs="*",
        metavar="STREAM",
        help="compare only these streams (default: every stream the changes affect)",
    )
    parser.add_argument("--base", metavar="REV", required=True, help="the revision to compare with (e.g. main)")
    parser.add_argument("--head", metavar="REV", help="the revision to compare (default: the working tree)")
    parser.add_argument(
        "--merge-base",
        action="store_true",
        help="compare with the merge base of --base and the head, i.e. only what a pull request "
        "changes (like `git diff BASE...HEAD`)",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=stream_diff.FORMATS,
        default="text",
        help="text (default), markdown (a PR comment) or json",
    )
    parser.add_argument("--summary-only", action="store_true", help="leave out the unified YAML diff")
    parser.add_argument(
        "--context", "-U", type=int, default=3, metavar="N", help="lines of context in the unified diff (default: 3)"
    )
    add_root(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    report = stream_diff.compare(
        root, args.base, args.head, args.streams or None, args.merge_base, max(0, args.context)
    )
    if args.format == "json":
        sys.stdout.write(stream_diff.as_json(report))
    elif args.format == "markdown":
        sys.stdout.write(stream_diff.markdown(report, args.summary_only))
    else:
        sys.stdout.write(stream_diff.text(report, args.summary_only))
    return 1 if report.changed else 0
