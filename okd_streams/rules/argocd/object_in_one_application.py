"""An object that two Argo CD Applications (two streams) would both manage.

What it does:
  Collects every object every Application would sync (each stream rendered once, by
  `check`) under the identity the cluster gives it: API group, kind, namespace and name.
  Reports each pair of Applications that share objects, once for each of the two, at
  the stream card's namespace when the shared namespace comes from there.

Why:
  Two streams copied from one another often keep the same namespace: both then apply
  the same Tasks, Pipelines and triggers, and Argo CD flips the objects between the two
  Applications (and prunes them when one stream is deleted).
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.context import RepoContext, RepoFinding
from okd_streams.model.objects import Obj
from okd_streams.rules.argocd._shared import argocd, at_document, at_obj, expansion

ID = "object-in-one-application"
CODE = "A004"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "repo"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _describe(key: tuple[str, str, str, str]) -> str:
    group, kind, namespace, name = key
    shown = f"{kind} {name}" + (f" ({group})" if group else "")
    return shown + (f' in namespace "{namespace}"' if namespace else " (cluster-scoped)")


def check_repo(context: RepoContext) -> Iterator[RepoFinding]:
    argo = expansion(context)
    if argo is None:
        return
    owners: dict[tuple[str, str, str, str], list[tuple[argocd.App, Obj]]] = {}
    for app in argo.apps:
        deployed = argocd.deployed(context, argo, app)
        if deployed is None or deployed.error:
            continue
        for obj in deployed.objects:
            key = argocd.object_key(obj, app)
            entries = owners.setdefault(key, [])
            if all(other is not app for other, _ in entries):
                entries.append((app, obj))
    pairs: dict[tuple[str, str], list[tuple[tuple, argocd.App, Obj, argocd.App, Obj]]] = {}
    for key, entries in owners.items():
        for i, (first, first_obj) in enumerate(entries):
            for second, second_obj in entries[i + 1 :]:
                pairs.setdefault((first.name, second.name), []).append((key, first, first_obj, second, second_obj))
    for shared in pairs.values():
        key, first, first_obj, second, second_obj = shared[0]
        examples = ", ".join(_describe(entry[0]) for entry in shared[:3])
        more = f" and {len(shared) - 3} more" if len(shared) > 3 else ""
        for app, obj, other in ((first, first_obj, second), (second, second_obj, first)):
            message = (
                f'Application "{app.name}" and Application "{other.name}"'
                f"{_streams(app, other)} both manage {len(shared)} object(s): {examples}{more}. Argo CD "
                "lets one Application own an object (SharedResourceWarning); with automated sync each one "
                "overwrites the other's version, and pruning one deletes the other's. Give each stream its "
                "own namespace, or rename the object"
            )
            yield _where(app, obj, key, message)


def _streams(app: argocd.App, other: argocd.App) -> str:
    if app.stream and other.stream:
        return f" (streams {app.stream} and {other.stream})"
    return ""


def _where(app: argocd.App, obj: Obj, key: tuple, message: str) -> RepoFinding:
    namespace = key[2]
    card = app.card
    if (
        namespace
        and card is not None
        and card.has(("spec", "namespace"))
        and isinstance(card.data, dict)
        and card.data.get("spec", {}).get("namespace") == namespace
    ):
        return at_document(card, ("spec", "namespace"), message, app.stream)
    return at_obj(obj, ("metadata", "name"), message, app.stream)
