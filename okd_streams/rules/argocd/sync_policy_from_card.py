"""An Argo CD Application whose sync policy is not the one its stream card asks for.

What it does:
  For every Application the ApplicationSet generates from a stream card, compares its
  sync policy with the card's `spec.sync`: `automatic` needs `syncPolicy.automated` with
  `prune: true` and `selfHeal: true`, `manual` needs no `automated`. Also requires what
  every stream's sync needs: `syncOptions: [CreateNamespace=true]` and a `retry`. (The
  value of `spec.sync` itself is checked by C001.)

Why:
  The card is where a stream's owner decides whether Argo CD deploys each commit. A
  template that ignores it deploys a stream its owner wants to release by hand, or
  leaves an automatic one waiting.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.context import RepoContext, RepoFinding
from okd_streams.model.objects import get
from okd_streams.rules.argocd._shared import argocd, at_app, at_document, expansion

ID = "sync-policy-from-card"
CODE = "A006"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "repo"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check_repo(context: RepoContext) -> Iterator[RepoFinding]:
    argo = expansion(context)
    if argo is None:
        return
    for app in argo.apps:
        if app.appset is None:
            continue
        yield from _options(app)
        card = app.card
        sync = get(card.data, "spec", "sync") if card is not None else None
        if card is None or sync not in ("automatic", "manual"):
            continue  # C001 checks the card itself
        automated = app.automated
        label = f'Application "{app.name}"'
        if sync == "automatic":
            if automated is None:
                yield at_document(
                    card,
                    ("spec", "sync"),
                    f"the card asks for automatic sync, but the ApplicationSet "
                    f"gives {label} no syncPolicy.automated: Argo CD would wait for someone to press "
                    "Sync. Make the template (templatePatch) follow .spec.sync",
                    app.stream,
                )
            elif automated.get("prune") is not True or automated.get("selfHeal") is not True:
                missing = [k for k in ("prune", "selfHeal") if automated.get(k) is not True]
                yield at_document(
                    card,
                    ("spec", "sync"),
                    f"{label} syncs automatically without "
                    f"{' and '.join(missing)}: objects removed from the stream would stay on the "
                    "cluster, or manual edits would stay; automatic streams need prune: true and "
                    "selfHeal: true",
                    app.stream,
                )
        elif automated is not None:
            yield at_document(
                card,
                ("spec", "sync"),
                f"the card asks for manual sync, but the ApplicationSet gives "
                f"{label} syncPolicy.automated: Argo CD would sync every commit. Make the template "
                "(templatePatch) follow .spec.sync",
                app.stream,
            )


def _options(app: argocd.App) -> Iterator[RepoFinding]:
    policy = get(app.data, "spec", "syncPolicy")
    policy = policy if isinstance(policy, dict) else {}
    options = policy.get("syncOptions")
    if not isinstance(options, list) or "CreateNamespace=true" not in options:
        yield at_app(
            app,
            ("spec", "syncPolicy", "syncOptions"),
            "the ApplicationSet's Applications have no "
            "syncOptions CreateNamespace=true: a new stream's namespace does not exist and its first "
            "sync fails; add it",
        )
    retry = policy.get("retry")
    if not isinstance(retry, dict) or not retry.get("limit"):
        yield at_app(
            app,
            ("spec", "syncPolicy"),
            "the ApplicationSet's Applications have no syncPolicy.retry: a "
            "sync that fails once (Tekton's webhook still starting, a CRD not yet installed) is not "
            "retried until the next commit; add retry with a limit and a backoff",
        )
