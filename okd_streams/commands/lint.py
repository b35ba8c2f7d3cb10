"""okd-streams lint PATH...: check any tree of Tekton YAML, kustomize-based or not."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from okd_streams import rules as registry
from okd_streams.commands._common import add_config, add_format, add_show_info, counts, emit
from okd_streams.config import load_config
from okd_streams.errors import UsageError
from okd_streams.lint.linting import lint_paths
from okd_streams.problem import exit_code


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "lint",
        help="lint any tree of Tekton YAML (each PATH is its own set)",
        description="Render each kustomization no other kustomization includes, check loose YAML files, and "
        "run every Tekton rule. Each PATH is checked as its own set of objects. On a tree that is "
        "not an okd-streams repository only what Tekton or Kubernetes would reject, or what breaks "
        "at run time, is an error; style and this repository's conventions are warnings.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    add_format(parser)
    add_show_info(parser)
    add_config(parser)
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="do not reuse or keep results (yamllint's, rules', renders) in the cache: the "
        "repository's .cache/okd-streams/, else $XDG_CACHE_HOME/okd-streams",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    config = load_config(args.paths[0], args.config, rule_code=registry.code_of)
    report = lint_paths(args.paths, config, cache=args.cache, keep_units=False)
    hidden = emit(report.problems, args.format, args.show_info)
    if hidden:  # say what text output left out, so a count of zero problems is never a surprise
        sys.stdout.write(f"{counts(report.problems)} (info not listed: --show-info lists them)\n")
    return exit_code(report.problems, args.strict)
