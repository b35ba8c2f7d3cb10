"""Two components of one stream set the same field to different values: the later silently wins.

What it does:
  Looks at the values each component a stream lists brought into its rendered objects
  (a strategic-merge or JSON 6902 patch of the component, credited per field as for any
  finding in a patch: okd_streams.model.patches), and reports each field that two
  components set to different values where the rendered object holds the later one's:
  once per field, at the later component's patch line, naming both components, both files
  and both values. Tekton's name-keyed lists (params, tasks, steps...) are matched by name;
  a list kustomize replaces whole (`runAfter`, a step's `args`) is one value.
  Not reported: the same value twice; a later list that keeps every item of the earlier one
  (it extends it, knowingly); a field the stream's own patch or card then sets (the stream
  decides, on purpose); a later component that declares it requires the earlier one by name
  (`okd-streams.io/requires: hpc`: it refines what it builds on); a stream whose components
  do not fit together (two OS layers, a conflict: K010, K011 say so). A component that restates
  the base's value is not seen (a patch is credited only with what it changes).
  Waive one with `# okd-streams: disable=K012` in the later component's patch document.

Why:
  Components apply in the order the stream lists them, and a patch never fails on a value
  another patch set: the later one replaces it without a word. Two features that each move
  the same param default, or each extend a task's `runAfter` (a list kustomize replaces
  whole), build fine, and one of them silently does not do what it was written for; the
  order of two lines in `components:` decides which.

Example:
  Failing: two components each extend `publish`'s runAfter; `hpc` (listed first) loses::

    # overlays/hpc/patch-build.yaml
    tasks:
      - name: publish
        runAfter: [compile, hpc-layer]
    # overlays/gpu/patch-build.yaml
    tasks:
      - name: publish
        runAfter: [compile, gpu-layer]

  Passing: the later component keeps both (or says it requires `hpc`)::

    # overlays/gpu/patch-build.yaml
    tasks:
      - name: publish
        runAfter: [compile, hpc-layer, gpu-layer]
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from okd_streams.files.loader import Document
from okd_streams.model import components as comp
from okd_streams.model.objects import Finding, Obj, Unit, get

ID = "component-overlap"
CODE = "K012"
LEVEL = "warning"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False

_PATCH_KEYS = ("patches", "patchesStrategicMerge", "patchesJson6902")


@dataclass(frozen=True)
class _Set:
    """One value a component's patch put at a rendered path."""

    order: int  # the component's place in the stream's `components:`
    component: comp.Declared
    doc: Document
    source: tuple  # the value's path in the patch document
    value: Any


def check(unit: Unit) -> Iterator[Finding]:
    own, listed = comp.listed(unit)
    if own is None or len(listed) < 2 or not comp.well_composed(unit):
        return  # two OS layers or conflicting components: K010/K011 are the one finding until fixed
    owners = _patch_owners(listed)
    if len({order for order, _ in owners.values()}) < 2:
        return  # fewer than two components patch anything
    stream_paths = set(_patch_paths(own))
    if unit.card is not None:
        stream_paths.add(unit.card.path)
    for obj in unit.objects:
        if len(obj.provenance) < 2:
            continue
        by_component = {owners[p.doc.path][0] for p in obj.provenance if p.doc.path in owners}
        if len(by_component) >= 2:
            yield from _object(obj, owners, stream_paths)


def _patch_paths(kustomization: Document) -> Iterator[str]:
    """Display paths of the documents a kustomization's patches read: its patch files, and
    itself for inline patches (okd_streams.model.patches credits those to the kustomization)."""
    data = kustomization.data
    folder = posixpath.dirname(kustomization.path)
    for key in _PATCH_KEYS:
        entries = data.get(key) if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            reference = entry if isinstance(entry, str) and "\n" not in entry else None
            if isinstance(entry, dict):
                reference = entry.get("path") if isinstance(entry.get("path"), str) else None
            if reference is not None:
                yield posixpath.normpath(posixpath.join(folder, reference))
            else:
                yield kustomization.path


def _patch_owners(listed: list[comp.Listed]) -> dict[str, tuple[int, comp.Declared]]:
    """Patch document path -> (order, component) of the component applying it. A file two
    components share brings the same values through both: it is left out."""
    owners: dict[str, tuple[int, comp.Declared]] = {}
    shared: set[str] = set()
    for order, entry in enumerate(listed):
        if entry.component.doc is None:
            continue
        for path in set(_patch_paths(entry.component.doc)):
            if path in owners:
                shared.add(path)
            owners[path] = (order, entry.component)
    return {path: owner for path, owner in owners.items() if path not in shared}


def _object(obj: Obj, owners: dict[str, tuple[int, comp.Declared]], stream_paths: set[str]) -> Iterator[Finding]:
    leaves: dict[tuple, list[_Set]] = {}
    for prov in obj.provenance:
        owner = owners.get(prov.doc.path)
        if owner is None:
            continue
        value = get(prov.doc.data, *prov.source)
        for path, source, leaf in _leaves(value, get(obj.data, *prov.target), prov.target, prov.source):
            leaves.setdefault(path, []).append(_Set(owner[0], owner[1], prov.doc, source, leaf))
    overridden = [p.target for p in obj.provenance if p.doc.path in stream_paths]
    for path, sets in leaves.items():
        if len({s.order for s in sets}) < 2:
            continue
        if any(path[: len(target)] == target or target[: len(path)] == path for target in overridden):
            continue  # the stream sets it itself, after its components: intended
        finding = _judge(obj, path, sets)
        if finding is not None:
            yield finding


def _leaves(value: Any, rendered: Any, path: tuple, source: tuple) -> Iterator[tuple[tuple, tuple, Any]]:
    """(rendered path, patch path, value) of each value a patch value sets, walked beside the
    rendered object: mappings by key, name-keyed lists by name; anything else is one value."""
    if isinstance(value, dict) and isinstance(rendered, dict):
        for key, below in value.items():
            if isinstance(key, str) and not key.startswith("$") and key in rendered:
                yield from _leaves(below, rendered[key], path + (key,), source + (key,))
    elif (
        isinstance(value, list)
        and value
        and isinstance(rendered, list)
        and all(isinstance(item, dict) and "name" in item for item in value)
    ):
        for index, item in enumerate(value):
            found = next(
                (i for i, r in enumerate(rendered) if isinstance(r, dict) and r.get("name") == item["name"]), None
            )
            if found is not None:
                yield from _leaves(item, rendered[found], path + (found,), source + (index,))
    else:
        yield path, source, value


def _judge(obj: Obj, path: tuple, sets: list[_Set]) -> Finding | None:
    last = max(sets, key=lambda s: s.order)  # kustomize applies components in the listed order
    if get(obj.data, *path) != last.value:
        return None  # a later transformer or a merging list made the value something else
    if CODE in last.doc.disabled or ID in last.doc.disabled:
        return None
    earlier: dict[int, _Set] = {}
    for found in sets:
        if (
            found.order < last.order
            and _lost(found.value, last.value)
            and found.component.name not in last.component.requires
        ):
            earlier[found.order] = found  # one per component: the last value it set there
    if not earlier:
        return None
    lost = ", ".join(
        f'"{s.component.name}" ({s.doc.path}:{s.doc.pos(s.source)[0]}) sets {_shown(s.value, last.value)}'
        for s in sorted(earlier.values(), key=lambda s: s.order)
    )
    line, column = last.doc.pos(last.source)
    winner = _shown(last.value, earlier[max(earlier)].value)
    return Finding(
        None,
        (),
        f"components set {_field(obj, path)} of {obj.label()} differently: {lost}, and "
        f'"{last.component.name}" sets {winner} here, which silently wins (it is listed later in components:); '
        "make them agree, or set the value in one place",
        file=last.doc.path,
        line=line,
        column=column,
    )


def _lost(earlier: Any, later: Any) -> bool:
    """Whether the later value drops what the earlier one set: a different value, or a list
    without some of the earlier list's items (one that keeps them all extends it, knowingly)."""
    if isinstance(earlier, list) and isinstance(later, list):
        return any(item not in later for item in earlier)
    return bool(earlier != later)


def _field(obj: Obj, path: tuple) -> str:
    """`spec.tasks[publish].runAfter`: the rendered path, list items by name."""
    words = ""
    data: Any = obj.data
    for step in path:
        data = get(data, step)
        if isinstance(step, int):
            name = data.get("name") if isinstance(data, dict) else None
            words += f"[{name}]" if isinstance(name, str) else f"[{step}]"
        else:
            words += f".{step}" if words else step
    return words or "the object"


def _shown(value: Any, other: Any) -> str:
    """`value` in short; of two lists, only the items that differ (`[..., "hpc-layer"]`)."""
    if isinstance(value, list) and isinstance(other, list):
        parts: list[str] = []
        for item in value:
            if item not in other:
                parts.append(json.dumps(item, default=str))
            elif not parts or parts[-1] != "...":
                parts.append("...")
        text = "[" + ", ".join(parts) + "]"
    else:
        text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
