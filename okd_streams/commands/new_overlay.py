"""okd-streams new-overlay NAME: scaffold a Component (overlays/NAME) that passes every check."""

from __future__ import annotations

import argparse
from pathlib import Path

from okd_streams.streams.scaffold.overlay import OverlayRequest, new_overlay

EPILOG = """\
examples:
  okd-streams new-overlay openstack
  okd-streams new-overlay openstack --description "Build and upload the OpenStack boot image." --dry-run

Writes overlays/NAME/: kustomization.yaml (kind: Component), README.md and one patch of a base
Pipeline with a commented example, which changes nothing until you edit it. The component is
checked in a stream that lists it (on a scratch copy of the repository) before it is written;
then try it with `okd-streams new try-NAME --component NAME --dry-run`. Writing a component:
docs/overlays.md.

exit: 0 created, 1 the new component would fail `okd-streams check`, 2 refused (bad name, the
folder exists...), 130 interrupted. Unless it exits 0, the tree is left exactly as it was.
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "new-overlay",
        help="scaffold a new component (overlays/NAME) that passes every check",
        description="Create overlays/NAME/ (kustomization.yaml, README.md, a patch with a commented example), "
        "checked in a stream that lists it before it is written.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "name",
        metavar="NAME",
        help="the component's name: a DNS-1123 label (lowercase letters, digits, '-'); the folder overlays/NAME",
    )
    parser.add_argument("--description", metavar="TEXT", help="one sentence for README.md: what the component does")
    parser.add_argument(
        "--dry-run", action="store_true", help="build and check the component, print its files, write nothing"
    )
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: found from .)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return new_overlay(OverlayRequest(args.name, args.root, args.description, args.dry_run))
