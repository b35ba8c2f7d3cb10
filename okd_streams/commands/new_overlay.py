"""okd-streams new-overlay NAME: scaffold a Component (overlays/NAME) that passes every check."""

from __future__ import annotations

import argparse

from okd_streams.commands._common import add_root
from okd_streams.streams.scaffold.overlay import OverlayRequest, new_overlay

EPILOG = """\
examples:
  okd-streams new-overlay openstack
  okd-streams new-overlay openstack --description "Build and upload the OpenStack boot image." --dry-run
  okd-streams new-overlay hpc-gpu --requires hpc
  okd-streams new-overlay rhcos --os-layer --conflicts hpc

Writes overlays/NAME/: kustomization.yaml (kind: Component), README.md and one patch of a base
Pipeline with a commented example, which changes nothing until you edit it. The kustomization
declares what the component is (metadata.annotations): a feature `okd-streams.io/requires: os`
(any OS layer), an OS layer (--os-layer) `okd-streams.io/layer: os`, plus the components named
by --requires and --conflicts. The component is checked through its probe, as `check` checks a
component no stream lists (on a scratch copy of the repository), before it is written; then try
it with `okd-streams new try-NAME --component NAME --dry-run`. Writing a component:
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
        "--os-layer",
        action="store_true",
        help="an OS layer (okd-streams.io/layer: os), which a stream lists instead of scos or fcos; "
        "default: a feature, which requires one",
    )
    parser.add_argument(
        "--requires",
        metavar="A,B",
        type=_names,
        default=(),
        help="components a stream must list too for this one to work (okd-streams.io/requires)",
    )
    parser.add_argument(
        "--conflicts",
        metavar="C",
        type=_names,
        default=(),
        help="components a stream cannot list together with this one (okd-streams.io/conflicts)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="build and check the component, print its files, write nothing"
    )
    add_root(parser)
    parser.set_defaults(run=run)


def _names(text: str) -> tuple[str, ...]:
    """`A,B` (spaces allowed) as component names, each once."""
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def run(args: argparse.Namespace) -> int:
    return new_overlay(
        OverlayRequest(
            args.name,
            args.root,
            args.description,
            args.dry_run,
            os_layer=args.os_layer,
            requires=args.requires,
            conflicts=args.conflicts,
        )
    )
