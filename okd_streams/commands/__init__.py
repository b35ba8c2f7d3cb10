"""Subcommands, one module each; each has add_parser(subparsers) and run(args) -> exit code.

The modules are imported when first needed (`COMMANDS`, or `command(name)`): `okd-streams
check` does not pay for importing what `new` or `docs` use.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# (subcommand, module) in the order `--help` lists them
NAMES = [
    ("check", "check"),
    ("render", "render"),
    ("lint", "lint"),
    ("explain", "explain"),
    ("new", "new"),
    ("new-overlay", "new_overlay"),
    ("list", "list_streams"),
    ("docs", "docs"),
    ("graph", "graph"),
    ("affected", "affected"),
    ("diff", "diff"),
    ("apps", "apps"),
    ("secrets", "secrets"),
    ("onboard", "onboard"),
    ("run", "run"),
]


def command(name: str) -> ModuleType | None:
    """The module of subcommand `name`, or None when there is no such subcommand."""
    module = dict(NAMES).get(name)
    return importlib.import_module(f"okd_streams.commands.{module}") if module else None


def __getattr__(name: str) -> list[ModuleType]:
    if name == "COMMANDS":
        return [importlib.import_module(f"okd_streams.commands.{module}") for _, module in NAMES]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
