"""okd-streams list: the streams, with their key params, components, schedules and sync policy."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from okd_streams.commands._common import add_root
from okd_streams.model.repo import find_root
from okd_streams.streams.info import StreamInfo, read_all


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "list",
        help="list the streams: namespace, OS, version, components, schedules, sync, key params",
        description="List every stream of the repository from its folder (no rendering): namespace, OS, "
        "version, components, schedules, Argo CD sync policy, description and the params its "
        "stream card sets.",
    )
    parser.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    add_root(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    infos = read_all(root)
    if args.format == "json":
        sys.stdout.write(json.dumps([info.to_json() for info in infos], indent=2, default=str) + "\n")
    else:
        sys.stdout.write(text(infos))
    return 0


def _cell(value: object) -> str:
    text = "-" if value in (None, "", [], {}) else str(value)
    return " ".join(text.split())


def _value(value: object) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    return _cell(value) if value is not None else "null"


def text(infos: list[StreamInfo]) -> str:
    if not infos:
        return "no streams in streams/ (add one with `okd-streams new NAME`)\n"
    header = ("NAME", "NAMESPACE", "OS", "VERSION", "COMPONENTS", "SYNC", "SCHEDULES")
    rows = [header]
    for info in infos:
        schedules = ", ".join(f"{p} {_cell(s)}" for p, s in info.schedules.items())
        rows.append(
            (
                info.name,
                _cell(info.namespace),
                _cell(info.os),
                _cell(info.version),
                _cell(", ".join(info.components)),
                _cell(info.sync),
                _cell(schedules),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    for info in infos:
        lines.append("")
        lines.append(f"{info.name}: {_cell(info.description)}")
        if info.owners:
            lines.append(f"  owners: {', '.join(info.owners)}")
        for pipeline, values in info.params.items():
            shown = " ".join(f"{name}={_value(value)}" for name, value in values.items())
            lines.append(
                textwrap.fill(
                    f"{pipeline}: {shown or '(no params set)'}",
                    width=118,
                    initial_indent="  ",
                    subsequent_indent="      ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        for note in info.notes:
            lines.append(f"  ! {note}")
    return "\n".join(lines) + "\n"
