"""Which components the new stream lists: the source's, with the added ones, and none of the
source's that an added one conflicts with.

`new fcos-local --from okd-fcos --component local` means "okd-fcos, run locally": local
conflicts with okd-payload, which okd-fcos lists, so the copy drops okd-payload (with a
note) rather than refusing. An added OS layer replaces the source's the same way, and the
card's `os` follows it (C007). Two *added* components that conflict are the user's own
contradiction: refused, naming both.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.files import edit
from okd_streams.files.read import load_file_data
from okd_streams.model import components as comp
from okd_streams.render import kustomization as kz
from okd_streams.streams.scaffold.card import set_key
from okd_streams.streams.scaffold.request import Refused

OVERLAYS_DIR = "overlays"


@dataclass
class Composition:
    """What the components of the new stream became."""

    added: list[str] = field(default_factory=list)  # newly listed (not already in the source)
    dropped: list[str] = field(default_factory=list)  # the source's, removed for a conflict
    manual: bool = False  # a listed component declares `runs: manual`


def component_name(reference: object) -> str | None:
    """The overlays/ folder a `components:` entry of a stream names, or None."""
    if not isinstance(reference, str):
        return None
    parts = posixpath.normpath(reference).split("/")
    return parts[-1] if len(parts) >= 2 and parts[-2] == OVERLAYS_DIR else None


def _reader(root: Path) -> Callable[[str], comp.Declared]:
    """What a component declares, by folder name, each kustomization read once."""
    found: dict[str, comp.Declared] = {}

    def declared(name: str) -> comp.Declared:
        if name not in found:
            path = kz.kustomization_file(root / OVERLAYS_DIR / name)
            found[name] = comp.declared(load_file_data(path) if path is not None else None, f"{OVERLAYS_DIR}/{name}")
        return found[name]

    return declared


def _clash(one: comp.Declared, other: comp.Declared) -> bool:
    return bool(list(comp.conflicting(one, [other]))) or (one.layer == comp.OS and other.layer == comp.OS)


def compose(
    root: Path, kustomization: Any, card: Any, wanted: list[str], source: str, out: Callable[[str], None]
) -> Composition:
    """Add the `wanted` components to the copied `kustomization` (edited in place), dropping
    the source's that conflict with one; the card's `os` follows a new OS layer."""
    components = kustomization.get("components")
    if not isinstance(components, list):
        components = edit.CommentedSeq()
        kustomization["components"] = components
    result = Composition()
    declared = _reader(root)
    added = [declared(name) for name in wanted]
    for index, one in enumerate(added):
        for other in added[index + 1 :]:
            if _clash(one, other):
                raise Refused(
                    f"--component {one.name} and --component {other.name} cannot be listed together "
                    f"({'both are OS layers' if one.layer == other.layer == comp.OS else 'they conflict'}): "
                    "keep one"
                )
    present = {component_name(entry) for entry in components}
    for position in reversed(range(len(components))):
        name = component_name(components[position])
        if name is None or name in wanted:
            continue
        copied = declared(name)
        reason = next((one for one in added if _clash(one, copied)), None)
        if reason is None:
            continue
        del components[position]
        result.dropped.insert(0, name)
        why = "replaces its OS layer" if copied.layer == comp.OS else "conflicts with it"
        out(f"note: {source} lists the component {name}; {reason.name} {why}, so the new stream does not list it")
    for one in added:
        if one.name in present:
            out(f"note: {source} already includes the component {one.name}")
            continue
        components.append(f"../../{OVERLAYS_DIR}/{one.name}")
        result.added.append(one.name)
        spec = card.get("spec") if isinstance(card, dict) else None
        if one.layer == comp.OS and isinstance(spec, dict) and "os" in spec:
            set_key(spec, "os", edit.scalar(one.name))
    listed = [name for entry in components if (name := component_name(entry)) is not None]
    result.manual = any(declared(name).manual for name in listed)
    return result
