"""An Argo CD Application whose manifest-generate-paths misses files its build reads.

What it does:
  Resolves each Application's `argocd.argoproj.io/manifest-generate-paths` annotation
  (`;`-separated, relative to the source path, or from the repository root with a
  leading `/`, globs as Go's path.Match) and checks that it covers every file the
  Application's kustomize build reads: the stream folder, the bases and the components
  it includes, patches and configurations. No annotation at all is a warning.

Why:
  With the annotation, Argo CD's webhook refreshes an Application only when a commit
  touches the listed paths, so a commit to one stream does not refresh the others.
  Listing too little is worse than listing nothing: a change to a base the annotation
  forgets never reaches the cluster until some other commit or a hard refresh.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from okd_streams.model.context import RepoContext, RepoFinding
from okd_streams.render import kustomization as kz
from okd_streams.rules.argocd._shared import argocd, at_app, expansion

ID = "manifest-generate-paths"
CODE = "A008"
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
    root = context.root.resolve()
    for app in argo.apps:
        directory = Path(context.root, app.path) if app.path else None
        if directory is None or kz.kustomization_file(directory) is None:
            continue  # A002
        label = f'Application "{app.name}"' + (f" (stream {app.stream})" if app.stream else "")
        paths = argocd.generate_paths(app)
        if paths is None:
            yield at_app(
                app,
                ("metadata",),
                f"{label} has no {argocd.GENERATE_PATHS} annotation: every commit to "
                "the repository refreshes it and regenerates its manifests; list the folders its build "
                "reads (for a stream: .;/base;/overlays)",
                level="warning",
            )
            continue
        graph = context.closure(directory) if hasattr(context, "closure") else kz.closure(directory)
        relative = context.cache.setdefault("manifest-generate-paths: relative", {})
        inputs = sorted(p for path in graph.files if (p := _relative_once(relative, path, root)) is not None)
        missing = [path for path in inputs if not argocd.path_covered(path, paths)]
        if missing:
            shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            declared = ";".join(paths)
            yield at_app(
                app,
                ("metadata", "annotations", argocd.GENERATE_PATHS),
                f"{label} builds from {shown}, "
                f"which its {argocd.GENERATE_PATHS} ({declared}, from the repository root) does not "
                "cover: a commit changing only those files does not refresh it, and Argo CD keeps "
                "deploying the old manifests. Add their folder to the annotation",
            )


def _relative_once(memo: dict, path: Path, root: Path) -> str | None:
    """`_relative`, once per file per run (streams share their bases' files)."""
    if path not in memo:
        memo[path] = _relative(path, root)
    return memo[path]


def _relative(path: Path, root: Path) -> str | None:
    try:
        return Path(os.path.abspath(path)).resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return None  # outside the repository (a remote base): not a commit to this repository
