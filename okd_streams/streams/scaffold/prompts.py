"""Values for the new stream's params: --set, the values copied from the source stream, and
prompts for the required ones still missing."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from typing import Any

from okd_streams.streams.scaffold.card import card_params, card_pipelines, plain_data, set_param
from okd_streams.streams.scaffold.contract import Contract, ParamSpec, parse_value, resolve_param, value_problem
from okd_streams.streams.scaffold.plan import Plan
from okd_streams.streams.scaffold.request import Refused, Request


def apply_values(
    plan: Plan, contract: Contract, request: Request, out: Callable[[str], None], ask: Callable[[str], str]
) -> None:
    """The --set values, then the copied values checked against the new contract, then the
    required params still without a value: asked for on a terminal, refused otherwise."""
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


def _prompt(spec: ParamSpec, out: Callable[[str], None], ask: Callable[[str], str]) -> Any:
    out(f"\n{spec.qualified} ({spec.type}, required)")
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
