"""Arguments several subcommands share."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

import argparse
import sys

from okd_streams.lint.output import FORMATS, write
from okd_streams.problem import Problem


def add_format(parser: argparse.ArgumentParser, choices: tuple[str, ...] = FORMATS) -> None:
    parser.add_argument(
        "--format",
        "-f",
        choices=choices,
        default="text",
        help=f"output format (default: text; one of {', '.join(choices)})",
    )


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=_path,
        help="configuration file (default: .okd-streams.yaml found by walking up)",
    )


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=_path, default=_path("."), help="repository root (default: found from .)")


def _path(value: str) -> Path:
    from pathlib import Path

    return Path(value)


def add_show_info(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--show-info",
        action="store_true",
        help="list info findings in text output too (they are counted, not listed, by default; "
        "json, github, sarif and junit always carry them)",
    )


def emit(problems: list[Problem], fmt: str, show_info: bool = True) -> int:
    """Write `problems`; return how many info findings text output left out.

    Text is read by people, where info lines (a tag-pinned image, ...) would bury the errors;
    the machine formats keep every finding, so a tool filters them itself."""
    hidden = 0
    if fmt == "text" and not show_info:
        shown = [p for p in problems if p.level != "info"]
        hidden = len(problems) - len(shown)
        problems = shown
    write(problems, fmt, sys.stdout)
    return hidden


def counts(problems: list[Problem]) -> str:
    """`2 errors, 1 warnings, 22 info`: the totals line of text output."""
    by_level = {"error": 0, "warning": 0, "info": 0}
    for p in problems:
        by_level[p.level] = by_level.get(p.level, 0) + 1
    return f"{by_level['error']} errors, {by_level['warning']} warnings, {by_level['info']} info"
