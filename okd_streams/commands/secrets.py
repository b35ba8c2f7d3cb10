"""okd-streams secrets [STREAM...]: the Secrets each stream references, for the operator to create."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from okd_streams.commands._common import add_root
from okd_streams.errors import UsageError
from okd_streams.lint.checking import stream_units
from okd_streams.model.repo import SourceTree, discover_streams, find_root
from okd_streams.streams.secrets import secrets_of


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "secrets",
        help="list the Secrets each stream references (to create them before syncing)",
        description="Render each stream (or those named) and list every Secret its objects reference by name: "
        "env secretKeyRef and envFrom, secret volumes and workspaces, imagePullSecrets, and "
        "Pipeline params named *-secret. Names passed as params are followed to the value the "
        "stream card or a default gives them. The repository holds no Secret (rule X001): create "
        "these in the stream's namespace. Exit 0, or 1 when a stream does not render.",
    )
    parser.add_argument("streams", nargs="*", metavar="STREAM", help="streams to list (default: all)")
    parser.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    add_root(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    streams = discover_streams(root)
    if args.streams:
        known = {s.name: s for s in streams}
        unknown = [name for name in args.streams if name not in known]
        if unknown:
            raise UsageError(f"no such stream: {', '.join(unknown)}; streams: {', '.join(known) or 'none'}")
        streams = [known[name] for name in args.streams]
    if not streams:
        raise UsageError("no streams in streams/ (add one with `okd-streams new NAME`)")
    units = stream_units(streams, SourceTree(root), progress=None)
    report = []
    failed = False
    for unit in units:
        namespaces = sorted({obj.namespace for obj in unit.objects if obj.namespace})
        entry: dict[str, Any] = {
            "stream": unit.stream,
            "namespace": namespaces[0] if len(namespaces) == 1 else None,
            "error": unit.build_error,
            "secrets": [],
        }
        if unit.build_error is not None:
            failed = True
        else:
            entry["secrets"] = [need.to_json() for need in secrets_of(unit)]
        report.append(entry)
    if args.format == "json":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        sys.stdout.write(text(report))
    if failed:
        sys.stderr.write("okd-streams: some streams did not render; `okd-streams check` says why\n")
    return 1 if failed else 0


def text(report: list[dict]) -> str:
    lines = []
    for entry in report:
        where = f" (namespace {entry['namespace']})" if entry["namespace"] else ""
        if entry["error"] is not None:
            lines.append(f"{entry['stream']}: does not render: {entry['error']}")
            lines.append("")
            continue
        needs = entry["secrets"]
        lines.append(f"{entry['stream']}{where}: {len(needs)} secret{'s' if len(needs) != 1 else ''}")
        for need in needs:
            keys = ", ".join(need["keys"]) if need["keys"] else "keys not named (mounted whole)"
            flags = []
            if need["optional"]:
                flags.append("optional")
            if not need["resolved"]:
                flags.append("name set at run time")
            suffix = f"  [{', '.join(flags)}]" if flags else ""
            lines.append(f"  {need['name']}{suffix}")
            lines.append(f"    keys: {keys}")
            for use in need["used_by"]:
                via = f"  <- {use['via']}" if use["via"] else ""
                optional = " (optional)" if use["optional"] and not need["optional"] else ""
                lines.append(f"    used by {use['object']} {use['how']}{optional}{via}")
        lines.append("")
    return "\n".join(lines)
