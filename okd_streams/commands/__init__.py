"""Subcommands, one module each; each has add_parser(subparsers) and run(args) -> exit code."""

from okd_streams.commands import check, explain, lint, render

COMMANDS = [check, render, lint, explain]
