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


def _path(value: str) -> Path:
    from pathlib import Path

    return Path(value)


def emit(problems: list[Problem], fmt: str) -> None:
    write(problems, fmt, sys.stdout)
