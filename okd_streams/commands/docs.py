"""okd-streams docs [--check]: generate docs/reference/rules.md and docs/reference/streams.md, or check them."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from okd_streams.lint import docgen
from okd_streams.model.repo import find_root


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "docs", help="generate docs/reference/rules.md and docs/reference/streams.md (--check: fail when stale)",
        description="Generate docs/reference/rules.md (every rule, from the rule registry) and "
                    "docs/reference/streams.md (the stream catalog: every stream, a drift matrix against the "
                    "base, and each stream's "
                    "pipeline graphs as Mermaid diagrams). Renders the base and every stream with kustomize. "
                    "With --check nothing is written: exit 1 when a file is missing or stale.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming each stale file (make check runs this)")
    parser.add_argument("--diff", action="store_true", help="with --check, also print a unified diff")
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: found from .)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    if args.check or args.diff:
        generated, unlisted = docgen.generate_for_check(root)
        for name in unlisted:
            sys.stdout.write(f"note: stream {name} is not in {docgen.STREAMS_DOC} yet; `make docs` adds it\n")
        stale = docgen.stale(root, generated)
        for relative in stale:
            state = "missing" if not (root / relative).is_file() else "stale"
            sys.stdout.write(f"{relative} is {state}: run `make docs` (or `okd-streams docs`) and commit it\n")
            if args.diff:
                try:
                    current = (root / relative).read_text(encoding="utf-8").splitlines(keepends=True)
                except (OSError, UnicodeDecodeError):
                    current = []
                sys.stdout.writelines(difflib.unified_diff(
                    current, generated[relative].splitlines(keepends=True), f"a/{relative}", f"b/{relative}"))
        if not stale:
            sys.stdout.write(f"{', '.join(generated)} up to date\n")
        return 1 if stale else 0
    generated = docgen.generate(root)
    written = docgen.write(root, generated)
    for relative in generated:
        sys.stdout.write(f"{relative}: {'written' if relative in written else 'up to date'}\n")
    return 0
