"""An ApplicationSet in argocd/ that Argo CD could not expand into Applications.

What it does:
  Renders argocd/ with the real kustomize and expands each ApplicationSet offline the way
  Argo CD's controller would: its git files (or directories) generator over this working
  tree, then its Go templates and templatePatch for every param set (see
  okd_streams/argocd/appset.py). Reports what would fail there: argocd/ not building, a stream
  card the generator cannot parse, a template reading a key the card does not have
  (with `missingkey=error`), a comparison of mismatched types, two Applications with the
  same name, a template field that is not part of an Application (Argo CD drops it
  silently), a files path that matches differently under Argo CD's default and new git
  file globbing (warning), and any template or generator feature okd-streams does not
  emulate (never rendered silently wrong).

Why:
  The ApplicationSet controller renders templates only on the cluster. A card missing
  `spec.sync` or a typo in the template fails there, after merge, and the stream gets no
  Application: nothing is deployed and nothing in the pull request said so.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.context import RepoContext, RepoFinding
from okd_streams.rules.argocd._shared import argocd, at_file, at_obj

ID = "applicationset-expands"
CODE = "A001"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "repo"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check_repo(context: RepoContext) -> Iterator[RepoFinding]:
    argo = argocd.analyze(context)
    if argo is None:
        return
    if argo.build_error is not None:
        yield at_file(argo.kustomization or argo.shown, argo.build_error, None)
        return
    if not argo.appsets:
        yield at_file(
            argo.kustomization or argo.shown,
            f"{argo.shown}/ holds no ApplicationSet: no stream gets an "
            "Application; add one generating an Application per streams/*/stream.yaml",
            None,
        )
    for issue in argo.issues:
        if issue.file is not None:
            yield at_file(issue.file, issue.message, issue.stream, issue.line, issue.column, issue.level)
        else:
            yield at_obj(issue.obj, issue.path, issue.message, issue.stream, issue.level)
