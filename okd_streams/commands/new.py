"""okd-streams new NAME (also scripts/new_stream.py NAME): scaffold a stream that passes every check.

One argparse definition serves both entry points: `add_arguments` fills the `new`
subcommand's parser here, and scripts/new_stream.py runs `okd_streams.cli.main(["new", ...])`.
"""

from __future__ import annotations

import argparse

from okd_streams.commands._common import add_root
from okd_streams.streams import scaffold

EPILOG = """\
examples:
  okd-streams new hpc --component hpc
  okd-streams new okd-scos-4-20 --set version=4.20 --set branch=release-4.20 \\
      --set okd-release.release-stream=4.20.0-0.okd-scos-nightly --schedule okd-coreos="0 7 * * *"
  okd-streams new hpc --component hpc --set 'hpc-packages=[openmpi, munge]' --dry-run
  okd-streams new hpc --component hpc --git     # branch stream/hpc with one commit, ready for a PR

--set PARAM=VALUE sets a param of the Pipeline that declares it (PIPELINE.PARAM=VALUE when both
do); the value is typed by the param's declared type: a string as written, an array as [a, b],
an object as {key: value}. Values are checked against the new stream's rendered Pipelines
(components included) before anything is written; required params without a value are asked
for on a terminal, and listed (exit 2) otherwise.

exit: 0 created, 1 the new stream would fail `okd-streams check`, 2 refused (bad name, value,
option, dirty git tree...), 130 interrupted. Unless it exits 0, the tree is left exactly as it was.
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "new",
        help="scaffold a new stream (streams/NAME) that passes every check",
        description="Create streams/NAME/ (kustomization.yaml, stream.yaml, README.md) as a copy of an "
        "existing stream with the given components and values, checked before it is written.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(run=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name",
        metavar="NAME",
        help="the stream's name: a DNS-1123 label (lowercase letters, digits, '-'); "
        "the folder streams/NAME and the Argo CD Application",
    )
    parser.add_argument(
        "--from", dest="source", metavar="STREAM", help=f"existing stream to copy (default: {scaffold.DEFAULT_SOURCE})"
    )
    parser.add_argument(
        "--component",
        "-c",
        dest="components",
        action="append",
        default=[],
        metavar="NAME",
        help="add the component overlays/NAME (repeatable; after the copied ones)",
    )
    parser.add_argument(
        "--set",
        "-s",
        dest="sets",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="set a param's value in the stream card (repeatable); PIPELINE.PARAM=VALUE when "
        "both pipelines declare PARAM",
    )
    parser.add_argument(
        "--schedule",
        dest="schedules",
        action="append",
        default=[],
        metavar="CRON",
        help='CronJob schedule of every pipeline ("30 6 * * *", @daily, ...), or of one: PIPELINE=CRON (repeatable)',
    )
    parser.add_argument(
        "--owner",
        dest="owners",
        action="append",
        default=[],
        metavar="OWNER",
        help="an owner (GitHub user or team; repeatable; default: the copied stream's)",
    )
    parser.add_argument("--description", metavar="TEXT", help="one sentence: what the stream is for")
    parser.add_argument(
        "--namespace",
        metavar="NAMESPACE",
        help="namespace to deploy into (default: NAME, or okd-NAME when the AppProject in argocd/ "
        "only permits okd-* namespaces)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="build and check the stream, print what would be written, write nothing"
    )
    parser.add_argument(
        "--git",
        action="store_true",
        help="create branch stream/NAME holding one commit with the new folder (needs a clean "
        "work tree) and leave you on it",
    )
    parser.add_argument(
        "--no-input",
        dest="interactive",
        action="store_false",
        default=None,
        help="never prompt, even on a terminal: list missing values and exit 2",
    )
    add_root(parser)


def request_from(args: argparse.Namespace) -> scaffold.Request:
    return scaffold.Request(
        name=args.name,
        root=args.root,
        source=args.source,
        components=list(args.components),
        sets=list(args.sets),
        schedules=list(args.schedules),
        owners=list(args.owners),
        description=args.description,
        namespace=args.namespace,
        dry_run=args.dry_run,
        git=args.git,
        interactive=args.interactive,
    )


def run(args: argparse.Namespace) -> int:
    return scaffold.new(request_from(args))
