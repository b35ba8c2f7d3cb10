"""Two streams that publish to the same place: the same bucket and prefix, image tag, release stream...

What it does:
  The base Pipelines declare their destinations in the annotation `okd-streams.io/destinations`
  (okd_streams/model/destinations.py): the params that together name a place a stream
  publishes to, the switches that turn publishing there on, and whether streams may share it
  (a chat room). For every stream, works out each destination it publishes to from its stream
  card's values over the rendered Pipeline's defaults, and reports two streams publishing to
  one place, once for each of the two, at the card's value that names the place, naming the
  other stream and the shared values. A malformed declaration is reported at the annotation.
  A stream whose components do not fit together (K010, K011) is left out until they do.

Why:
  A stream copied from another keeps its bucket, image repositories and release streams: once
  Argo CD syncs it, its nightly build overwrites the other stream's artifacts and tags, and its
  releases land in the other's release stream. Nothing in the cluster refuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from okd_streams.model import components, destinations
from okd_streams.model.context import RepoContext, RepoFinding
from okd_streams.model.objects import Obj
from okd_streams.rules.card import _shared as _card

ID = "stream-destinations-unique"
CODE = "C010"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "repo"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


@dataclass(frozen=True)
class _Use:
    stream: str
    card: Obj
    key: str  # the card's pipeline key
    destination: destinations.Destination
    place: tuple[str, ...]
    set_at: dict[str, tuple]  # param -> path of its value in the card


def check_repo(context: RepoContext) -> Iterator[RepoFinding]:
    places: dict[tuple[str, str, tuple[str, ...]], list[_Use]] = {}
    declarations: dict[tuple[str, str], RepoFinding] = {}
    for stream in context.streams:
        unit = context.rendered_unit(stream)
        card = _card.card_obj(unit) if unit is not None else None
        if unit is None or card is None or not components.well_composed(unit):
            continue  # a stream with two OS layers publishes nowhere it means to: K011 says so
        for key, entry in _card.pipelines(card):
            pipeline = _card.card_pipeline(unit, key)
            if pipeline is None:
                continue  # C002 says so
            declared, problems = destinations.declared(pipeline)
            for problem in problems:
                path = ("metadata", "annotations", destinations.ANNOTATION)
                declarations.setdefault(
                    (pipeline.at(path)[0], problem.message), RepoFinding(pipeline, path, problem.message)
                )
            values, set_at = _values(pipeline, key, entry)
            for destination in declared:
                place = destinations.place(destination, values)
                if place is not None and not destination.shared:
                    use = _Use(stream.name, card, key, destination, place, set_at)
                    places.setdefault((destination.pipeline, destination.what, place), []).append(use)
    yield from declarations.values()
    # One finding per stream, naming the places it shares and a few of the streams it shares them
    # with: a thousand copies of one stream give a thousand findings, not a million.
    by_stream: dict[str, _Shared] = {}
    for uses in places.values():
        streams = sorted({use.stream for use in uses})
        if len(streams) < 2:
            continue
        for use in uses:
            shared = by_stream.setdefault(use.stream, _Shared(use))
            shared.places.append(use)
            for other in streams:
                if other != use.stream and other not in shared.others and len(shared.others) < 3:
                    shared.others.append(other)
            shared.count = max(shared.count, len(streams) - 1)
    for name, shared in sorted(by_stream.items()):
        first = shared.first
        listed = "; ".join(f"{use.destination.what} ({_shown(use)})" for use in shared.places[:2])
        more = f"; and {len(shared.places) - 2} more" if len(shared.places) > 2 else ""
        others = (
            " and ".join(shared.others)
            if shared.count <= 3
            else f"{', '.join(shared.others)} and {shared.count - 3} more"
        )
        what = "stream" if shared.count == 1 else "streams"
        yield RepoFinding(
            first.card,
            _where(first),
            f"stream {name} publishes to the same place as {what} {others}: {listed}{more}. Each run would "
            f"overwrite the other stream's; a stream needs its own {_to_change(first)}",
            stream=name,
        )


@dataclass
class _Shared:
    first: _Use
    places: list[_Use] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    count: int = 0  # the most streams sharing one of its places, itself left out


def _values(pipeline: Obj, key: str, entry: dict) -> tuple[dict[str, Any], dict[str, tuple]]:
    values = destinations.defaults(pipeline)
    set_at: dict[str, tuple] = {}
    for index, item in _card.card_params(entry):
        name = item.get("name")
        if isinstance(name, str) and "value" in item:
            values[name] = item["value"]
            set_at[name] = ("spec", "pipelines", key, "params", index, "value")
    return values, set_at


def _shown(use: _Use) -> str:
    return ", ".join(f"{name}={value}" for name, value in zip(use.destination.params, use.place, strict=True))


def _where(use: _Use) -> tuple:
    """The card's value that names the place (the last param it sets: a bucket rather than
    its endpoint), else the pipeline's entry in the card."""
    for name in reversed(use.destination.params):
        if name in use.set_at:
            return use.set_at[name]
    return ("spec", "pipelines", use.key)


def _to_change(use: _Use) -> str:
    names = [name for name in reversed(use.destination.params) if name in use.set_at] or list(use.destination.params)
    return " or ".join(f"{use.key}.{name}" for name in names[:2]) + " (stream card)"
