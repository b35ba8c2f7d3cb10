"""What the offline Argo CD expansion yields: argocd/ rendered, the Applications Argo CD would
create from it, and the issues it would fail on."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from okd_streams.files.loader import Document
from okd_streams.model.context import RepoContext
from okd_streams.model.objects import Obj, get
from okd_streams.model.repo import STREAMS_DIR

ARGOCD_DIR = "argocd"
ARGO_GROUP = "argoproj.io"
APP_VERSION = "argoproj.io/v1alpha1"
FINALIZER = "resources-finalizer.argocd.argoproj.io"
GENERATE_PATHS = "argocd.argoproj.io/manifest-generate-paths"


@dataclass
class Issue:
    """Something Argo CD would fail on (or okd-streams cannot emulate) while expanding."""

    message: str
    obj: Obj | None = None  # an object of argocd/ (positions via obj.at(path))
    path: tuple = ()
    file: str | None = None  # or a file (display path) and a line
    line: int = 1
    column: int = 1
    stream: str | None = None
    level: str | None = None  # None: the rule's level


@dataclass
class App:
    """An Application as Argo CD would create it, and where it came from."""

    data: dict
    appset: Obj | None = None  # the ApplicationSet that generates it (None: a static Application)
    static: Obj | None = None  # the Application object of argocd/ (static Applications)
    generator_file: str | None = None  # repo-relative path of the generator's file (a stream card)
    card: Document | None = None  # the document the params came from
    stream: str | None = None  # streams/<stream> is the source path

    @property
    def name(self) -> str:
        value = get(self.data, "metadata", "name")
        return value if isinstance(value, str) else ""

    @property
    def project(self) -> str:
        value = get(self.data, "spec", "project")
        return value if isinstance(value, str) else ""

    @property
    def source(self) -> dict:
        value = get(self.data, "spec", "source")
        return value if isinstance(value, dict) else {}

    @property
    def path(self) -> str:
        value = self.source.get("path")
        return value if isinstance(value, str) else ""

    @property
    def destination(self) -> dict:
        value = get(self.data, "spec", "destination")
        return value if isinstance(value, dict) else {}

    @property
    def automated(self) -> dict | None:
        value = get(self.data, "spec", "syncPolicy", "automated")
        if not isinstance(value, dict) or value.get("enabled") is False:
            return None
        return value

    def at(self, path: tuple) -> tuple[str, int, int]:
        """Where a field of this Application is written: the template in argocd/, or the static object."""
        origin = self.static or self.appset
        if origin is None:
            return "", 1, 1
        if self.appset is not None and self.static is None:
            return origin.at(("spec", "template") + tuple(path))
        return origin.at(path)


@dataclass
class Argo:
    """argocd/ rendered, its ApplicationSets expanded."""

    directory: Path
    shown: str  # display path of argocd/
    kustomization: str | None = None
    build_error: str | None = None
    objects: list[Obj] = field(default_factory=list)
    appsets: list[Obj] = field(default_factory=list)
    projects: dict[str, Obj] = field(default_factory=dict)
    apps: list[App] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)  # repo path of an excluded file -> pattern
    failed_streams: set[str] = field(default_factory=set)  # streams whose params failed to render


def stream_of_path(path: str, context: RepoContext) -> str | None:
    """The stream whose folder is `path` (repo-relative), if any."""
    parts = posixpath.normpath(path).split("/") if path else []
    if len(parts) == 2 and parts[0] == STREAMS_DIR and context.stream(parts[1]) is not None:
        return parts[1]
    return None


_ORDER = {
    "metadata": ("name", "namespace", "labels", "annotations", "finalizers"),
    "spec": ("project", "source", "sources", "destination", "syncPolicy", "ignoreDifferences"),
}


def canonical(app: dict) -> dict:
    """The Application with its keys in the order `kubectl get -o yaml` readers expect (content unchanged)."""
    result = {key: app[key] for key in ("apiVersion", "kind", "metadata", "spec") if key in app}
    result.update({key: value for key, value in app.items() if key not in result})
    for section, order in _ORDER.items():
        value = result.get(section)
        if isinstance(value, dict):
            ordered = {key: value[key] for key in order if key in value}
            ordered.update({key: item for key, item in value.items() if key not in ordered})
            result[section] = ordered
    return result
