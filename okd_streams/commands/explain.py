"""okd-streams explain CODE: a rule's documentation (like `ruff rule`)."""

from __future__ import annotations

import argparse
import sys
from types import ModuleType

from okd_streams import rules as registry
from okd_streams.errors import UsageError
from okd_streams.lint import ruledoc

SCHEMA_FAMILY = "okd_streams.rules.schema."


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "explain",
        help="print a rule's documentation",
        description="Print what a rule catches, why, and a failing and a passing example.",
    )
    parser.add_argument("code", nargs="?", metavar="CODE", help="rule code (T020) or id (task-param-references)")
    parser.add_argument("--list", action="store_true", help="list every rule: code, level, id, summary")
    parser.set_defaults(run=run)


def summary(rule: ModuleType) -> str:
    return (rule.__doc__ or rule.ID).strip().splitlines()[0]


def run(args: argparse.Namespace) -> int:
    if args.list or not args.code:
        for code, rule in registry.RULES.items():
            sys.stdout.write(f"{code}  {rule.LEVEL:<7}  {rule.ID:<32}  {summary(rule)}\n")
        return 0
    try:
        rule = registry.get(args.code)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    examples = ruledoc.sections(ruledoc.example(rule.CODE))
    sys.stdout.write(
        f"{rule.CODE} {rule.ID} (default level: {rule.LEVEL})\n\n{(rule.__doc__ or '').strip()}\n"
        + "".join(f"\n{section}:\n\n{text}\n" for section, text in examples.items())
    )
    if rule.__name__.startswith(SCHEMA_FAMILY):  # what the schema family judges against, and which version
        from okd_streams import schema

        sys.stdout.write(f"\n{schema.describe_sources()}\n")
    return 0
