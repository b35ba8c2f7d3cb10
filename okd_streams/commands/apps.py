"""okd-streams apps: the Argo CD Applications argocd/ yields, expanded offline and checked."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from okd_streams import argocd
from okd_streams import rules as registry
from okd_streams.commands._common import add_config, add_root
from okd_streams.config import Config, load_config
from okd_streams.errors import UsageError
from okd_streams.lint import engine
from okd_streams.lint.checking import stream_units
from okd_streams.lint.output import text as problem_lines
from okd_streams.lint.output import write
from okd_streams.model.context import RepoContext
from okd_streams.model.repo import SourceTree, discover_streams, find_root
from okd_streams.problem import Problem, exit_code

# Unit rules whose findings are about what Argo CD deploys: the render itself and the A rules.
UNIT_CODES = ("K001",)


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "apps",
        help="expand argocd/'s ApplicationSet offline and check each Application",
        description="Render argocd/ with kustomize, expand its ApplicationSet as Argo CD's git generator and Go "
        "templates would over this working tree, render every stream with the same kustomize, and "
        "check each Application: its source path renders, its AppProject permits its source, "
        "destination and kinds, no object belongs to two Applications, every stream folder is "
        "covered or excluded on purpose, and its sync policy is the stream card's. Nothing is sent "
        "to a cluster. --format json prints the Applications as Argo CD would create them (problems "
        "go to stderr). Exit 0 clean, 1 problems at error level, 2 usage or environment errors.",
    )
    parser.add_argument(
        "--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    add_root(parser)
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    add_config(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    config = load_config(root, args.config, rule_code=registry.code_of)
    context, argo, problems = verify(root, config)
    if argo is None:
        raise UsageError(f"{root / argocd.ARGOCD_DIR} does not exist: this repository has no Argo CD setup to expand")
    generated = [app for app in argo.apps if app.appset is not None]
    if args.format == "json":
        sys.stdout.write(json.dumps([app.data for app in generated], indent=2) + "\n")
        write(problems, "text", sys.stderr)
    else:
        sys.stdout.write(text(context, argo, problems))
    return exit_code(problems, args.strict)


def verify(root: Path, config: Config) -> tuple[RepoContext, argocd.Argo | None, list[Problem]]:
    """Render every stream, expand argocd/, run the Argo CD rules: what `apps` reports."""
    tree = SourceTree(root)
    streams = discover_streams(root)
    units = stream_units(streams, tree)
    context = RepoContext(root, tree, streams, units)
    argo = argocd.analyze(context)
    unit_rules = [
        rule
        for rule in registry.RULES.values()
        if rule.SCOPE == "unit" and (rule.CODE.startswith("A") or rule.CODE in UNIT_CODES)
    ]
    problems: list[Problem] = []
    for unit in units:
        problems.extend(engine.check_unit(unit, config, unit_rules))
    problems.extend(engine.check_repo(context, config))
    return context, argo, engine.finalize(problems)


def _sync(app: argocd.App) -> str:
    automated = app.automated
    if automated is None:
        return "manual"
    flags = [k for k in ("prune", "selfHeal") if automated.get(k) is True]
    return "automatic" + (f" ({', '.join(flags)})" if flags else "")


def _where(app: argocd.App) -> str:
    """Argo CD's namespace and the destination cluster, as argocd/okd-streams-repository.yaml sets them."""
    server = app.destination.get("server")
    name = app.destination.get("name")
    cluster = f"server {server}" if server else f"cluster name {name}" if name else "no cluster"
    return f"namespace {app.data.get('metadata', {}).get('namespace') or '-'}, deployed to {cluster}"


def text(context: RepoContext, argo: argocd.Argo, problems: list[Problem]) -> str:
    lines = []
    generated = [app for app in argo.apps if app.appset is not None]
    static = [app for app in argo.apps if app.appset is None]
    rows = [("APPLICATION", "PATH", "NAMESPACE", "SYNC", "OBJECTS", "PROBLEMS")]
    for app in generated:
        deployed = argocd.deployed(context, argo, app)
        objects = "-" if deployed is None or deployed.error else str(len(deployed.objects))
        mine = [p for p in problems if app.stream and p.stream == app.stream]
        errors = sum(p.level == "error" for p in mine)
        warnings = sum(p.level == "warning" for p in mine)
        state = "ok" if not mine else f"{errors} errors, {warnings} warnings"
        rows.append(
            (app.name, app.path or "-", str(app.destination.get("namespace") or "-"), _sync(app), objects, state)
        )
    if argo.build_error is None:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        for path, pattern in sorted(argo.excluded.items()):
            lines.append(f"excluded on purpose: {path} (exclude: {pattern})")
        for app in static:
            lines.append(
                f"static Application {app.name}: {app.path or '-'} -> namespace "
                f"{app.destination.get('namespace') or '-'}, project {app.project or '-'}, {_sync(app)}"
            )
        where = sorted({_where(app) for app in generated})
        if where:
            lines.append(f"Applications in {'; '.join(where)}")
    if problems:
        lines.append("")
        lines.extend(problem_lines(problems).rstrip("\n").split("\n"))
    names = ", ".join(appset.name for appset in argo.appsets) or "none"
    errors = sum(p.level == "error" for p in problems)
    warnings = sum(p.level == "warning" for p in problems)
    lines.append(
        f"{len(generated)} Applications from ApplicationSet {names}: {errors} errors, {warnings} warnings "
        "(expanded offline; nothing was sent to a cluster)"
    )
    return "\n".join(lines) + "\n"
