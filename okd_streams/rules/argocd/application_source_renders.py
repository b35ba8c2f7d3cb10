"""An Argo CD Application whose source Argo CD could not render as okd-streams does.

What it does:
  For every Application the ApplicationSet yields (and any static Application in
  argocd/): its source must be this repository at the revision the ApplicationSet
  reads, and its path an existing folder with a kustomization.yaml that renders with
  the same kustomize okd-streams runs. A stream folder that fails to render is reported
  by K001; this rule adds what Argo CD does with a path that is missing, outside the
  repository, or has no kustomization (it would deploy the folder as plain YAML). A
  source okd-streams cannot render the same way (another repository, Helm, plugins,
  kustomize options in the Application) is a warning: not verified offline.

Why:
  Argo CD finds out only after the merge, as a ComparisonError or a failed sync, and
  only in its UI.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path

from okd_streams.model.context import RepoContext, RepoFinding
from okd_streams.render import kustomization as kz
from okd_streams.rules.argocd._shared import argocd, at_app, at_file, expansion, folder

ID = "application-source-renders"
CODE = "A002"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "repo"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _repositories(argo: argocd.Argo) -> dict[str, str]:
    """The repositories the git generators read (normalized URL -> revision): this repository."""
    found = {}
    for appset in argo.appsets:
        for generator in appset.spec.get("generators") or []:
            git = generator.get("git") if isinstance(generator, dict) else None
            if isinstance(git, dict) and isinstance(git.get("repoURL"), str):
                found[argocd.normalize_repo(git["repoURL"])] = str(git.get("revision") or "HEAD")
    return found


def check_repo(context: RepoContext) -> Iterator[RepoFinding]:
    argo = expansion(context)
    if argo is None:
        return
    repositories = _repositories(argo)
    for app in argo.apps:
        yield from _check(context, argo, app, repositories)


def _check(
    context: RepoContext, argo: argocd.Argo, app: argocd.App, repositories: dict[str, str]
) -> Iterator[RepoFinding]:
    spec = found if isinstance(found := app.data.get("spec"), dict) else {}
    label = f'Application "{app.name}"' + (f" (stream {app.stream})" if app.stream else "")
    if "sources" in spec or not app.source:
        yield at_app(
            app,
            ("spec",),
            f"{label} has no single `source`; okd-streams renders only single-source "
            "Applications, so what it deploys is not verified offline",
            level="warning",
        )
        return
    source = app.source
    repo_url = url if isinstance(url := source.get("repoURL"), str) else ""
    if repositories and argocd.normalize_repo(repo_url) not in repositories:
        yield at_app(
            app,
            ("spec", "source", "repoURL"),
            f"{label} deploys from {repo_url or 'no repoURL'}, not "
            f"from the repository the ApplicationSet reads ({', '.join(sorted(repositories))}): its "
            "manifests are not verified offline",
            level="warning",
        )
        return
    revision = repositories.get(argocd.normalize_repo(repo_url))
    target = source.get("targetRevision") or "HEAD"
    if revision is not None and str(target) != revision:
        yield at_app(
            app,
            ("spec", "source", "targetRevision"),
            f'{label} deploys revision "{target}" but the '
            f'ApplicationSet reads the stream cards at "{revision}": the card and the manifests Argo CD '
            "applies can disagree; use the same revision",
            level="warning",
        )
    for key in ("chart", "helm", "plugin", "kustomize", "directory"):
        if key in source:
            yield at_app(
                app,
                ("spec", "source", key),
                f"{label} sets source.{key}: okd-streams renders the path "
                "with plain kustomize, as `kustomize build` does, so this option is not verified offline",
                level="warning",
            )
    path = app.path
    normalized = posixpath.normpath(path) if path else ""
    if (
        not path
        or normalized in (".", "")
        or normalized.startswith("../")
        or normalized == ".."
        or posixpath.isabs(path)
    ):
        yield at_app(
            app,
            ("spec", "source", "path"),
            f'{label} has source path "{path}": it must name a folder '
            "inside the repository (streams/<name>), not its root or anything outside it",
        )
        return
    directory = Path(context.root, normalized)
    if not directory.is_dir():
        yield at_app(
            app,
            ("spec", "source", "path"),
            f'{label}: source path "{normalized}" does not exist in the '
            "repository; Argo CD reports ComparisonError (app path does not exist)",
        )
        return
    if kz.kustomization_file(directory) is None:
        yield at_file(
            folder(context, normalized),
            f"{label}: source path {normalized} has no kustomization.yaml, so "
            "Argo CD would treat it as a plain directory of manifests and apply its YAML files as they "
            "are (a StreamCard is no cluster kind: the sync fails); add a kustomization.yaml",
            app.stream,
        )
        return
    deployed = argocd.deployed(context, argo, app)
    if deployed is not None and deployed.error and app.stream is None:
        yield at_app(
            app,
            ("spec", "source", "path"),
            f"{label}: kustomize build {normalized} fails: "
            f"{deployed.error}; Argo CD reports ComparisonError and syncs nothing",
        )
