"""Scaffold a new stream: `okd-streams new NAME` and `scripts/new_stream.py NAME`.

The new stream starts as a copy of an existing one (`--from`, default okd-scos): its
kustomization gets the new namespace and any extra components, its stream card the new
name, namespace, description, owners and schedules and the `--set` values, its README a
paragraph saying what it is. Everything the user typed is validated before anything is
kept; the values are checked against the contract of the *rendered* Pipelines of the new
stream (so a component's params and defaults count), with the real kustomize.

Writing is atomic: the stream is built in a hidden folder inside streams/ (so that
`../../base` resolves; discover_streams skips dot-folders), rendered, checked with the
same rules as `okd-streams check`, and only then renamed to streams/NAME. Any refusal,
failure or Ctrl-C removes the hidden folder: the tree is left exactly as it was.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import yaml

from okd_streams.config import load_config
from okd_streams.errors import UsageError
from okd_streams.files import edit
from okd_streams.lint.checking import check_repository
from okd_streams.model import cron
from okd_streams.model.objects import Obj, get
from okd_streams.model.repo import CARD_KIND, CARD_NAME, SOURCE_DIRS, STREAMS_DIR, discover_streams, find_root
from okd_streams.problem import Problem
from okd_streams.render import kustomize as kustomize_mod
from okd_streams.render.kustomization import kustomization_file
from okd_streams.streams.info import namespaces as taken_namespaces
from okd_streams.tekton import params as tparams

if TYPE_CHECKING:
    from types import FrameType

    import git

DEFAULT_SOURCE = "okd-scos"
OVERLAYS_DIR = "overlays"
TEMP_PREFIX = ".new-"
PIPELINE_LABEL = "okd-streams.io/pipeline"
README_NAME = "README.md"

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_MAX = 63  # namespaces, label values, Argo CD Application names
SUBDOMAIN_MAX = 253
CRONJOB_MAX = 52  # the Job controller appends an 11-character suffix to Job names
# Kinds whose name ends up in a label value (Tekton labels runs with it) or a Service name.
LABEL_NAMED_KINDS = {"Namespace", "Service", "Pipeline", "Task"}
RESERVED_NAMESPACES = ("default", "openshift", "kube-", "openshift-")
EVENTLISTENER_SERVICE_PREFIX = "el-"

_APPSET_PLACEHOLDER = re.compile(r"\{\{-?\s*\.?path\.basename(?:Normalized)?\s*-?\}\}")


# --------------------------------------------------------------------------------------
# Requests, refusals


@dataclass
class Request:
    """What the user asked for (from argparse, or built by a test)."""

    name: str
    root: Path = Path(".")
    source: str | None = None
    components: list[str] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    description: str | None = None
    namespace: str | None = None
    dry_run: bool = False
    git: bool = False
    interactive: bool | None = None  # None: only when stdin and stdout are terminals


class Refused(UsageError):
    """A request that cannot be carried out as given: exit 2, the tree untouched."""

    def __init__(self, problems: list[str] | str, heading: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if heading:
            text = heading + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        elif len(self.problems) == 1:
            text = self.problems[0]
        else:
            text = "\n".join(f"  - {p}" for p in self.problems)
            text = "cannot create the stream:\n" + text
        super().__init__(text)


class CheckFailed(Exception):
    """The new stream renders but has error-level problems: exit 1, nothing written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


# --------------------------------------------------------------------------------------
# Names


def max_name_length(root: Path) -> int:
    """The longest stream name that keeps every name derived from it within Kubernetes' limits:
    the namespace (a DNS-1123 label, 63) and, when argocd/ holds an ApplicationSet, the
    Application it generates from the folder name (a label value, 63)."""
    bound = LABEL_MAX
    for template in _application_name_templates(root):
        extra = len(_APPSET_PLACEHOLDER.sub("", template))
        bound = min(bound, LABEL_MAX - extra)
    return max(1, bound)


def _application_name_templates(root: Path) -> list[str]:
    folder = root / "argocd"
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*.yaml")):
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
            continue
        for data in documents:
            if isinstance(data, dict) and data.get("kind") == "ApplicationSet":
                name = get(data, "spec", "template", "metadata", "name")
                if isinstance(name, str) and _APPSET_PLACEHOLDER.search(name) and "{{" not in \
                        _APPSET_PLACEHOLDER.sub("", name):
                    found.append(name)
    return found


def suggest_name(name: str) -> str:
    last = [part for part in re.split(r"[/\\]", name) if part not in ("", ".", "..")]
    candidate = re.sub(r"[^a-z0-9-]+", "-", (last[-1] if last else "").lower()).strip("-")
    return re.sub(r"-{2,}", "-", candidate)


def name_problem(name: str, limit: int, what: str = "stream name") -> str | None:
    """Why `name` cannot name a stream (or namespace), with what to use instead; None if fine."""
    if not name:
        return f"the {what} is empty: give one such as hpc"
    suggestion = suggest_name(name)[:limit].strip("-")
    hint = f" (for example {suggestion})" if suggestion and suggestion != name and \
        DNS1123_LABEL.match(suggestion) else ""
    if "/" in name or "\\" in name or name in (".", ".."):
        return (f"{what} {name!r} contains a path separator: give the bare name, not a path; "
                f"the stream goes to streams/<name>/{hint}")
    if "." in name:
        return (f"{what} {name!r} contains a dot: it must be a DNS-1123 label (it becomes a namespace), "
                f"so use dashes{hint}")
    if name != name.lower():
        return f"{what} {name!r} contains capitals: it must be a DNS-1123 label, lowercase only{hint}"
    if not DNS1123_LABEL.match(name):
        return (f"{what} {name!r} is not a DNS-1123 label: use lowercase letters, digits and '-', "
                f"starting and ending with a letter or digit{hint}")
    if len(name) > limit:
        return (f"{what} {name!r} is {len(name)} characters; at most {limit} keep every name made from it "
                f"within Kubernetes' limits (namespaces and label values: 63){hint}")
    return None


def namespace_problem(namespace: str, taken: dict[str, str]) -> str | None:
    problem = name_problem(namespace, LABEL_MAX, "namespace")
    if problem:
        return problem + "; pass --namespace NAME"
    if namespace in ("default", "openshift") or namespace.startswith(("kube-", "openshift-")):
        return (f"namespace {namespace!r} is reserved on OKD (default, openshift, kube-*, openshift-*): "
                "pass --namespace NAME")
    if namespace in taken:
        return (f"namespace {namespace!r} is already used by stream {taken[namespace]}: two streams in one "
                "namespace would overwrite each other's Pipelines and CronJobs; pass --namespace NAME")
    return None


@dataclass
class Destination:
    """Where the ApplicationSet sends a stream: its AppProject must permit the namespace."""

    project: Obj
    server: str
    name: str
    shown: str  # where the AppProject is declared


def argo_destinations(root: Path) -> list[Destination]:
    """The AppProjects (and clusters) of argocd/'s ApplicationSets, rendered with kustomize as
    Argo CD's bootstrap Application would; empty when there is no argocd/ or it does not build
    (`okd-streams check` reports that)."""
    from okd_streams.render.kustomize import build

    folder = root / "argocd"
    if kustomization_file(folder) is None:
        return []
    result = build(folder)
    if not result.ok:
        return []
    objects = [Obj(r.data, os.path.relpath(r.origin, root) if r.origin else "argocd/") for r in result.objects]
    projects = {o.name: o for o in objects if o.kind == "AppProject"}
    found = []
    for appset in (o for o in objects if o.kind == "ApplicationSet"):
        spec = get(appset.spec, "template", "spec", default={})
        project = get(spec, "project")
        if not isinstance(project, str) or "{{" in project or project not in projects:
            continue
        server = get(spec, "destination", "server")
        cluster = get(spec, "destination", "name")
        found.append(Destination(projects[project], server if isinstance(server, str) else "",
                                 cluster if isinstance(cluster, str) else "", projects[project].file))
    return found


def destination_problem(destinations: list[Destination], namespace: str) -> str | None:
    from okd_streams.argocd.expand import destination_permitted

    for destination in destinations:
        if not destination_permitted(destination.project, destination.server, destination.name, namespace):
            allowed = [str(get(e, "namespace")) for e in get(destination.project.spec, "destinations", default=[])
                       if isinstance(e, dict) and isinstance(get(e, "namespace"), str)]
            return (f"namespace {namespace!r} is not a destination the AppProject {destination.project.name} "
                    f"({destination.shown}) permits ({', '.join(allowed) or 'none'}), so Argo CD would refuse to "
                    "sync the stream: pass --namespace NAME")
    return None


def default_namespace(name: str, destinations: list[Destination]) -> str:
    """The stream's name, or okd-<name> when only that is a permitted Argo CD destination."""
    if destination_problem(destinations, name) is None:
        return name
    prefixed = f"okd-{name}"
    if not name.startswith("okd-") and destination_problem(destinations, prefixed) is None:
        return prefixed
    return name


# --------------------------------------------------------------------------------------
# Components


def available_components(root: Path) -> list[str]:
    folder = root / OVERLAYS_DIR
    if not folder.is_dir():
        return []
    return [child.name for child in sorted(folder.iterdir())
            if child.is_dir() and not child.name.startswith(".") and _component_kind(child) == "Component"]


def _component_kind(folder: Path) -> str | None:
    path = kustomization_file(folder)
    if path is None:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return "unreadable"
    return data.get("kind") if isinstance(data, dict) and isinstance(data.get("kind"), str) else "Kustomization"


def component_problem(root: Path, name: str) -> str | None:
    known = available_components(root)
    listing = f"components: {', '.join(known)}" if known else "overlays/ holds no component"
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return f"component {name!r} must be the name of a folder in overlays/ ({listing})"
    folder = root / OVERLAYS_DIR / name
    if not folder.is_dir():
        return f"no component overlays/{name}/ ({listing})"
    kind = _component_kind(folder)
    if kind is None:
        return f"overlays/{name}/ has no kustomization.yaml, so it is not a component ({listing})"
    if kind != "Component":
        return (f"overlays/{name}/kustomization.yaml is a {kind}, not a Component "
                f"(kind: Component, apiVersion: kustomize.config.k8s.io/v1alpha1) ({listing})")
    return None


# --------------------------------------------------------------------------------------
# The param contract of the rendered stream


@dataclass
class ParamSpec:
    pipeline: str  # the card's pipeline key
    name: str
    type: str
    description: str
    required: bool
    default: Any = None
    enum: list[str] | None = None
    keys: list[str] = field(default_factory=list)  # object properties

    @property
    def qualified(self) -> str:
        return f"{self.pipeline}.{self.name}"

    def allowed(self) -> str:
        if self.enum is not None:
            return "one of " + ", ".join(self.enum)
        if self.type == "array":
            return "a list, e.g. [a, b]"
        if self.type == "object":
            keys = ", ".join(f"{k}: ..." for k in self.keys) if self.keys else "key: value"
            return "a mapping, e.g. {" + keys + "}"
        return "a string"


Contract = dict[str, dict[str, ParamSpec]]  # card pipeline key -> param name -> spec


def pipeline_for(objects: list[Obj], key: str) -> Obj | None:
    """The rendered Pipeline a card pipeline key feeds: the one its TriggerTemplate runs."""
    wanted = key
    for obj in objects:
        labels = found if isinstance(found := obj.metadata.get("labels"), dict) else {}
        if obj.kind == "TriggerTemplate" and labels.get(PIPELINE_LABEL) == key:
            ref = get(obj.spec, "resourcetemplates", 0, "spec", "pipelineRef", "name")
            if isinstance(ref, str) and ref:
                wanted = ref
                break
    return next((obj for obj in objects if obj.kind == "Pipeline" and obj.name == wanted), None)


def read_contract(objects: list[Obj], keys: list[str]) -> tuple[Contract, list[str]]:
    contract: Contract = {}
    problems = []
    for key in keys:
        pipeline = pipeline_for(objects, key)
        if pipeline is None:
            problems.append(f"the stream card sets pipeline {key!r}, but the rendered stream has no Pipeline "
                            f"{key!r} (a TriggerTemplate labelled {PIPELINE_LABEL}={key} names the Pipeline)")
            continue
        specs = {}
        for name, spec in tparams.specs(get(pipeline.spec, "params")).items():
            description = spec.get("description")
            specs[name] = ParamSpec(
                key, name, tparams.declared_type(spec),
                " ".join(description.split()) if isinstance(description, str) else "",
                not tparams.has_default(spec), spec.get("default"), tparams.enum(spec),
                [str(k) for k in tparams.properties(spec)])
        contract[key] = specs
    return contract, problems


def known_params(contract: Contract) -> str:
    return "; ".join(f"{key}: {', '.join(specs) or 'none'}" for key, specs in contract.items())


def resolve_param(contract: Contract, key: str) -> ParamSpec:
    """`PARAM` or `PIPELINE.PARAM` -> its spec; Refused with the known params otherwise."""
    if "." in key:
        prefix, rest = key.split(".", 1)
        if prefix in contract:
            if rest in contract[prefix]:
                return contract[prefix][rest]
            if key not in {n for specs in contract.values() for n in specs}:
                raise Refused(f"pipeline {prefix} has no param {rest!r}; its params: "
                              f"{', '.join(contract[prefix]) or 'none'}")
    matches = [specs[key] for specs in contract.values() if key in specs]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        options = " or ".join(f"--set {m.pipeline}.{key}=VALUE" for m in matches)
        raise Refused(f"param {key!r} is declared by {' and '.join(m.pipeline for m in matches)}: say which, "
                      f"{options}")
    raise Refused(f"no pipeline of this stream declares param {key!r}; known params: {known_params(contract)}")


def parse_value(spec: ParamSpec, raw: str) -> Any:
    """A --set or prompt answer typed by the param's declared type."""
    if spec.type == "string":
        return raw
    opener = "[" if spec.type == "array" else "{"
    example = "[a, b]" if spec.type == "array" else "{" + ", ".join(f"{k}: v" for k in spec.keys or ["key"]) + "}"
    if not raw.strip().startswith(opener):
        raise Refused(f"{spec.qualified} is of type {spec.type}: write the value as {example} "
                      f"(got {tparams.describe_value(raw)})")
    try:
        value = yaml.load(raw, Loader=yaml.BaseLoader)  # every scalar stays a string, as Tekton's are
    except yaml.YAMLError as exc:
        raise Refused(f"{spec.qualified}: cannot read {raw!r} as {spec.type} {example}: "
                      f"{str(exc).splitlines()[0]}") from None
    return value


def value_problem(spec: ParamSpec, value: Any) -> str | None:
    """Why `value` does not satisfy the contract (type, items, keys, enum); None if it does."""
    kind = tparams.value_type(value)
    if kind != spec.type:
        return (f"{spec.qualified} is of type {spec.type} ({spec.allowed()}), "
                f"but the value {tparams.describe_value(value)} is {kind or 'not a param value'}")
    if spec.type == "array":
        bad = [item for item in value if isinstance(item, (list, dict)) or item is None]
        if bad:
            return f"{spec.qualified} is an array of strings; {tparams.describe_value(bad[0])} is not a string"
    if spec.type == "object":
        missing = [k for k in spec.keys if k not in value]
        if missing:
            return f"{spec.qualified} needs the keys {', '.join(spec.keys)}; missing: {', '.join(missing)}"
        bad = [k for k, v in value.items() if isinstance(v, (list, dict)) or v is None]
        if bad:
            return f"{spec.qualified}: the value of key {bad[0]!r} must be a string"
    if spec.enum is not None and spec.type == "string" and str(value) not in spec.enum:
        return f"{spec.qualified} allows only {', '.join(spec.enum)}; {tparams.describe_value(value)} is not one"
    return None


# --------------------------------------------------------------------------------------
# The stream card, round-trip


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


def _set_key(mapping: Any, key: str, value: Any, after: tuple[str, ...] = ()) -> None:
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


# --------------------------------------------------------------------------------------
# The scaffolder


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


class Scaffolder:
    def __init__(self, request: Request, out: Callable[[str], None] | None = None,
                 ask: Callable[[str], str] | None = None) -> None:
        self.request = request
        self.out = out or (lambda text: print(text))
        self.ask = ask or input
        self.root = find_root(request.root)
        self.temp: Path | None = None

    # -- entry point ---------------------------------------------------------------------
    def run(self) -> int:
        request = self.request
        repo = self._git_precheck() if request.git else None
        plan = self.plan()
        final = self.root / STREAMS_DIR / plan.name
        branched = committed = False
        try:
            self.temp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{plan.name}-", dir=self.root / STREAMS_DIR))
            os.chmod(self.temp, 0o777 & ~_umask())
            self._write(plan)
            contract = self._contract(plan)
            self._apply_values(plan, contract)
            self._write(plan)
            for note in self._check(plan):
                self.out(note)
            if request.dry_run:
                self._show(plan)
                return 0
            if final.exists() or final.is_symlink():
                raise Refused(f"streams/{plan.name} appeared while the stream was being built: nothing written")
            original = None
            if repo is not None:
                branched = True  # from here on, a failure undoes the branch too
                original = self._git_branch(repo, plan)
            try:
                os.rename(self.temp, final)
            except OSError as exc:
                raise Refused(f"cannot move the new stream into streams/{plan.name}: {exc}; nothing was written") \
                    from None
            self.temp = None
            if repo is None:
                self._report(plan)
                return 0
            commit = self._git_commit(repo, plan)
            committed = True
            self._report(plan)
            self.out(f"Committed streams/{plan.name}/ on the new branch stream/{plan.name} as {commit[:12]} "
                     f"\"Add stream {plan.name}\".")
            self.out(f"You are now on branch stream/{plan.name} (you were on {original}). Push it and open a "
                     f"pull request:\n  git push -u {self._remote(repo)} stream/{plan.name}")
            return 0
        finally:
            temp, self.temp = self.temp, None
            if temp is not None:
                _uninterrupted(lambda: shutil.rmtree(temp, ignore_errors=True))
            if branched and not committed and repo is not None:
                _uninterrupted(lambda: self._git_rollback(repo, plan, final))

    # -- planning (no writes) ------------------------------------------------------------
    def plan(self) -> Plan:
        request = self.request
        root = self.root
        problems: list[str] = []
        name = request.name
        problem = name_problem(name, max_name_length(root))
        if problem:
            raise Refused(problem)
        target = root / STREAMS_DIR / name
        if target.exists() or target.is_symlink():
            raise Refused(f"streams/{name} already exists: pick another name, or edit that stream "
                          f"(delete it with `git rm -r streams/{name}`)")
        for leftover in sorted((root / STREAMS_DIR).glob(f"{TEMP_PREFIX}*")):
            self.out(f"note: streams/{leftover.name} is left over from a run that was killed: remove it "
                     f"(rm -r streams/{leftover.name})")
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
            raise Refused(f"stream name {name!r} is too long: its namespace {namespace!r} would be {len(namespace)} "
                          f"characters, over Kubernetes' limit of {LABEL_MAX}; use at most "
                          f"{LABEL_MAX - len(namespace) + len(name)} characters, or pass --namespace NAME")
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
            kustomization = edit.load(source_stream.kustomization.read_text(encoding="utf-8"),
                                      f"streams/{source}/{source_stream.kustomization.name}")
            card = edit.load(source_stream.card_path.read_text(encoding="utf-8"), f"streams/{source}/{CARD_NAME}")
        except (edit.EditError, OSError, UnicodeDecodeError) as exc:
            raise Refused(f"--from {source}: {exc}") from None
        if card.get("kind") != CARD_KIND or not isinstance(card.get("metadata"), dict) or \
                not isinstance(card.get("spec"), dict):
            raise Refused(f"--from {source}: streams/{source}/{CARD_NAME} is not a {CARD_KIND} with metadata "
                          "and spec")
        if not card_pipelines(card):
            raise Refused(f"--from {source}: its stream card sets no pipelines (spec.pipelines)")
        for key, entry in card_pipelines(card).items():
            if not isinstance(key, str) or not isinstance(entry, dict) or \
                    not isinstance(entry.get("params", []), list):
                problems.append(f"--from {source}: spec.pipelines.{key} of its stream card must be a mapping with "
                                "a schedule and a list of params")
        if problems:
            raise Refused(problems)

        # kustomization: namespace, components
        _set_key(kustomization, "namespace", edit.scalar(namespace), after=("apiVersion", "kind"))
        components = kustomization.get("components")
        if not isinstance(components, list):
            components = edit.CommentedSeq()
            kustomization["components"] = components
        present = {posixpath.normpath(c) for c in components if isinstance(c, str)}
        newly = []
        for component in added:
            reference = f"../../{OVERLAYS_DIR}/{component}"
            if posixpath.normpath(reference) in present:
                self.out(f"note: {source} already includes the component {component}")
                continue
            components.append(reference)
            newly.append(component)

        # card: identity, owners, description, schedules
        spec = card["spec"]
        card["metadata"]["name"] = edit.scalar(name)
        _set_key(spec, "namespace", edit.scalar(namespace), after=("version", "os", "owners", "description"))
        source_description = spec.get("description") if isinstance(spec.get("description"), str) else ""
        description = request.description.strip() if request.description else \
            default_description(source, source_description, newly)
        _set_key(spec, "description", edit.scalar(description))
        if owners:
            _set_key(spec, "owners", edit.plain(owners), after=("description",))
        self._apply_schedules(card, problems)
        for key, entry in card_pipelines(card).items():
            if "schedule" not in entry:
                problems.append(f"the stream card of {source} gives no schedule for {key}: pass --schedule "
                                f"{key}=CRON")
        if problems:
            raise Refused(problems)

        readme = render_readme(name, namespace, source, newly, card, description)
        extra = [p for p in sorted(source_stream.directory.iterdir())
                 if p.name not in (source_stream.kustomization.name, CARD_NAME, README_NAME)
                 and not p.name.startswith(".")]
        return Plan(root, name, namespace, source, source_stream.directory, newly, kustomization, card, readme, extra)

    def _apply_schedules(self, card: Any, problems: list[str]) -> None:
        pipelines = card_pipelines(card)
        for text in self.request.schedules:
            targets = list(pipelines)
            expression = text
            prefix, sep, rest = text.partition("=")
            if sep and prefix.strip() not in ("TZ", "CRON_TZ") and "TZ" not in prefix:
                if prefix.strip() not in pipelines:
                    problems.append(f"--schedule {text!r}: the stream card has no pipeline {prefix.strip()!r}; "
                                    f"pipelines: {', '.join(pipelines)} (write --schedule CRON for all of them, "
                                    "or --schedule PIPELINE=CRON)")
                    continue
                targets, expression = [prefix.strip()], rest.strip()
            error = cron.validate(expression)
            if error:
                problems.append(f"--schedule {text!r}: {error}; {cron.HELP}")
                continue
            for key in targets:
                if isinstance(pipelines[key], dict):
                    _set_key(pipelines[key], "schedule", edit.scalar(expression))

    # -- building ----------------------------------------------------------------------
    def _write(self, plan: Plan) -> None:
        assert self.temp is not None
        (self.temp / "kustomization.yaml").write_text(edit.dump(plan.kustomization), encoding="utf-8")
        (self.temp / CARD_NAME).write_text(edit.dump(plan.card), encoding="utf-8")
        (self.temp / README_NAME).write_text(plan.readme, encoding="utf-8")
        for path in plan.extra_files:
            target = self.temp / path.name
            if target.exists():
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.copytree(path, target, symlinks=True)
            else:
                shutil.copy2(path, target, follow_symlinks=False)

    def _render(self, plan: Plan) -> kustomize_mod.RenderResult:
        assert self.temp is not None
        result = kustomize_mod.build(self.temp)
        if not result.ok:
            raise Refused(f"the new stream does not build with kustomize: "
                          f"{self._shown(result.error or 'kustomize failed', plan)}")
        return result

    def _contract(self, plan: Plan) -> Contract:
        result = self._render(plan)
        objects = [Obj(r.data, "") for r in result.objects]
        contract, problems = read_contract(objects, list(card_pipelines(plan.card)))
        if problems:
            raise Refused(problems)
        return contract

    def _apply_values(self, plan: Plan, contract: Contract) -> None:
        problems: list[str] = []
        chosen: dict[tuple[str, str], tuple[ParamSpec, Any]] = {}
        for text in self.request.sets:
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
                    problems.append(f"{key}.{item['name']} (copied from {plan.source}) is not a param of the "
                                    f"rendered Pipeline; its params: {', '.join(contract.get(key, {})) or 'none'}")
                    continue
                problem = value_problem(declared, _plain_data(item.get("value")))
                if problem:
                    problems.append(f"{problem} (copied from {plan.source}; set it with --set "
                                    f"{declared.qualified}=VALUE)")
        if problems:
            raise Refused(problems, "cannot create the stream: the values copied from "
                                    f"{plan.source} do not fit the new stream's contract")

        missing = [spec for key, specs in contract.items() for spec in specs.values()
                   if spec.required and spec.name not in {i.get("name") for i in card_params(plan.card, key)
                                                          if isinstance(i, dict)}]
        if not missing:
            return
        if not self._interactive():
            lines = [f"{spec.qualified} ({spec.type}, {spec.allowed()}): {spec.description or 'no description'}"
                     for spec in missing]
            raise Refused(lines, "cannot create the stream: these required params have no value; pass each as "
                                 "--set PIPELINE.PARAM=VALUE (or run on a terminal to be asked):")
        self.out("The new stream's Pipelines need values for these params (Ctrl-C to stop; nothing is written):")
        for spec in missing:
            set_param(plan.card, spec, self._prompt(spec))
            plan.chosen.add((spec.pipeline, spec.name))

    def _prompt(self, spec: ParamSpec) -> Any:
        self.out(f"\n{spec.qualified} ({spec.type}, required)")
        if spec.description:
            self.out(textwrap.fill(spec.description, width=100, initial_indent="  ", subsequent_indent="  "))
        self.out(f"  allowed: {spec.allowed()}")
        while True:
            try:
                raw = self.ask(f"{spec.qualified}: ")
            except EOFError:
                raise Refused(f"no value given for {spec.qualified}: pass it with --set {spec.qualified}=VALUE") \
                    from None
            if raw.strip() == "":
                self.out("  a value is required")
                continue
            try:
                value = parse_value(spec, raw.strip() if spec.type != "string" else raw)
            except Refused as exc:
                self.out(f"  {exc}")
                continue
            problem = value_problem(spec, value)
            if problem:
                self.out(f"  {problem}")
                continue
            return value

    def _interactive(self) -> bool:
        if self.request.interactive is not None:
            return self.request.interactive
        return _isatty(sys.stdin) and _isatty(sys.stdout)

    # -- checking ------------------------------------------------------------------------
    def _check(self, plan: Plan) -> list[str]:
        """Refuse on a bad schedule; run `okd-streams check` on a copy of the repository with the
        new stream in place; refuse on an object name over Kubernetes' limits or on any
        error-level problem the new stream brings. Returns notes (new warnings, and errors that
        were there before) to print."""
        assert self.temp is not None
        problems = [f"{key}: {_schedule_problem(get(entry, 'schedule'))}"
                    for key, entry in card_pipelines(plan.card).items() if _schedule_problem(get(entry, "schedule"))]
        if problems:
            raise Refused(problems, "cannot create the stream:")
        objects, blocking, notes = self._repository_check(plan)
        problems = object_name_problems(objects, plan.namespace)
        if problems:
            raise Refused(problems, "cannot create the stream:")
        if blocking:
            raise CheckFailed(blocking)
        return [f"{'warning' if p.level != 'error' else 'note'}: {p.path}:{p.line}:{p.column}: {p.level} "
                f"{p.message} [{p.code}]" + ("" if p.level != "error" else " (there before: not caused by the new "
                                             "stream)") for p in notes]

    def _repository_check(self, plan: Plan) -> tuple[list[Obj], list[Problem], list[Problem]]:
        """`okd-streams check` for the new stream, on a scratch copy of the repository's checked
        folders with streams/NAME in place: its rendered unit, the file rules on its files and the
        repo-scope (Argo CD) rules about it. The source stream is checked the same way first, so
        problems it shows too (in the bases, say) are told apart: those are not the new stream's."""
        assert self.temp is not None
        with tempfile.TemporaryDirectory(prefix="okd-streams-new-") as scratch:
            shadow = Path(scratch) / self.root.name
            copy_checked_tree(self.root, shadow)
            config = load_config(shadow)
            before = check_repository(shadow, config, [plan.source], progress=False, only_files=[]).problems
            folder = shadow / STREAMS_DIR / plan.name
            shutil.copytree(self.temp, folder, symlinks=True)
            files = sorted(p for p in folder.rglob("*") if p.is_file())
            report = check_repository(shadow, config, [plan.name], progress=False, only_files=files)
        objects = [obj for unit in report.units for obj in unit.objects]
        known = set()
        for p in before:
            known.add((p.path, p.line, p.column, p.code, p.message))
            known.add((p.path, p.line, p.column, p.code, p.message.replace(plan.source, plan.name)))
        mine = f"{STREAMS_DIR}/{plan.name}/"
        blocking, notes = [], []
        for problem in report.problems:
            key = (problem.path, problem.line, problem.column, problem.code, problem.message)
            new = problem.path.startswith(mine) or key not in known
            if problem.level == "error" and new:
                blocking.append(problem)
            elif problem.level == "error" or (problem.level == "warning" and new):
                notes.append(problem)
        return objects, blocking, notes

    def _shown(self, text: str, plan: Plan) -> str:
        if self.temp is None:
            return text
        return text.replace(self.temp.name, plan.name)

    # -- output --------------------------------------------------------------------------
    def _show(self, plan: Plan) -> None:
        assert self.temp is not None
        for path in sorted(self.temp.rglob("*")):
            if path.is_file():
                relative = path.relative_to(self.temp)
                self.out(f"--- streams/{plan.name}/{relative} (new)")
                try:
                    self.out(path.read_text(encoding="utf-8").rstrip("\n"))
                except (UnicodeDecodeError, OSError):
                    self.out("(binary file)")
        self.out(f"Dry run: streams/{plan.name}/ renders and passes the checks; nothing was written.")
        self._review(plan)

    def _review(self, plan: Plan) -> None:
        copied = _identifying_values(plan.card, plan.source, plan.chosen)
        if copied:
            self.out(f"Review these values copied from {plan.source}, which name it: " + ", ".join(copied))

    def _report(self, plan: Plan) -> None:
        components = f" with the {', '.join(plan.added_components)} component" + \
            ("s" if len(plan.added_components) > 1 else "") if plan.added_components else ""
        files = ", ".join(sorted(str(p.relative_to(self.root / STREAMS_DIR / plan.name))
                                 for p in (self.root / STREAMS_DIR / plan.name).rglob("*") if p.is_file()))
        self.out(f"Created streams/{plan.name}/ ({files}): a copy of {plan.source}{components}, in namespace "
                 f"{plan.namespace}; it renders and passes every check.")
        self._review(plan)
        self.out(f"Next: edit streams/{plan.name}/stream.yaml and README.md, run `make check`, and open a pull "
                 "request.")
        catalog = self.root / "docs" / "streams.md"
        try:
            listed = f'id="stream-{plan.name}"' in catalog.read_text(encoding="utf-8", errors="replace")
        except OSError:
            listed = True  # no catalog
        if not listed:
            self.out("The stream catalog docs/streams.md will list it after `make docs` (in this pull request "
                     "or a later one: `make check` notes the stream, it does not fail).")

    # -- git -----------------------------------------------------------------------------
    def _git_precheck(self) -> git.Repo:
        try:
            import git
        except ImportError as exc:  # pragma: no cover - GitPython is a dependency
            raise Refused(f"--git needs GitPython and git: {exc}") from None
        try:
            repo = git.Repo(self.root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise Refused(f"--git: {self.root} is not inside a git repository") from None
        except git.GitCommandNotFound:
            raise Refused("--git needs the git command on PATH") from None
        if repo.bare or repo.working_tree_dir is None:
            raise Refused("--git needs a work tree, not a bare repository")
        if not repo.head.is_valid():
            raise Refused("--git: the repository has no commit yet; commit the repository first")
        branch = f"stream/{self.request.name}"
        if branch in [h.name for h in repo.heads]:
            raise Refused(f"--git: branch {branch} already exists; delete it (git branch -D {branch}) or pick "
                          "another name")
        try:
            status = repo.git.status("--porcelain", "--untracked-files=all", "-z")
        except git.GitCommandError as exc:
            raise Refused(f"--git: git status failed: {exc.stderr.strip() if exc.stderr else exc}") from None
        streams_prefix = os.path.relpath(self.root / STREAMS_DIR, repo.working_tree_dir).replace(os.sep, "/") + "/"
        dirty = []
        for entry in _porcelain_z(status):
            code, path = entry[:2], entry[3:]
            if code == "??" and not path.startswith(streams_prefix):
                continue
            dirty.append(f"{code.strip() or code} {path}")
        if dirty:
            shown = "; ".join(dirty[:10]) + (f"; and {len(dirty) - 10} more" if len(dirty) > 10 else "")
            raise Refused(f"--git needs a clean work tree so that the commit holds only streams/"
                          f"{self.request.name}/; commit or stash these first: {shown}")
        return repo

    def _git_branch(self, repo: git.Repo, plan: Plan) -> str:
        detached = repo.head.is_detached
        self._original_ref = repo.head.commit if detached else repo.active_branch
        original = repo.head.commit.hexsha[:12] if detached else repo.active_branch.name
        repo.create_head(f"stream/{plan.name}").checkout()
        return original

    def _git_commit(self, repo: git.Repo, plan: Plan) -> str:
        import git

        relative = os.path.relpath(self.root / STREAMS_DIR / plan.name, repo.working_tree_dir)
        try:
            repo.git.add("--", relative)
            repo.git.commit("-m", f"Add stream {plan.name}", "--", relative)
        except git.GitCommandError as exc:
            lines: list[str] = []
            for part in (exc.stdout, exc.stderr):
                text = str(part or "").strip()
                if text.startswith(("stdout: '", "stderr: '")) and text.endswith("'"):
                    text = text[len("stdout: '"):-1]  # GitPython's quoting
                lines.extend(line.rstrip() for line in text.splitlines() if line.strip())
            shown = "\n".join(f"    {line}" for line in lines[-15:]) or f"    {exc}"
            raise Refused(f"--git: git commit failed (a commit hook said no?), so nothing was written, and you are "
                          f"back on your branch; git said:\n{shown}") from None
        return repo.head.commit.hexsha

    def _git_rollback(self, repo: git.Repo, plan: Plan, final: Path) -> None:
        """Undo a half-done --git: unstage and remove the folder, go back, delete the branch."""
        relative = os.path.relpath(final, repo.working_tree_dir)
        original = getattr(self, "_original_ref", None)

        def back() -> None:
            if original is None:
                return
            if hasattr(original, "checkout"):
                original.checkout()
            else:
                repo.git.checkout("-q", original.hexsha)

        steps = [lambda: repo.git.reset("-q", "--", relative) if final.exists() else None,
                 lambda: shutil.rmtree(final) if final.exists() else None,
                 back,
                 lambda: repo.delete_head(f"stream/{plan.name}", force=True)
                 if f"stream/{plan.name}" in [h.name for h in repo.heads] else None]
        for step in steps:
            try:
                step()
            except Exception:  # noqa: BLE001 - undo as much as possible
                pass

    @staticmethod
    def _remote(repo: git.Repo) -> str:
        names = [r.name for r in repo.remotes]
        return "origin" if "origin" in names or not names else names[0]


# --------------------------------------------------------------------------------------
# Helpers


def copy_checked_tree(root: Path, target: Path) -> None:
    """The folders `okd-streams check` reads (base, overlays, streams without hidden folders,
    argocd, .tekton) and the top-level files (configuration), symlinks kept as symlinks."""
    target.mkdir(parents=True)
    for child in sorted(root.iterdir()):
        if child.is_file() and not child.is_symlink():
            shutil.copy2(child, target / child.name)
    for name in SOURCE_DIRS:
        folder = root / name
        if folder.is_dir() and not folder.is_symlink():
            top = str(folder)
            ignore = (lambda where, names, top=top: [n for n in names if n.startswith(".")] if where == top else []) \
                if name == STREAMS_DIR else None
            shutil.copytree(folder, target / name, symlinks=True, ignore=ignore)
        elif folder.is_symlink():
            os.symlink(os.readlink(folder), target / name)


def _schedule_problem(schedule: Any) -> str | None:
    if schedule is None:
        return "the stream card gives no schedule; pass --schedule PIPELINE=CRON"
    error = cron.validate(schedule)
    return f"{error}; pass --schedule PIPELINE=CRON" if error else None


def _uninterrupted(action: Callable[[], None]) -> None:
    """Run a clean-up to the end even if Ctrl-C is pressed again meanwhile (it is idempotent)."""
    for _ in range(100):
        try:
            action()
            return
        except KeyboardInterrupt:
            continue


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _porcelain_z(status: str) -> list[str]:
    """Entries of `git status --porcelain -z` (a rename's second path is skipped)."""
    entries, parts, index = [], status.split("\0"), 0
    while index < len(parts):
        part = parts[index]
        index += 1
        if len(part) < 4:
            continue
        entries.append(part)
        if part[0] in "RC":
            index += 1
    return entries


def _plain_data(value: Any) -> Any:
    """ruamel nodes as plain Python data (strings stay strings)."""
    if isinstance(value, dict):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _identifying_values(card: Any, source: str, chosen: set[tuple[str, str]]) -> list[str]:
    """Copied values that name the source stream (a bucket, a release stream...): worth a look."""
    found = []
    for key in card_pipelines(card):
        for item in card_params(card, key):
            if isinstance(item, dict) and isinstance(item.get("value"), str) and source in item["value"] \
                    and (key, item.get("name")) not in chosen:
                found.append(f"{key}.{item.get('name')}={item['value']}")
    return found


def default_description(source: str, source_description: str, components: list[str]) -> str:
    base = " ".join(source_description.split()).rstrip(".")
    if components:
        noun = "component" if len(components) == 1 else "components"
        return f"{base or 'A copy of ' + source}, with the {', '.join(components)} {noun}."
    return f"A copy of {source}: {base}." if base else f"A copy of {source}."


def render_readme(name: str, namespace: str, source: str, components: list[str], card: Any,
                  description: str) -> str:
    """One paragraph: what the stream is, where it runs, when, and where its values live."""
    runs = []
    for key, entry in card_pipelines(card).items():
        schedule = get(entry, "schedule")
        runs.append(f"`{key}` at `{schedule}`" if isinstance(schedule, str) else f"`{key}`")
    added = ""
    if components:
        added = " plus " + ", ".join(f"`overlays/{c}`" for c in components)
    sync = get(card, "spec", "sync")
    synced = {"automatic": "Argo CD syncs it automatically", "manual": "Argo CD syncs it manually"}.get(
        sync if isinstance(sync, str) else "", "Argo CD syncs it")
    text = (f"{description.strip()} In namespace `{namespace}`, its CronJobs start the Pipelines {_join(runs)} "
            f"(cron, UTC). It started as a copy of `{source}`{added}. Its values live in `stream.yaml`; "
            f"{synced}.")
    return f"# {name}\n\n" + textwrap.fill(text, width=115, break_on_hyphens=False, break_long_words=False) + "\n"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def object_name_problems(objects: list[Obj], namespace: str) -> list[str]:
    """Names of the rendered objects that Kubernetes (or Tekton, or the Job controller) would refuse."""
    problems = []
    for obj in objects:
        name, kind = obj.name, obj.kind
        if obj.namespace and obj.namespace != namespace:
            problems.append(f"{kind} {name} renders into namespace {obj.namespace!r}, not the stream's "
                            f"{namespace!r}")
        limit = SUBDOMAIN_MAX
        shown = name
        if kind == "CronJob":
            limit = CRONJOB_MAX
        elif kind in LABEL_NAMED_KINDS:
            limit = LABEL_MAX
        elif kind == "EventListener":
            shown, limit = EVENTLISTENER_SERVICE_PREFIX + name, LABEL_MAX
        if len(shown) > limit:
            problems.append(f"{kind} {name}: the name {shown!r} is {len(shown)} characters, over Kubernetes' "
                            f"limit of {limit} for it; use a shorter stream name or name prefix")
    return problems


def run(request: Request, out: Callable[[str], None] | None = None,
        ask: Callable[[str], str] | None = None, err: Callable[[str], None] | None = None) -> int:
    """Scaffold; exit 0 done, 1 the new stream has error-level problems, 2 refused, 130 interrupted.
    In every case but 0 the tree is as it was."""
    err = err or (lambda text: print(text, file=sys.stderr))
    restore = _interrupt_on_termination()
    try:
        return Scaffolder(request, out, ask).run()
    except CheckFailed as exc:
        for problem in exc.problems:
            err(f"{problem.path}:{problem.line}:{problem.column}: {problem.level} {problem.message} [{problem.code}]")
        err(f"okd-streams: the new stream {request.name} would not pass `okd-streams check` "
            f"({len(exc.problems)} error(s) above): nothing was written")
        return 1
    except KeyboardInterrupt:
        err("okd-streams: interrupted: nothing was written")
        return 130
    finally:
        restore()


def _interrupt_on_termination() -> Callable[[], None]:
    """SIGTERM and SIGHUP (a closed terminal) unwind like Ctrl-C, so the clean-up runs."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {}

    def interrupt(signum: int, frame: FrameType | None) -> NoReturn:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                previous[number] = signal.signal(number, interrupt)
            except (OSError, ValueError):
                pass

    def restore() -> None:
        for number, handler in previous.items():
            try:
                signal.signal(number, handler)
            except (OSError, ValueError, TypeError):
                pass
    return restore
