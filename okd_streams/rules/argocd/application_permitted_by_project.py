"""An Argo CD Application its AppProject does not permit: source, destination or kind.

What it does:
  Checks every Application against the AppProject it names in argocd/, as Argo CD's
  AppProject checks do: the project exists; its `sourceRepos` permit the source
  repository; the destination names its cluster by `server` URL or by `name`, exactly
  one of the two; its `destinations` permit that cluster and namespace (for a
  stream, the stream card's `spec.namespace`, reported at that line); and every object
  the Application renders is of a kind the project permits
  (`namespaceResourceWhitelist`/`Blacklist`, `clusterResourceWhitelist`) in a namespace
  it permits. Globs (`okd-*`, `{a,b}`) and `!` denials follow Argo CD.

Why:
  The AppProject is the boundary that keeps a stream inside its own namespaces. A card
  naming another namespace, or an overlay adding a kind the project does not list, is
  refused by Argo CD only when it syncs, after the merge.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.context import RepoContext, RepoFinding
from okd_streams.model.objects import Obj
from okd_streams.rules.argocd._shared import (
    argocd,
    at_app,
    at_document,
    at_obj,
    expansion,
)
from okd_streams.schema.kinds import group_of, is_cluster_scoped
from okd_streams.schema.metadata import namespace_judged_fine

ID = "application-permitted-by-project"
CODE = "A003"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "repo"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _destinations(project: Obj) -> str:
    entries = project.spec.get("destinations")
    shown = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            shown.append(f"{entry.get('server') or entry.get('name')} {entry.get('namespace')}")
    return ", ".join(shown) or "none"


def check_repo(context: RepoContext) -> Iterator[RepoFinding]:
    argo = expansion(context)
    if argo is None:
        return
    for app in argo.apps:
        yield from _check(context, argo, app)


def _check(context: RepoContext, argo: argocd.Argo, app: argocd.App) -> Iterator[RepoFinding]:
    label = f'Application "{app.name}"' + (f" (stream {app.stream})" if app.stream else "")
    project = argo.projects.get(app.project)
    if project is None:
        yield at_app(
            app,
            ("spec", "project"),
            f'{label} belongs to project "{app.project}", which argocd/ does not '
            f"define (projects: {', '.join(sorted(argo.projects)) or 'none'}); Argo CD refuses it",
        )
        return
    repo_url = app.source.get("repoURL")
    if isinstance(repo_url, str) and not argocd.source_permitted(project, repo_url):
        yield at_app(
            app,
            ("spec", "source", "repoURL"),
            f'{label}: AppProject "{project.name}" does not permit '
            f"source repository {repo_url} (sourceRepos); Argo CD refuses to sync it",
        )
    destination = app.destination
    server = str(destination.get("server") or "")
    name = str(destination.get("name") or "")
    namespace = str(destination.get("namespace") or "")
    if bool(server) == bool(name):
        # Argo CD's ValidateDestination: a cluster by URL or by name, never both, never neither.
        what = "both a server and a name" if server else "neither a server nor a name"
        yield at_app(
            app,
            ("spec", "destination"),
            f"{label}: the destination has {what}; Argo CD refuses it (\"application destination can't have "
            'both name and server defined" / "server and name cannot both be empty"). Set exactly one of '
            'destinationServer and destinationName in argocd/okd-streams-repository.yaml and the other to ""',
        )
        return
    denied_destination = not argocd.destination_permitted(project, server, name, namespace)
    if denied_destination and namespace_judged_fine(namespace):  # no DNS label: C001 or V004 says so
        message = (
            f'{label}: destination {server or name} namespace "{namespace}" is not permitted by AppProject '
            f'"{project.name}" (destinations: {_destinations(project)}); Argo CD refuses to sync it. Use a '
            "namespace the project allows, or change the project in argocd/ on purpose"
        )
        if app.card is not None and app.card.has(("spec", "namespace")):
            yield at_document(app.card, ("spec", "namespace"), message, app.stream)
        else:
            yield at_app(app, ("spec", "destination", "namespace"), message)
    deployed = argocd.deployed(context, argo, app)
    if deployed is None or deployed.error:
        return
    kinds_seen: set[tuple[str, str]] = set()
    namespaces_seen: set[str] = set()  # each reported once, and each permitted one judged once
    verdicts: dict[tuple[str, str], tuple[bool, str]] = {}  # (group, kind) -> kind_permitted's
    for obj in deployed.objects:
        group = group_of(obj.api_version)
        cluster = is_cluster_scoped(group, obj.kind)
        if cluster and app.stream is not None:
            continue  # A007 reports every cluster-scoped object of a stream
        verdict = verdicts.get((group, obj.kind))
        if verdict is None:
            verdict = verdicts[(group, obj.kind)] = argocd.kind_permitted(project, group, obj.kind, not cluster)
        allowed, listing = verdict
        if not allowed and (group, obj.kind) not in kinds_seen:
            kinds_seen.add((group, obj.kind))
            yield at_obj(
                obj,
                ("kind",),
                f'{label} would sync {obj.label()} (group "{group}", kind {obj.kind}), '
                f'which AppProject "{project.name}" does not permit ({listing}); the sync fails with '
                f'"resource {group}:{obj.kind} is not permitted in project {project.name}". Add the kind '
                "to the project in argocd/ or drop the object",
                app.stream,
            )
        if cluster:
            continue
        target = argocd.object_namespace(obj, app)
        if target in namespaces_seen or (denied_destination and target == namespace):
            continue
        namespaces_seen.add(target)
        if not argocd.destination_permitted(project, server, name, target):
            message = (
                f'{label} would sync {obj.label()} into namespace "{target}", which AppProject '
                f'"{project.name}" does not permit (destinations: {_destinations(project)})'
            )
            # a namespace the stream's kustomization set points back at its `namespace:` line
            yield at_obj(obj, ("metadata", "namespace"), message, app.stream)
