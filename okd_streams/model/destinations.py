"""Destinations: the places a stream publishes to (a bucket and prefix, an image repository and
tag, a release stream...), as the base Pipelines declare them.

A Pipeline says which of its params name a destination in its annotation
`okd-streams.io/destinations`, a YAML list (Tekton params have no field for it, and an
annotation travels with the Pipeline through every overlay):

    - what: S3 builds and boot images                        # how people call it
      params: [s3-endpoint-url, s3-bucket-name, release-stream]  # together, they name the place
      when: [upload-bootimages]                              # published only when these are "true"
    - what: Matrix room
      params: [matrix-room]
      shared: true                                           # streams may share it

A stream publishes to a destination when each `when` param is "true" and no param of it is
empty ("empty for none"); the place is the params' values, from the stream card or else the
Pipeline's defaults. Two streams publishing to one place overwrite each other's artifacts,
tags or releases (okd_streams.rules.card.stream_destinations_unique), and the scaffolder
never copies one (okd_streams.streams.scaffold).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from okd_streams.files.loader import load_data
from okd_streams.model.objects import Obj

ANNOTATION = "okd-streams.io/destinations"
FIELDS = ("what", "params", "when", "shared")


@dataclass(frozen=True)
class Destination:
    pipeline: str  # the Pipeline declaring it
    what: str
    params: tuple[str, ...]
    when: tuple[str, ...] = ()
    shared: bool = False


@dataclass(frozen=True)
class DeclarationProblem:
    """A malformed declaration: `index` of the entry (None: the annotation as a whole)."""

    index: int | None
    message: str


def declared(pipeline: Obj) -> tuple[list[Destination], list[DeclarationProblem]]:
    """The destinations `pipeline` declares, and what is wrong with its declaration."""
    annotations = pipeline.metadata.get("annotations")
    text = annotations.get(ANNOTATION) if isinstance(annotations, dict) else None
    if text is None:
        return [], []
    if not isinstance(text, str):
        return [], [DeclarationProblem(None, f"the {ANNOTATION} annotation must be a string holding a YAML list")]
    data, issues = _parsed(text)
    if data is None and text.strip():
        reason = issues[0].message if issues else "not YAML"
        return [], [DeclarationProblem(None, f"the {ANNOTATION} annotation is not a YAML list: {reason}")]
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [DeclarationProblem(None, f"the {ANNOTATION} annotation must hold a YAML list of destinations")]
    known = _param_names(pipeline)
    found, problems = [], []
    for index, entry in enumerate(data):
        destination, problem = _entry(pipeline.name, index, entry, known)
        if problem:
            problems.append(DeclarationProblem(index, problem))
        elif destination is not None:
            found.append(destination)
    return found, problems


@lru_cache(maxsize=64)  # every stream renders the same base Pipelines
def _parsed(text: str) -> tuple[Any, list]:
    return load_data(text)


def _param_names(pipeline: Obj) -> set[str]:
    spec = pipeline.data.get("spec")
    params = spec.get("params") if isinstance(spec, dict) else None
    return {p["name"] for p in params if isinstance(p, dict) and isinstance(p.get("name"), str)} if params else set()


def _names(entry: dict, key: str) -> tuple[str, ...] | None:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return None
    return tuple(value)


def _entry(pipeline: str, index: int, entry: Any, known: set[str]) -> tuple[Destination | None, str | None]:
    where = f"destination {index + 1} of Pipeline {pipeline}"
    if not isinstance(entry, dict):
        return None, f"{where} must be a mapping with what, params and optionally when and shared"
    unknown = sorted(str(k) for k in entry if k not in FIELDS)
    if unknown:
        return None, f"{where} has unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}"
    what = entry.get("what")
    params, when = _names(entry, "params"), _names(entry, "when")
    if not isinstance(what, str) or not what.strip():
        return None, f"{where} needs `what`: what the place is, for messages"
    if not params:
        return None, f'{where} ("{what}") needs `params`: a list of the params that name the place'
    if when is None:
        return None, f'{where} ("{what}"): `when` must be a list of param names'
    shared = entry.get("shared", False)
    if not isinstance(shared, bool):
        return None, f'{where} ("{what}"): `shared` must be true or false'
    missing = [name for name in params + when if name not in known]
    if missing:
        return None, f'{where} ("{what}") names param(s) Pipeline {pipeline} does not declare: {", ".join(missing)}'
    return Destination(pipeline, what.strip(), params, when, shared), None


def text_value(value: Any) -> str | None:
    """A param value as the place's name: strings only (an array or object names no place)."""
    return value if isinstance(value, str) else None


def place(destination: Destination, values: dict[str, Any]) -> tuple[str, ...] | None:
    """Where a stream whose param values are `values` (card values over Pipeline defaults)
    publishes for `destination`; None when it does not publish there (a switch off, a param
    empty or not a string)."""
    if any(text_value(values.get(name)) != "true" for name in destination.when):
        return None
    found = tuple(text_value(values.get(name)) or "" for name in destination.params)
    if any(not value.strip() for value in found):
        return None
    return found


def defaults(pipeline: Obj) -> dict[str, Any]:
    """The Pipeline's param defaults, by name."""
    spec = pipeline.data.get("spec")
    params = spec.get("params") if isinstance(spec, dict) else None
    found: dict[str, Any] = {}
    for param in params if isinstance(params, list) else []:
        if isinstance(param, dict) and isinstance(param.get("name"), str) and "default" in param:
            found[param["name"]] = param["default"]
    return found


def switches(destinations: list[Destination]) -> Iterator[str]:
    """The publishing switches (`when` params) of `destinations`, each once, in order."""
    seen: set[str] = set()
    for destination in destinations:
        for name in destination.when:
            if name not in seen:
                seen.add(name)
                yield name
