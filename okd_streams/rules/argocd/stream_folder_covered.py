"""A stream folder no Argo CD Application deploys and no generator excludes.

What it does:
  Every folder under streams/ must be deployed by the ApplicationSet (some Application
  has it as its source path) or be excluded on purpose, by an `exclude: true` entry of
  the generator that matches its card. Reports the folders that are neither, typically a
  stream without a stream card.

Why:
  A stream nobody deploys looks finished in the repository and never runs; nothing on
  the cluster says it is missing.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from okd_streams.model.context import RepoContext, RepoFinding
from okd_streams.model.repo import CARD_NAME, STREAMS_DIR
from okd_streams.rules.argocd._shared import at_file, expansion, folder

ID = "stream-folder-covered"
CODE = "A005"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "repo"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check_repo(context: RepoContext) -> Iterator[RepoFinding]:
    argo = expansion(context)
    if argo is None or not argo.appsets:
        return
    covered = {posixpath.normpath(app.path) for app in argo.apps if app.path}
    excluded = {}
    for path, pattern in argo.excluded.items():
        excluded[path] = pattern
        excluded[posixpath.dirname(path)] = pattern
    for stream in context.streams:
        relative = f"{STREAMS_DIR}/{stream.name}"
        if relative in covered or stream.name in argo.failed_streams:
            continue
        if relative in excluded or f"{relative}/{CARD_NAME}" in excluded:
            continue
        if not stream.card_path.is_file():
            reason = (
                f"it has no {CARD_NAME}, and the ApplicationSet makes one Application per stream card; "
                f"add the card (see streams/*/{CARD_NAME})"
            )
        else:
            reason = "no generator path of the ApplicationSet matches its stream card"
        names = ", ".join(appset.name for appset in argo.appsets)
        yield at_file(
            folder(context, relative),
            f"stream folder {relative} gets no Argo CD Application: {reason}. "
            f"To leave it out on purpose, exclude it in ApplicationSet {names} (files: - path: "
            f"{relative}/{CARD_NAME}, exclude: true)",
            stream.name,
        )
