"""What the new stream gets: its name and namespace checked, the source stream's kustomization
and card copied with the new identity, components, owners, description and schedules, and
its README; nothing is written here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.files import edit
from okd_streams.model.repo import CARD_KIND, CARD_NAME, STREAMS_DIR, discover_streams
from okd_streams.render import kustomization as kz
from okd_streams.schema import cron
from okd_streams.streams.info import namespaces as taken_namespaces
from okd_streams.streams.scaffold.card import card_pipelines, default_description, render_readme, set_key
from okd_streams.streams.scaffold.compose import OVERLAYS_DIR, compose
from okd_streams.streams.scaffold.naming import (
    LABEL_MAX,
    argo_destinations,
    default_namespace,
    destination_problem,
    max_name_length,
    name_problem,
    namespace_problem,
)
from okd_streams.streams.scaffold.request import Refused, Request

DEFAULT_SOURCE = "okd-scos"
TEMP_PREFIX = ".new-"
README_NAME = "README.md"


@dataclass
class Plan:
    """Everything decided before the first render."""

    root: Path
    name: str
    namespace: str
    source: str
    source_dir: Path
    added_components: list[str]
    kustomization: Any
    card: Any
    readme: str
    extra_files: list[Path]
    chosen: set[tuple[str, str]] = field(default_factory=set)  # (pipeline, param) the user set
    dropped_components: list[str] = field(default_factory=list)  # the source's, conflicting with an added one
    description: str = ""
    manual: bool = False  # a listed component removes the CronJobs

    def refresh_readme(self) -> None:
        """The README again, after the card changed (a pipeline entry left out)."""
        self.readme = render_readme(
            self.name, self.namespace, self.source, self.added_components, self.card, self.description, self.manual
        )


def make_plan(request: Request, root: Path, out: Callable[[str], None]) -> Plan:
    """Everything the user asked for, validated against the repository, before the first render."""
    problems: list[str] = []
    name = request.name
    problem = name_problem(name, max_name_length(root))
    if problem:
        raise Refused(problem)
    target = root / STREAMS_DIR / name
    if target.exists() or target.is_symlink():
        raise Refused(
            f"streams/{name} already exists: pick another name, or edit that stream "
            f"(delete it with `git rm -r streams/{name}`)"
        )
    for leftover in sorted((root / STREAMS_DIR).glob(f"{TEMP_PREFIX}*")):
        out(
            f"note: streams/{leftover.name} is left over from a run that was killed: remove it "
            f"(rm -r streams/{leftover.name})"
        )
    streams = {s.name: s for s in discover_streams(root)}
    source = request.source or (DEFAULT_SOURCE if DEFAULT_SOURCE in streams else next(iter(streams), None))
    if source is None:
        raise Refused("there is no stream to copy from in streams/; add one by hand first")
    if source not in streams:
        raise Refused(f"--from {source}: no such stream; streams: {', '.join(streams) or 'none'}")
    source_stream = streams[source]
    if source_stream.kustomization is None:
        raise Refused(f"--from {source}: streams/{source} has no kustomization.yaml")
    if not source_stream.card_path.is_file():
        raise Refused(f"--from {source}: streams/{source} has no stream card ({CARD_NAME})")

    destinations = argo_destinations(root)
    namespace = request.namespace if request.namespace is not None else default_namespace(name, destinations)
    if request.namespace is None and len(namespace) > LABEL_MAX:
        raise Refused(
            f"stream name {name!r} is too long: its namespace {namespace!r} would be {len(namespace)} "
            f"characters, over Kubernetes' limit of {LABEL_MAX}; use at most "
            f"{LABEL_MAX - len(namespace) + len(name)} characters, or pass --namespace NAME"
        )
    problem = namespace_problem(namespace, taken_namespaces(root)) or destination_problem(destinations, namespace)
    if problem:
        problems.append(problem)
    added: list[str] = []
    for component in request.components:
        problem = component_problem(root, component)
        if problem:
            problems.append(problem)
        elif component not in added:
            added.append(component)
    owners = [o.strip() for o in request.owners]
    if any(not o for o in owners):
        problems.append("--owner needs a name (a GitHub user or team)")
    if request.description is not None and not request.description.strip():
        problems.append("--description must not be empty")
    if problems:
        raise Refused(problems)

    try:
        kustomization = edit.load(
            source_stream.kustomization.read_text(encoding="utf-8"),
            f"streams/{source}/{source_stream.kustomization.name}",
        )
        card = edit.load(source_stream.card_path.read_text(encoding="utf-8"), f"streams/{source}/{CARD_NAME}")
    except (edit.EditError, OSError, UnicodeDecodeError) as exc:
        raise Refused(f"--from {source}: {exc}") from None
    if (
        card.get("kind") != CARD_KIND
        or not isinstance(card.get("metadata"), dict)
        or not isinstance(card.get("spec"), dict)
    ):
        raise Refused(f"--from {source}: streams/{source}/{CARD_NAME} is not a {CARD_KIND} with metadata and spec")
    if not card_pipelines(card):
        raise Refused(f"--from {source}: its stream card sets no pipelines (spec.pipelines)")
    for key, entry in card_pipelines(card).items():
        if not isinstance(key, str) or not isinstance(entry, dict) or not isinstance(entry.get("params", []), list):
            problems.append(
                f"--from {source}: spec.pipelines.{key} of its stream card must be a mapping with "
                "a schedule and a list of params"
            )
    if problems:
        raise Refused(problems)

    # kustomization: namespace, components
    set_key(kustomization, "namespace", edit.scalar(namespace), after=("apiVersion", "kind"))
    composition = compose(root, kustomization, card, added, source, out)
    newly = composition.added

    # card: identity, owners, description, schedules
    spec = card["spec"]
    card["metadata"]["name"] = edit.scalar(name)
    set_key(spec, "namespace", edit.scalar(namespace), after=("version", "os", "owners", "description"))
    source_description = spec.get("description") if isinstance(spec.get("description"), str) else ""
    description = (
        request.description.strip() if request.description else default_description(source, source_description, newly)
    )
    set_key(spec, "description", edit.prose(description))
    if owners:
        set_key(spec, "owners", edit.plain(owners), after=("description",))
    _apply_schedules(card, request.schedules, problems)
    for key, entry in card_pipelines(card).items():
        if "schedule" not in entry:
            problems.append(f"the stream card of {source} gives no schedule for {key}: pass --schedule {key}=CRON")
    if problems:
        raise Refused(problems)

    readme = render_readme(name, namespace, source, newly, card, description, composition.manual)
    extra = [
        p
        for p in sorted(source_stream.directory.iterdir())
        if p.name not in (source_stream.kustomization.name, CARD_NAME, README_NAME) and not p.name.startswith(".")
    ]
    return Plan(
        root,
        name,
        namespace,
        source,
        source_stream.directory,
        newly,
        kustomization,
        card,
        readme,
        extra,
        dropped_components=composition.dropped,
        description=description,
        manual=composition.manual,
    )


def _apply_schedules(card: Any, schedules: list[str], problems: list[str]) -> None:
    pipelines = card_pipelines(card)
    for text in schedules:
        targets = list(pipelines)
        expression = text
        prefix, sep, rest = text.partition("=")
        if sep and prefix.strip() not in ("TZ", "CRON_TZ") and "TZ" not in prefix:
            if prefix.strip() not in pipelines:
                problems.append(
                    f"--schedule {text!r}: the stream card has no pipeline {prefix.strip()!r}; "
                    f"pipelines: {', '.join(pipelines)} (write --schedule CRON for all of them, "
                    "or --schedule PIPELINE=CRON)"
                )
                continue
            targets, expression = [prefix.strip()], rest.strip()
        error = cron.validate(expression)
        if error:
            problems.append(f"--schedule {text!r}: {error}; {cron.HELP}")
            continue
        for key in targets:
            if isinstance(pipelines[key], dict):
                set_key(pipelines[key], "schedule", edit.scalar(expression))


def available_components(root: Path) -> list[str]:
    folder = root / OVERLAYS_DIR
    if not folder.is_dir():
        return []
    return [
        child.name
        for child in sorted(folder.iterdir())
        if child.is_dir() and not child.name.startswith(".") and kz.is_component(child)
    ]


def component_problem(root: Path, name: str) -> str | None:
    known = available_components(root)
    listing = f"components: {', '.join(known)}" if known else "overlays/ holds no component"
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return f"component {name!r} must be the name of a folder in overlays/ ({listing})"
    folder = root / OVERLAYS_DIR / name
    if not folder.is_dir():
        return f"no component overlays/{name}/ ({listing})"
    kind = kz.declared_kind(folder)
    if kind is None:
        return f"overlays/{name}/ has no kustomization.yaml, so it is not a component ({listing})"
    if kind != "Component":
        return (
            f"overlays/{name}/kustomization.yaml is a {kind}, not a Component "
            f"(kind: Component, apiVersion: kustomize.config.k8s.io/v1alpha1) ({listing})"
        )
    return None


def schedule_problem(schedule: Any) -> str | None:
    if schedule is None:
        return "the stream card gives no schedule; pass --schedule PIPELINE=CRON"
    error = cron.validate(schedule)
    return f"{error}; pass --schedule PIPELINE=CRON" if error else None
