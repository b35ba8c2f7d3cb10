"""What a Component says about itself: the layer it is, what it requires, what it conflicts with.

A Component declares it in its own kustomization's `metadata.annotations` (kustomize reads
a Component's `metadata` and ignores it in the build, so the output does not change):

  okd-streams.io/layer: os          an OS layer: a stream lists exactly one
  okd-streams.io/requires: os       components it needs (folder names), `os` = any OS layer
  okd-streams.io/conflicts: fcos    components it cannot be listed with (folder names)
  okd-streams.io/runs: manual       it removes the CronJobs: the stream's runs are started by
                                    hand, so its card's schedules start nothing by design

A component's name is its folder's name. Two OS layers always conflict; that need not be
written. Rules read the declarations from the kustomizations a stream's build read
(`Unit.kustomizations`); `check` reads them to pick the stream a probe of an unused
component is built from (okd_streams.lint.probes).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okd_streams.files.loader import Document
from okd_streams.model.objects import Unit

PREFIX = "okd-streams.io/"
LAYER = PREFIX + "layer"
REQUIRES = PREFIX + "requires"
CONFLICTS = PREFIX + "conflicts"
RUNS = PREFIX + "runs"
MANUAL = "manual"  # the one value of RUNS
OS = "os"  # the one layer kind so far: in `requires`, any component of that layer


@dataclass(frozen=True)
class Declared:
    """One component as a kustomization declares it. `path`: the display path of its folder."""

    name: str
    path: str
    layer: str | None = None
    requires: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    doc: Document | None = None
    manual: bool = False  # declares `runs: manual`

    def annotation_pos(self, key: str) -> tuple[str, int, int] | None:
        """Where the kustomization declares `key` (for findings about it), or None."""
        if self.doc is None:
            return None
        line, column = self.doc.pos(("metadata", "annotations", key))
        return self.doc.path, line, column


def _names(value: object) -> tuple[str, ...]:
    if not isinstance(value, str):
        return ()
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def declared(data: object, path: str, doc: Document | None = None) -> Declared:
    """The declarations of a component's kustomization data (its folder at display `path`)."""
    metadata = data.get("metadata") if isinstance(data, dict) else None
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, dict):
        annotations = {}
    layer, runs = annotations.get(LAYER), annotations.get(RUNS)
    return Declared(
        posixpath.basename(path.rstrip("/")) or path,
        path,
        layer.strip() if isinstance(layer, str) and layer.strip() else None,
        _names(annotations.get(REQUIRES)),
        _names(annotations.get(CONFLICTS)),
        doc,
        isinstance(runs, str) and runs.strip() == MANUAL,
    )


@dataclass(frozen=True)
class Listed:
    """A `components:` entry of a stream's kustomization: its index, and what it declares."""

    index: int
    component: Declared


def stream_kustomization(unit: Unit) -> Document | None:
    """The stream's own kustomization document among those its build read (for a probe, the
    kustomization written in its temporary folder: okd_streams.lint.probes)."""
    if unit.kustomization is None:
        return None
    found = next((d for d in unit.kustomizations if d.path == unit.kustomization), None)
    if found is None and unit.directory is not None:
        built = Path(unit.directory)
        found = next((d for p, d in _files(unit) if p.parent == built), None)
    return found


def _files(unit: Unit) -> list[tuple[Path, Document]]:
    """(absolute path, document) of each kustomization the build read, when the unit has both."""
    if len(unit.kustomization_files) != len(unit.kustomizations):
        return []
    return list(zip(unit.kustomization_files, unit.kustomizations, strict=True))


def listed(unit: Unit) -> tuple[Document | None, list[Listed]]:
    """The stream's kustomization and the components it lists (entries that are folders of
    a kustomization its build read), in order. Memoized on the unit: several rules ask."""
    return unit.memo(("okd-streams-components",), lambda: _listed(unit))


def _listed(unit: Unit) -> tuple[Document | None, list[Listed]]:
    own = stream_kustomization(unit)
    if own is None or not isinstance(own.data, dict) or not isinstance(own.data.get("components"), list):
        return own, []
    # By absolute folder when known: a probe's kustomization names the components from a
    # temporary folder outside the repository, which display paths cannot join.
    files = _files(unit)
    own_file = next((p for p, d in files if d is own), None)
    if own_file is not None:
        by_path: dict = {p.parent: d for p, d in files}
        here: Any = own_file.parent
    else:
        by_path = {posixpath.dirname(d.path): d for d in unit.kustomizations}
        here = posixpath.dirname(own.path)
    found = []
    for index, entry in enumerate(own.data["components"]):
        if not isinstance(entry, str):
            continue
        if isinstance(here, Path):
            doc = by_path.get(Path(os.path.normpath(here / entry)))
        else:
            doc = by_path.get(posixpath.normpath(posixpath.join(here, entry)))
        if doc is not None and isinstance(doc.data, dict) and doc.data.get("kind") == "Component":
            found.append(Listed(index, declared(doc.data, posixpath.dirname(doc.path), doc)))
    return own, found


def runs_manually(unit: Unit) -> bool:
    """Whether a component the stream lists declares `runs: manual` (it has no CronJobs)."""
    return any(entry.component.manual for entry in listed(unit)[1])


def os_layers(components: list[Declared]) -> list[Declared]:
    return [c for c in components if c.layer == OS]


def unmet(component: Declared, others: list[Declared]) -> Iterator[str]:
    """Each requirement of `component` that `others` (the stream's other components) miss."""
    names = {c.name for c in others}
    for required in component.requires:
        if required == OS:
            if not os_layers(others) and component.layer != OS:
                yield required
        elif required not in names:
            yield required


def conflicting(component: Declared, others: list[Declared]) -> Iterator[Declared]:
    """The components of `others` that `component` conflicts with, or that conflict with it
    (two OS layers are reported as such, not here)."""
    for other in others:
        if other.name in component.conflicts or component.name in other.conflicts:
            yield other


def compatible(component: Declared, stream: list[Declared]) -> list[Declared] | None:
    """The components a probe of `component` on a stream listing `stream` would list: the
    stream's, with `component` added (an OS layer replacing the stream's). None when the
    result would break a requirement or conflict."""
    kept = [c for c in stream if c.name != component.name and not (component.layer and c.layer == component.layer)]
    together = [*kept, component]
    return together if _fit(together) else None


def _fit(components: list[Declared]) -> bool:
    """Every requirement of each component met by the others, and no conflict among them."""
    for member in components:
        rest = [c for c in components if c is not member]
        if any(True for _ in unmet(member, rest)) or any(True for _ in conflicting(member, rest)):
            return False
    return True


def well_composed(unit: Unit) -> bool:
    """Whether the stream's components fit together (K010, K011): at most one OS layer (exactly
    one when it lists any component), every requirement met, no conflict. Rules about what a
    stream does (where it publishes) judge only streams that are: the composition is the one
    mistake to report until it is fixed."""
    _, entries = listed(unit)
    if not entries:
        return True
    components = [entry.component for entry in entries]
    return len(os_layers(components)) == 1 and _fit(components)
