"""okd-streams render STREAM: the stream's objects exactly as Argo CD's kustomize build gives them."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from okd_streams.errors import UsageError
from okd_streams.kustomize import DEFAULT_TIMEOUT, find_kustomize
from okd_streams.repo import discover_streams, find_root


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("render", help="print a stream's rendered YAML",
                            description="Run kustomize on streams/STREAM, as Argo CD does, and print the result.")
    parser.add_argument("stream", metavar="STREAM")
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: found from .)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    streams = {s.name: s for s in discover_streams(root)}
    stream = streams.get(args.stream)
    if stream is None:
        raise UsageError(f"no such stream: {args.stream}; streams: {', '.join(streams) or 'none'}")
    if stream.kustomization is None:
        raise UsageError(f"streams/{stream.name} has no kustomization.yaml")
    kustomize = find_kustomize()
    try:
        done = subprocess.run(kustomize.command(str(stream.directory)), capture_output=True, text=True,
                              timeout=DEFAULT_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        print(f"okd-streams: kustomize did not finish within {DEFAULT_TIMEOUT:g}s", file=sys.stderr)
        return 1
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["kustomize failed"])[-1]
        print(f"okd-streams: {stream.name}: {message}", file=sys.stderr)
        return 1
    sys.stdout.write(done.stdout)
    return 0
