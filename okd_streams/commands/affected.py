"""okd-streams affected --since REV: the streams a change touches, from the kustomize dependency graph."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from okd_streams.commands._common import add_root
from okd_streams.errors import UsageError
from okd_streams.files.git import Git
from okd_streams.model.repo import find_root
from okd_streams.streams.affected import Affected, changes_from_files, compute, text_report


def add_revision_options(parser: argparse.ArgumentParser, required: bool = False) -> None:
    """--since REV / --staged / --merge-base, shared with `check`."""
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument(
        "--since",
        metavar="REV",
        help="changes from REV (a branch, tag or commit) to the working tree, untracked files included",
    )
    group.add_argument(
        "--staged",
        action="store_true",
        help="the staged changes (what `git commit` would record; what pre-commit checks)",
    )
    parser.add_argument(
        "--merge-base",
        action="store_true",
        help="with --since: compare with the merge base of REV and HEAD, i.e. what a pull request "
        "changes (like `git diff REV...HEAD`)",
    )


def changes_for(root: Path, args: argparse.Namespace) -> tuple[Affected, str]:
    """The Affected for --since/--staged (and `check --files`), and how to name the comparison."""
    if args.merge_base and not args.since:
        raise UsageError("--merge-base needs --since REV")
    changes, labels = [], []
    if args.since or args.staged:
        git = Git(root)
        if args.staged:
            changes += git.staged()
            labels.append("the last commit (staged changes)")
        else:
            base = git.merge_base(args.since) if args.merge_base else git.resolve(args.since)
            changes += git.changes(base)
            labels.append(f"{args.since} (merge base {base[:10]})" if args.merge_base else args.since)
    files = getattr(args, "files", None)
    if files is not None:
        changes += changes_from_files(root, files)
        if not labels:
            labels.append("the files named")
    unique = {(c.path, c.status, c.old_path): c for c in changes}
    return compute(root, sorted(unique.values(), key=lambda c: c.path)), " and ".join(labels)


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "affected",
        help="list the streams a change touches",
        description="From the git diff, list the streams a change touches, following the kustomize dependency "
        "graph (resources, components, patches, configurations, openapi, generator files, the stream "
        "card): a base change affects every stream that includes it, a component change every stream "
        "using it, a stream folder only itself, a change outside every stream's build none. Deleted "
        "streams are listed as removed. Exit 0, or 2 on usage errors (an unknown revision).",
    )
    add_revision_options(parser, required=True)
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "names"),
        default="text",
        help="text (default), json, or names: one affected stream per line, for scripts",
    )
    add_root(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    affected, label = changes_for(root, args)
    if args.format == "json":
        sys.stdout.write(json.dumps({"since": label, **affected.to_json()}, indent=2) + "\n")
    elif args.format == "names":
        sys.stdout.write("".join(f"{name}\n" for name in affected.names))
    else:
        sys.stdout.write(text_report(affected, label))
    return 0
