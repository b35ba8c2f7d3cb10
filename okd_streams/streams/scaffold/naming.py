"""Names: the stream's, its namespace (and where Argo CD may send it), the rendered objects'.

Kubernetes bounds every name made from the stream's: the namespace and label values (63),
the Application the ApplicationSet names after the folder (63, with its template's text),
CronJobs (52: the Job controller appends 11 characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from okd_streams import argocd
from okd_streams.model.context import RepoContext
from okd_streams.model.objects import Obj, get
from okd_streams.model.repo import SourceTree

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_MAX = 63  # namespaces, label values, Argo CD Application names
SUBDOMAIN_MAX = 253
CRONJOB_MAX = 52  # the Job controller appends an 11-character suffix to Job names
# Kinds whose name ends up in a label value (Tekton labels runs with it) or a Service name.
LABEL_NAMED_KINDS = {"Namespace", "Service", "Pipeline", "Task"}
EVENTLISTENER_SERVICE_PREFIX = "el-"

_APPSET_PLACEHOLDER = re.compile(r"\{\{-?\s*\.?path\.basename(?:Normalized)?\s*-?\}\}")


def max_name_length(root: Path) -> int:
    """The longest stream name that keeps every name derived from it within Kubernetes' limits:
    the namespace (a DNS-1123 label, 63) and, when argocd/ holds an ApplicationSet, the
    Application it generates from the folder name (a label value, 63)."""
    bound = LABEL_MAX
    for template in argocd.name_templates(SourceTree(root)):
        rest = _APPSET_PLACEHOLDER.sub("", template)
        if _APPSET_PLACEHOLDER.search(template) and "{{" not in rest:
            bound = min(bound, LABEL_MAX - len(rest))
    return max(1, bound)


def suggest_name(name: str) -> str:
    last = [part for part in re.split(r"[/\\]", name) if part not in ("", ".", "..")]
    candidate = re.sub(r"[^a-z0-9-]+", "-", (last[-1] if last else "").lower()).strip("-")
    return re.sub(r"-{2,}", "-", candidate)


def name_problem(name: str, limit: int, what: str = "stream name") -> str | None:
    """Why `name` cannot name a stream (or namespace), with what to use instead; None if fine."""
    if not name:
        return f"the {what} is empty: give one such as hpc"
    suggestion = suggest_name(name)[:limit].strip("-")
    hint = (
        f" (for example {suggestion})" if suggestion and suggestion != name and DNS1123_LABEL.match(suggestion) else ""
    )
    if "/" in name or "\\" in name or name in (".", ".."):
        return (
            f"{what} {name!r} contains a path separator: give the bare name, not a path; "
            f"the stream goes to streams/<name>/{hint}"
        )
    if "." in name:
        return (
            f"{what} {name!r} contains a dot: it must be a DNS-1123 label (it becomes a namespace), so use dashes{hint}"
        )
    if name != name.lower():
        return f"{what} {name!r} contains capitals: it must be a DNS-1123 label, lowercase only{hint}"
    if not DNS1123_LABEL.match(name):
        return (
            f"{what} {name!r} is not a DNS-1123 label: use lowercase letters, digits and '-', "
            f"starting and ending with a letter or digit{hint}"
        )
    if len(name) > limit:
        return (
            f"{what} {name!r} is {len(name)} characters; at most {limit} keep every name made from it "
            f"within Kubernetes' limits (namespaces and label values: 63){hint}"
        )
    return None


def namespace_problem(namespace: str, taken: dict[str, str]) -> str | None:
    problem = name_problem(namespace, LABEL_MAX, "namespace")
    if problem:
        return problem + "; pass --namespace NAME"
    if namespace in ("default", "openshift") or namespace.startswith(("kube-", "openshift-")):
        return (
            f"namespace {namespace!r} is reserved on OKD (default, openshift, kube-*, openshift-*): "
            "pass --namespace NAME"
        )
    if namespace in taken:
        return (
            f"namespace {namespace!r} is already used by stream {taken[namespace]}: two streams in one "
            "namespace would overwrite each other's Pipelines and CronJobs; pass --namespace NAME"
        )
    return None


@dataclass
class Destination:
    """Where the ApplicationSet sends a stream: its AppProject must permit the namespace."""

    project: Obj
    server: str
    name: str
    shown: str  # where the AppProject is declared


def argo_destinations(root: Path) -> list[Destination]:
    """The AppProjects (and clusters) of argocd/'s ApplicationSets, from argocd/ rendered as
    `okd-streams check` renders it; empty when there is no argocd/ or it does not build
    (`okd-streams check` reports that)."""
    argo = argocd.read(RepoContext(root, SourceTree(root), [], []))
    if argo is None or argo.build_error is not None:
        return []
    found = []
    for appset in argo.appsets:
        spec = get(appset.spec, "template", "spec", default={})
        project = get(spec, "project")
        if not isinstance(project, str) or "{{" in project or project not in argo.projects:
            continue
        server = get(spec, "destination", "server")
        cluster = get(spec, "destination", "name")
        found.append(
            Destination(
                argo.projects[project],
                server if isinstance(server, str) else "",
                cluster if isinstance(cluster, str) else "",
                argo.projects[project].file,
            )
        )
    return found


def destination_problem(destinations: list[Destination], namespace: str) -> str | None:
    for destination in destinations:
        if not argocd.destination_permitted(destination.project, destination.server, destination.name, namespace):
            allowed = [
                str(get(e, "namespace"))
                for e in get(destination.project.spec, "destinations", default=[])
                if isinstance(e, dict) and isinstance(get(e, "namespace"), str)
            ]
            return (
                f"namespace {namespace!r} is not a destination the AppProject {destination.project.name} "
                f"({destination.shown}) permits ({', '.join(allowed) or 'none'}), so Argo CD would refuse to "
                "sync the stream: pass --namespace NAME"
            )
    return None


def default_namespace(name: str, destinations: list[Destination]) -> str:
    """The stream's name, or okd-<name> when only that is a permitted Argo CD destination."""
    if destination_problem(destinations, name) is None:
        return name
    prefixed = f"okd-{name}"
    if not name.startswith("okd-") and destination_problem(destinations, prefixed) is None:
        return prefixed
    return name


def object_name_problems(objects: list[Obj], namespace: str) -> list[str]:
    """Names of the rendered objects that Kubernetes (or Tekton, or the Job controller) would refuse."""
    problems = []
    for obj in objects:
        name, kind = obj.name, obj.kind
        if obj.namespace and obj.namespace != namespace:
            problems.append(f"{kind} {name} renders into namespace {obj.namespace!r}, not the stream's {namespace!r}")
        limit = SUBDOMAIN_MAX
        shown = name
        if kind == "CronJob":
            limit = CRONJOB_MAX
        elif kind in LABEL_NAMED_KINDS:
            limit = LABEL_MAX
        elif kind == "EventListener":
            shown, limit = EVENTLISTENER_SERVICE_PREFIX + name, LABEL_MAX
        if len(shown) > limit:
            problems.append(
                f"{kind} {name}: the name {shown!r} is {len(shown)} characters, over Kubernetes' "
                f"limit of {limit} for it; use a shorter stream name or name prefix"
            )
    return problems
