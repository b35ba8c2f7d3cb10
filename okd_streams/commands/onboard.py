"""okd-streams onboard STREAM: what a cluster admin creates for a stream, in order, nothing secret."""

from __future__ import annotations

import argparse
import sys

from okd_streams import argocd
from okd_streams.commands._common import add_root
from okd_streams.errors import UsageError
from okd_streams.lint.checking import stream_units
from okd_streams.model.context import RepoContext
from okd_streams.model.repo import SourceTree, discover_streams, find_root
from okd_streams.streams import onboard


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "onboard",
        help="print what a cluster admin creates for a stream (namespace, RBAC, Secrets)",
        description="Render the stream and expand argocd/ offline, then print, in order, what a cluster admin "
        "creates for it: its Namespace when Argo CD does not create it (no CreateNamespace=true), a "
        "ClusterRole and ClusterRoleBinding letting its EventListener read ClusterTriggerBindings and "
        "ClusterInterceptors (no Secrets), on OKD a RoleBinding letting its CronJobs' ServiceAccount use "
        "the nonroot-v2 SCC, and each Secret it references with its type, keys and a `kubectl create "
        "secret ... --dry-run=client -o yaml` line with placeholders. Nothing printed is secret. "
        "--format yaml writes the non-secret manifests only (pipe them to `kubectl apply -f -`). "
        "Exit 0, 1 when the stream does not render, 2 on usage errors.",
    )
    parser.add_argument("stream", metavar="STREAM", help="the stream (a folder of streams/)")
    parser.add_argument(
        "--format", "-f", choices=("text", "yaml"), default="text", help="output format (default: text)"
    )
    add_root(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    streams = discover_streams(root)
    known = {s.name: s for s in streams}
    if args.stream not in known:
        raise UsageError(f"no such stream: {args.stream}; streams: {', '.join(known) or 'none'}")
    tree = SourceTree(root)
    units = stream_units([known[args.stream]], tree, progress=None)
    unit = units[0]
    if unit.build_error is not None:
        sys.stderr.write(f"okd-streams: stream {args.stream} does not render: {unit.build_error}\n")
        return 1
    argo = argocd.analyze(RepoContext(root, tree, streams, units))
    if argo is not None and argo.build_error is not None:
        argo = None  # no Application known: onboard says the namespace is needed
    found = onboard.plan(unit, argo)
    sys.stdout.write(onboard.yaml_text(found) if args.format == "yaml" else onboard.text(found))
    return 0
