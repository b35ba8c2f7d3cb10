"""okd-streams docs [--check]: generate docs/reference/rules.md and docs/reference/streams.md, or check them."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from okd_streams.commands._common import add_root
from okd_streams.files.paths import write_atomic
from okd_streams.lint import docgen
from okd_streams.model.repo import SourceTree, discover_streams, find_root
from okd_streams.streams import catalog
from okd_streams.streams.components import read_components

RULES_DOC = docgen.RULES_DOC
STREAMS_DOC = catalog.DOC_PATH


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "docs",
        help="generate docs/reference/rules.md and docs/reference/streams.md (--check: fail when stale)",
        description="Generate docs/reference/rules.md (every rule, from the rule registry) and "
        "docs/reference/streams.md (the stream catalog: every stream, every component of overlays/ "
        "with what it does and which streams use it, a drift matrix against the base, and each stream's "
        "pipeline graphs as Mermaid diagrams). Renders the base and every stream with kustomize. "
        "With --check nothing is written: exit 1 when a file is missing or stale.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 naming each stale file (make check runs this)"
    )
    parser.add_argument("--diff", action="store_true", help="with --check, also print a unified diff")
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="with --check, print nothing when the docs are up to date"
    )
    add_root(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    if args.check or args.diff:
        generated, unlisted = generate_for_check(root)
        for name in unlisted:
            sys.stdout.write(f"note: {name} is not in {STREAMS_DOC} yet; `make docs` adds it\n")
        stale_docs = stale(root, generated)
        for relative in stale_docs:
            state = "missing" if not (root / relative).is_file() else "stale"
            sys.stdout.write(f"{relative} is {state}: run `make docs` (or `okd-streams docs`) and commit it\n")
            if args.diff:
                try:
                    current = (root / relative).read_text(encoding="utf-8").splitlines(keepends=True)
                except (OSError, UnicodeDecodeError):
                    current = []
                sys.stdout.writelines(
                    difflib.unified_diff(
                        current, generated[relative].splitlines(keepends=True), f"a/{relative}", f"b/{relative}"
                    )
                )
        if not stale_docs and not args.quiet:
            sys.stdout.write(f"{', '.join(generated)} up to date\n")
        return 1 if stale_docs else 0
    generated = generate(root)
    written = write(root, generated)
    for relative in generated:
        sys.stdout.write(f"{relative}: {'written' if relative in written else 'up to date'}\n")
    return 0


def generate(root: Path, progress: bool | None = None) -> dict[str, str]:
    """{relative path: text} of every generated document; the same repository, the same bytes."""
    return {RULES_DOC: docgen.rules_markdown(), STREAMS_DOC: catalog.generate(root, progress)}


def generate_for_check(root: Path, progress: bool | None = None) -> tuple[dict[str, str], list[str]]:
    """What `docs --check` compares against, and the streams not in the catalog yet.

    The catalog is checked for the streams and components it lists: a stream or component
    added since the catalog was last generated is reported ("stream x", "component y"), not
    failed, so that adding one stays a pull request touching one folder (`make docs` adds it
    to the catalog at any time). A listed one that changed or was removed makes it stale.
    """
    current = _current(root / STREAMS_DOC)
    listed = catalog.listed_streams(current) if current is not None else None
    if listed is None:
        return generate(root, progress), []
    existing = {stream.name for stream in discover_streams(root)}
    components = {info.name for info in read_components(root, SourceTree(root))}
    listed_components = catalog.listed_components(current) if current is not None else None
    if listed_components is None:  # a catalog from before components were listed: list them all
        listed_components = components
    text = catalog.generate(root, progress, listed & existing, listed_components & components)
    unlisted = [f"stream {name}" for name in sorted(existing - listed)]
    unlisted += [f"component {name}" for name in sorted(components - listed_components)]
    return {RULES_DOC: docgen.rules_markdown(), STREAMS_DOC: text}, unlisted


def _current(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def stale(root: Path, generated: dict[str, str]) -> list[str]:
    """The documents whose file is missing or differs from what would be generated, in order."""
    return [relative for relative, text in generated.items() if _current(root / relative) != text]


def write(root: Path, generated: dict[str, str]) -> list[str]:
    """Write the documents that changed (each atomically); returns their relative paths."""
    changed = stale(root, generated)
    for relative in changed:
        write_atomic(root / relative, generated[relative])
    return changed
