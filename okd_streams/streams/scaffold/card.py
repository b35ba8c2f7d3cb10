"""The stream card and README of the new stream: round-trip edits (comments kept) through
files/edit.py, and the texts written from the card."""

from __future__ import annotations

import textwrap
from typing import Any

from okd_streams.files import edit
from okd_streams.model.objects import get
from okd_streams.streams.scaffold.contract import ParamSpec


def card_pipelines(card: Any) -> dict:
    pipelines = get(card, "spec", "pipelines")
    return pipelines if isinstance(pipelines, dict) else {}


def card_params(card: Any, key: str) -> list:
    params = get(card_pipelines(card), key, "params")
    return params if isinstance(params, list) else []


def set_param(card: Any, spec: ParamSpec, value: Any) -> None:
    """Set a param's value in the card, keeping the entry's comments; a new entry (and any
    entry without a comment) is documented with the param's description."""
    pipeline = card_pipelines(card)[spec.pipeline]
    params = pipeline.get("params")
    if not isinstance(params, list):
        params = edit.CommentedSeq()
        pipeline["params"] = params
    for index, item in enumerate(params):  # noqa: B007 - index is read after the loop (break)
        if isinstance(item, dict) and item.get("name") == spec.name:
            item["value"] = edit.plain(value)
            break
    else:
        entry = edit.CommentedMap()
        entry["name"] = spec.name
        entry["value"] = edit.plain(value)
        params.append(entry)
        index = len(params) - 1
    if not edit.has_comment(params[index]) and spec.description:
        edit.add_item_comment(params, index, "name", spec.description, indent=8)


def set_key(mapping: Any, key: str, value: Any, after: tuple[str, ...] = ()) -> None:
    if key in mapping:
        mapping[key] = value
        return
    keys = list(mapping.keys())
    position = len(keys)
    for anchor in after:
        if anchor in keys:
            position = keys.index(anchor) + 1
            break
    mapping.insert(position, key, value)


def plain_data(value: Any) -> Any:
    """ruamel nodes as plain Python data (strings stay strings)."""
    if isinstance(value, dict):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def identifying_values(card: Any, source: str, chosen: set[tuple[str, str]]) -> list[str]:
    """Copied values that name the source stream (a bucket, a release stream...): worth a look."""
    found = []
    for key in card_pipelines(card):
        for item in card_params(card, key):
            if (
                isinstance(item, dict)
                and isinstance(item.get("value"), str)
                and source in item["value"]
                and (key, item.get("name")) not in chosen
            ):
                found.append(f"{key}.{item.get('name')}={item['value']}")
    return found


def default_description(source: str, source_description: str, components: list[str]) -> str:
    base = " ".join(source_description.split()).rstrip(".")
    if components:
        noun = "component" if len(components) == 1 else "components"
        return f"{base or 'A copy of ' + source}, with the {', '.join(components)} {noun}."
    return f"A copy of {source}: {base}." if base else f"A copy of {source}."


def render_readme(
    name: str, namespace: str, source: str, components: list[str], card: Any, description: str, manual: bool = False
) -> str:
    """One paragraph: what the stream is, where it runs, when, and where its values live."""
    runs = []
    for key, entry in card_pipelines(card).items():
        schedule = get(entry, "schedule")
        runs.append(f"`{key}` at `{schedule}`" if isinstance(schedule, str) and not manual else f"`{key}`")
    added = ""
    if components:
        added = " plus " + ", ".join(f"`overlays/{c}`" for c in components)
    sync = get(card, "spec", "sync")
    synced = {"automatic": "Argo CD syncs it automatically", "manual": "Argo CD syncs it manually"}.get(
        sync if isinstance(sync, str) else "", "Argo CD syncs it"
    )
    zone = get(card, "spec", "timeZone")
    if manual:  # a component removed the CronJobs: the schedules start nothing
        started = f"its Pipelines {_join(runs)} are started by hand (`okd-streams run {name}`)"
    else:
        started = f"its CronJobs start the Pipelines {_join(runs)} (cron, {zone if isinstance(zone, str) else 'UTC'})"
    text = (
        f"{description.strip()} In namespace `{namespace}`, {started}. It started as a copy of `{source}`{added}. "
        f"Its values live in `stream.yaml`; {synced}."
    )
    return f"# {name}\n\n" + textwrap.fill(text, width=115, break_on_hyphens=False, break_long_words=False) + "\n"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
