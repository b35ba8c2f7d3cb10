"""Values for the new stream's params: --set, the values copied from the source stream, and
prompts for the required ones still missing."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from typing import Any

from okd_streams.streams.scaffold import destinations as places
from okd_streams.streams.scaffold.card import card_params, card_pipelines, plain_data, set_param
from okd_streams.streams.scaffold.contract import Contract, ParamSpec, parse_value, resolve_param, value_problem
from okd_streams.streams.scaffold.plan import Plan
from okd_streams.streams.scaffold.request import Refused, Request


def apply_values(
    plan: Plan,
    contract: Contract,
    request: Request,
    out: Callable[[str], None],
    ask: Callable[[str], str],
    destinations: places.Destinations | None = None,
) -> None:
    """The --set values, then the copied values checked against the new contract, then the
    publishing switches turned off and the source's destinations replaced
    (okd_streams.streams.scaffold.destinations), then the required params still without a
    value: asked for on a terminal, refused otherwise."""
    destinations = destinations or {}
    source = places.card_values(plan.card)
    problems: list[str] = []
    chosen: dict[tuple[str, str], tuple[ParamSpec, Any]] = {}
    for text in request.sets:
        key, sep, raw = text.partition("=")
        if not sep or not key.strip():
            problems.append(f"--set {text}: write PARAM=VALUE (or PIPELINE.PARAM=VALUE)")
            continue
        try:
            spec = resolve_param(contract, key.strip())
            value = parse_value(spec, raw)
        except Refused as exc:
            problems.append(f"--set {text}: {exc}")
            continue
        problem = value_problem(spec, value)
        if problem:
            problems.append(f"--set {text}: {problem}")
            continue
        chosen[(spec.pipeline, spec.name)] = (spec, value)
    problems += places.reused(chosen, contract, destinations, source, plan.source)
    if problems:
        raise Refused(problems, "cannot create the stream: fix these --set values")
    for spec, value in chosen.values():
        set_param(plan.card, spec, value)
    plan.chosen.update(chosen)

    # Values copied from --from must satisfy the new stream's contract too.
    for key in card_pipelines(plan.card):
        for item in card_params(plan.card, key):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                problems.append(f"{plan.source}'s stream card has a param entry without a name under {key}")
                continue
            declared = contract.get(key, {}).get(item["name"])
            if declared is None:
                problems.append(
                    f"{key}.{item['name']} (copied from {plan.source}) is not a param of the "
                    f"rendered Pipeline; its params: {', '.join(contract.get(key, {})) or 'none'}"
                )
                continue
            problem = value_problem(declared, plain_data(item.get("value")))
            if problem:
                problems.append(f"{problem} (copied from {plan.source}; set it with --set {declared.qualified}=VALUE)")
    if problems:
        raise Refused(
            problems,
            f"cannot create the stream: the values copied from {plan.source} do not fit the new stream's contract",
        )

    turned = places.switch_off(plan.card, contract, destinations, set(chosen))
    if turned:
        out(
            f'Publishing starts off in a new stream: {", ".join(turned)} set to "false" (turn each on '
            "with --set PIPELINE.PARAM=true once the stream publishes to places of its own)."
        )
    _replace_destinations(plan, contract, destinations, source, request, out, ask)

    missing = [
        spec
        for key, specs in contract.items()
        for spec in specs.values()
        if spec.required
        and spec.name not in {i.get("name") for i in card_params(plan.card, key) if isinstance(i, dict)}
    ]
    if not missing:
        return
    if not _interactive(request):
        lines = [
            f"{spec.qualified} ({spec.type}, {spec.allowed()}): {spec.description or 'no description'}"
            for spec in missing
        ]
        raise Refused(
            lines,
            "cannot create the stream: these required params have no value; pass each as "
            "--set PIPELINE.PARAM=VALUE (or run on a terminal to be asked):",
        )
    out("The new stream's Pipelines need values for these params (Ctrl-C to stop; nothing is written):")
    for spec in missing:
        set_param(plan.card, spec, _prompt(spec, out, ask))
        plan.chosen.add((spec.pipeline, spec.name))


def _replace_destinations(
    plan: Plan,
    contract: Contract,
    destinations: places.Destinations,
    source: dict[tuple[str, str], Any],
    request: Request,
    out: Callable[[str], None],
    ask: Callable[[str], str],
) -> None:
    """The copied values naming a place the source stream publishes to: asked for anew on a
    terminal (the source's value refused), refused otherwise, listing them."""
    needed = places.needed(plan.card, contract, destinations, source, set(plan.chosen))
    if not needed:
        return
    if not _interactive(request):
        lines = [
            f"{entry.spec.qualified}: {plan.source}'s value {entry.source_value!r} names its {', '.join(entry.places)}"
            for entry in needed
        ]
        raise Refused(
            lines,
            f"cannot create the stream: these values copied from {plan.source} name places it publishes to, and "
            "two streams publishing to one place overwrite each other; give the new stream its own with "
            "--set PIPELINE.PARAM=VALUE (or run on a terminal to be asked):",
        )
    out(f"The new stream must publish to places of its own, not {plan.source}'s (Ctrl-C to stop; nothing is written):")
    for entry in needed:
        note = f"names the {', '.join(entry.places)}; {plan.source} uses {entry.source_value!r}: give another value"
        while True:
            value = _prompt(entry.spec, out, ask, note)
            if value != entry.source_value:
                break
            out(f"  that is {plan.source}'s; the new stream needs its own")
        set_param(plan.card, entry.spec, value)
        plan.chosen.add((entry.spec.pipeline, entry.spec.name))


def _prompt(spec: ParamSpec, out: Callable[[str], None], ask: Callable[[str], str], note: str = "") -> Any:
    out(f"\n{spec.qualified} ({spec.type}, required)")
    if note:
        out(textwrap.fill(note, width=100, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False))
    if spec.description:
        out(textwrap.fill(spec.description, width=100, initial_indent="  ", subsequent_indent="  "))
    out(f"  allowed: {spec.allowed()}")
    while True:
        try:
            raw = ask(f"{spec.qualified}: ")
        except EOFError:
            raise Refused(f"no value given for {spec.qualified}: pass it with --set {spec.qualified}=VALUE") from None
        if raw.strip() == "":
            out("  a value is required")
            continue
        try:
            value = parse_value(spec, raw.strip() if spec.type != "string" else raw)
        except Refused as exc:
            out(f"  {exc}")
            continue
        problem = value_problem(spec, value)
        if problem:
            out(f"  {problem}")
            continue
        return value


def _interactive(request: Request) -> bool:
    if request.interactive is not None:
        return request.interactive
    return _isatty(sys.stdin) and _isatty(sys.stdout)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
