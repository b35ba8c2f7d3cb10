"""A new stream never publishes where its source stream does (okd_streams.model.destinations).

Two steps, after the --set values are in the card:
  - publishing switches (the `when` params of destinations streams may not share: uploads,
    `tag-latest`) start off, unless --set turned them on;
  - every destination the new stream still publishes to must differ from the source's: each
    card value that names such a place and was copied from the source needs a new value
    (--set, or asked on a terminal with the source's value shown as the one not to reuse).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from okd_streams.model.destinations import Destination, place
from okd_streams.streams.scaffold.card import card_params, card_pipelines, plain_data, set_param
from okd_streams.streams.scaffold.contract import Contract, ParamSpec

Destinations = dict[str, list[Destination]]  # card pipeline key -> the destinations of its Pipeline


@dataclass
class Needed:
    """A copied card value that names a place the source stream publishes to."""

    spec: ParamSpec
    source_value: Any
    places: list[str] = field(default_factory=list)  # what it names, for the prompt


def card_values(card: Any) -> dict[tuple[str, str], Any]:
    """(pipeline key, param) -> the card's value, as plain data."""
    return {
        (key, item["name"]): plain_data(item.get("value"))
        for key in card_pipelines(card)
        for item in card_params(card, key)
        if isinstance(item, dict) and isinstance(item.get("name"), str) and "value" in item
    }


def _values(contract: Contract, key: str, card: dict[tuple[str, str], Any]) -> dict[str, Any]:
    values = {name: spec.default for name, spec in contract.get(key, {}).items() if spec.default is not None}
    values.update({name: value for (k, name), value in card.items() if k == key})
    return values


def switch_off(card: Any, contract: Contract, destinations: Destinations, chosen: set[tuple[str, str]]) -> list[str]:
    """Turn off the publishing switches the user did not set, and give the params naming a
    place only the switched-off destinations used their Pipeline's default back (an empty
    bucket: "none"), so that no copied value names the source's place. The `PIPELINE.PARAM`
    switches turned off."""
    turned = []
    values = card_values(card)
    for key, declared in destinations.items():
        current = _values(contract, key, values)
        off = []
        for destination in declared:
            if destination.shared:
                continue
            for name in destination.when:
                spec = contract.get(key, {}).get(name)
                if spec is None or (key, name) in chosen or current.get(name) != "true":
                    continue
                set_param(card, spec, "false")
                current[name] = "false"
                turned.append(spec.qualified)
                off.append(destination)
        still = {name for d in declared if place(d, current) is not None for name in d.params}
        for destination in off:
            for name in destination.params:
                spec = contract.get(key, {}).get(name)
                copied = (key, name) in values and (key, name) not in chosen
                if spec is None or not copied or name in still or spec.default is None:
                    continue
                if values[(key, name)] != spec.default:
                    set_param(card, spec, spec.default)
    return turned


def needed(
    card: Any,
    contract: Contract,
    destinations: Destinations,
    source: dict[tuple[str, str], Any],
    chosen: set[tuple[str, str]],
) -> list[Needed]:
    """The copied values that still name a place the source publishes to, each once."""
    found: dict[tuple[str, str], Needed] = {}
    values = card_values(card)
    for key, declared in destinations.items():
        mine = _values(contract, key, values)
        theirs = _values(contract, key, source)
        for destination in declared:
            where = place(destination, mine)
            if destination.shared or where is None or where != place(destination, theirs):
                continue
            copied = [name for name in destination.params if (key, name) in values and (key, name) not in chosen]
            if not copied:  # every value is the Pipeline's default: the most specific one must change
                copied = [destination.params[-1]]
            for name in copied:
                spec = contract.get(key, {}).get(name)
                if spec is None:
                    continue
                entry = found.setdefault((key, name), Needed(spec, theirs.get(name)))
                entry.places.append(destination.what)
    return list(found.values())


def reused(
    chosen: dict[tuple[str, str], tuple[ParamSpec, Any]],
    contract: Contract,
    destinations: Destinations,
    source: dict[tuple[str, str], Any],
    source_name: str,
) -> list[str]:
    """--set values that name the source stream's place again (the whole place, not a part)."""
    found: dict[str, list[str]] = {}
    for key, declared in destinations.items():
        theirs = _values(contract, key, source)
        mine = dict(theirs)
        mine.update({name: value for (k, name), (_, value) in chosen.items() if k == key})
        for destination in declared:
            where = place(destination, mine)
            given = [name for name in destination.params if (key, name) in chosen]
            if destination.shared or where is None or not given or where != place(destination, theirs):
                continue
            shown = " ".join(f"--set {key}.{name}={mine[name]}" for name in given)
            found.setdefault(shown, []).append(destination.what)
    return [
        f"{shown}: that is where {source_name} publishes its {', '.join(what)}; the new stream needs a place of its own"
        for shown, what in found.items()
    ]
