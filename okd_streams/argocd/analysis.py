"""Argo CD, offline: expand argocd/'s ApplicationSet as Argo CD would, and check the result.

Argo CD cannot run here (no cluster). What it would do with this repository is
deterministic up to the point where it talks to a cluster, so okd-streams does that part
itself, following Argo CD's own code:

1. Render argocd/ with the real kustomize (as `kubectl apply -k argocd/` and the bootstrap
   Application do), keeping where each object came from (`read`).
2. Expand each ApplicationSet (okd_streams.argocd.appset): its git generator over this
   working tree, its template per param set, its templatePatch.
3. Hand the Applications, plus any static Application in argocd/, to the A rules, which
   check them against the AppProjects (okd_streams.argocd.project) and the rendered
   streams (`deployed`).

Anything Argo CD would do that this package does not emulate is reported as unsupported,
never guessed.
"""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass

from okd_streams.argocd import appset as appsets
from okd_streams.argocd.globs import GLOB_CHARS, go_path_match
from okd_streams.argocd.results import (
    ARGO_GROUP,
    ARGOCD_DIR,
    GENERATE_PATHS,
    App,
    Argo,
    Issue,
    canonical,
    stream_of_path,
)
from okd_streams.model.context import RepoContext
from okd_streams.model.objects import Obj, get
from okd_streams.model.repo import SourceTree, unit_from_render
from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import KustomizeMissing, RenderResult
from okd_streams.schema.kinds import group_of, is_cluster_scoped


def analyze(context: RepoContext) -> Argo | None:
    """The expansion, once per context (None when the repository has no argocd/ folder)."""
    if "argocd" not in context.cache:
        context.cache["argocd"] = _analyze(context)
    return context.cache["argocd"]


def _analyze(context: RepoContext) -> Argo | None:
    argo = read(context)
    if argo is None or argo.build_error is not None:
        return argo
    for appset in argo.appsets:
        appsets.expand(appset, context, argo)
    _check_names(argo)
    return argo


def read(context: RepoContext) -> Argo | None:
    """argocd/ rendered, its ApplicationSets, AppProjects and static Applications sorted out,
    nothing expanded yet (None when the repository has no argocd/ folder)."""
    directory = context.root / ARGOCD_DIR
    if not directory.is_dir():
        return None
    argo = Argo(directory, context.display(directory))
    kustomization = kz.kustomization_file(directory)
    if kustomization is None:
        argo.build_error = (
            f"{argo.shown}/ has no kustomization.yaml: `kubectl apply -k {argo.shown}/` and the "
            "bootstrap Application need one"
        )
        return argo
    argo.kustomization = context.display(kustomization)
    try:
        result = context.build(directory)
    except KustomizeMissing as exc:
        argo.build_error = str(exc)
        return argo
    if not result.ok:
        argo.build_error = f"kustomize build {argo.shown} failed: {result.error}"
        return argo
    unit = unit_from_render(result, context.tree, argo.shown)
    argo.objects = unit.objects
    for obj in argo.objects:
        if obj.group != ARGO_GROUP:
            continue
        if obj.kind == "ApplicationSet":
            argo.appsets.append(obj)
        elif obj.kind == "AppProject":
            argo.projects[obj.name] = obj
        elif obj.kind == "Application":
            argo.apps.append(_static_app(obj, context))
    return argo


def name_templates(tree: SourceTree) -> list[str]:
    """The Application name template (spec.template.metadata.name) of every ApplicationSet written
    in argocd/'s files, listed in its kustomization or not: a new stream's name must fit them all."""
    folder = tree.base / ARGOCD_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*.yaml")):
        yaml_file = tree.file(path)
        if any(issue.kind != "duplicate-key" for issue in yaml_file.issues):
            continue  # Argo CD could not read it either
        for document in yaml_file.documents:
            data = document.data
            if isinstance(data, dict) and data.get("kind") == "ApplicationSet":
                name = get(data, "spec", "template", "metadata", "name")
                if isinstance(name, str):
                    found.append(name)
    return found


def _static_app(obj: Obj, context: RepoContext) -> App:
    app = App(canonical(copy.deepcopy(obj.data)), static=obj)
    app.stream = stream_of_path(app.path, context)
    return app


_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _check_names(argo: Argo) -> None:
    """What the API server would refuse when the controller creates the Applications."""
    for app in argo.apps:
        if app.static is not None:
            continue
        where = ("spec", "template", "metadata")
        if not _DNS_SUBDOMAIN.match(app.name) or len(app.name) > 253:
            argo.issues.append(
                Issue(
                    f'the ApplicationSet names an Application "{app.name}" (from {app.generator_file}), which is not a '
                    "valid Kubernetes name (lowercase DNS subdomain); the API server refuses it. Use "
                    "{{ .path.basenameNormalized }} or the normalize function",
                    obj=app.appset,
                    path=where + ("name",),
                    stream=app.stream,
                )
            )
        labels = get(app.data, "metadata", "labels")
        for key, value in labels.items() if isinstance(labels, dict) else []:
            if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
                argo.issues.append(
                    Issue(
                        f'label {key}="{value}" of Application "{app.name}" is not a valid label value (at most 63 '
                        "characters, alphanumerics, -, _ and . inside); the API server refuses the Application",
                        obj=app.appset,
                        path=where + ("labels", key),
                        stream=app.stream,
                    )
                )
    seen: dict[str, App] = {}
    for app in argo.apps:
        other = seen.get(app.name)
        if other is None:
            seen[app.name] = app
            continue
        site = app.appset or app.static
        argo.issues.append(
            Issue(
                f'two Applications are named "{app.name}" ({_describe(other)} and {_describe(app)}); Argo CD keeps '
                "one and the ApplicationSet controller reports an error: give each a distinct name",
                obj=site,
                path=("spec", "template", "metadata", "name") if app.static is None else ("metadata", "name"),
                stream=app.stream,
            )
        )


def _describe(app: App) -> str:
    if app.static is not None:
        return f"Application in {app.static.file}"
    return f"generated from {app.generator_file or app.path}"


@dataclass
class Deployed:
    objects: list[Obj]
    error: str | None = None  # the source cannot be rendered (already reported elsewhere when a stream)


def deployed(context: RepoContext, argo: Argo, app: App) -> Deployed | None:
    """The objects Argo CD would sync for `app`, rendered with the same kustomize (cached).

    None when the source is not something okd-streams renders (another repository, a Helm
    chart, several sources): A002 says so.
    """
    cache = context.cache.setdefault("deployed", {})
    key = app.path
    if key in cache:
        return cache[key]
    found: Deployed | None = None
    if app.stream is not None:
        unit = context.unit(app.stream)
        if unit is not None:
            found = Deployed(unit.objects, unit.build_error)
    elif posixpath.normpath(app.path or ".") == ARGOCD_DIR and argo.build_error is None:
        found = Deployed(argo.objects)
    else:
        directory = (context.root / app.path) if app.path else None
        if directory is not None and kz.kustomization_file(directory) is not None:
            try:
                result = context.build(directory)
            except KustomizeMissing as exc:
                result = RenderResult(directory, error=str(exc))
            if result.ok:
                found = Deployed(unit_from_render(result, context.tree, app.path).objects)
            else:
                found = Deployed([], result.error)
    cache[key] = found
    return found


def object_namespace(obj: Obj, app: App) -> str:
    """The namespace Argo CD applies a namespaced object to: its own, else the destination's."""
    return obj.namespace or (app.destination.get("namespace") or "")


def object_key(obj: Obj, app: App) -> tuple[str, str, str, str]:
    group = group_of(obj.api_version)
    namespace = "" if is_cluster_scoped(group, obj.kind) else object_namespace(obj, app)
    return group, obj.kind, namespace, obj.name


def generate_paths(app: App) -> list[str] | None:
    """The repo-relative paths of the manifest-generate-paths annotation (None: no annotation)."""
    annotations = get(app.data, "metadata", "annotations")
    value = annotations.get(GENERATE_PATHS) if isinstance(annotations, dict) else None
    if not isinstance(value, str):
        return None
    paths = []
    for item in value.split(";"):
        item = item.strip()
        if not item:
            continue
        if item.startswith("/"):
            paths.append(posixpath.normpath(item.lstrip("/")) if item.strip("/") else ".")
        else:
            paths.append(posixpath.normpath(posixpath.join(app.path or ".", item)))
    return paths


def path_covered(path: str, patterns: list[str]) -> bool:
    """Argo CD: a changed file refreshes the app when it is a declared path, lies under one, or matches a glob."""
    for pattern in patterns:
        if pattern in (".", ""):
            return True
        if path == pattern or path.startswith(pattern.rstrip("/") + "/"):
            return True
        if GLOB_CHARS & set(pattern) and go_path_match(pattern, path):
            return True
    return False
