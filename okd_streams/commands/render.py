"""okd-streams render STREAM: the stream's objects exactly as Argo CD's kustomize build gives them."""

from __future__ import annotations

import argparse
import subprocess
import sys

from okd_streams.commands._common import add_root
from okd_streams.errors import ToolError, UsageError
from okd_streams.model.repo import discover_streams, find_root
from okd_streams.render.kustomize import DEFAULT_TIMEOUT, clean_error, find_kustomize, kustomize_env, run_bounded


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "render",
        help="print a stream's rendered YAML",
        description="Run kustomize on streams/STREAM, as Argo CD does, and print the result.",
    )
    parser.add_argument("stream", metavar="STREAM")
    add_root(parser)
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
    try:  # in its own process group, killed whole on a timeout or Ctrl-C, as check's builds
        done = run_bounded(kustomize.command(str(stream.directory)), timeout=DEFAULT_TIMEOUT, env=kustomize_env())
    except subprocess.TimeoutExpired:
        print(
            f"okd-streams: kustomize did not finish within {DEFAULT_TIMEOUT:g}s (set OKD_STREAMS_KUSTOMIZE_TIMEOUT)",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:
        raise ToolError(f"cannot run kustomize: {exc}") from None
    if done.returncode != 0:
        message = clean_error(done.stderr, [str(stream.directory.parent)]) or "kustomize failed"
        print(f"okd-streams: {stream.name}: {message}", file=sys.stderr)
        return 1
    sys.stdout.write(done.stdout)
    return 0
