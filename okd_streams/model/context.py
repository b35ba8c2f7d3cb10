"""What repo-scope rules see: the whole repository at once.

Unit rules see one rendered stream; file rules see one file. Some questions need every
stream together, or a part of the repository that is not a stream: does the ApplicationSet
in argocd/ yield one Application per stream folder, does any object belong to two
streams? A rule with `SCOPE = "repo"` defines `check_repo(context: RepoContext)` and
yields `RepoFinding`s (a Finding that also names the stream it concerns, so `check`
counts it in that stream's summary). `checking.check_repository` builds the context once,
after rendering every stream, and passes the rendered units in: nothing is rendered twice.
Derived analyses shared by several rules (the offline ApplicationSet expansion) are
memoized in `context.cache`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.model.objects import Finding, Unit
from okd_streams.model.repo import SourceTree, Stream
from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import RenderResult, build, find_kustomize


@dataclass
class RepoFinding(Finding):
    """A finding of a repo-scope rule; `stream` names the stream it concerns (or None)."""

    stream: str | None = None


@dataclass
class RepoContext:
    root: Path
    tree: SourceTree
    streams: list[Stream]  # every stream folder of the repository
    units: list[Unit]  # rendered units of the streams being checked (all, unless `check STREAM...`)
    cache: dict[str, Any] = field(default_factory=dict)
    # Closures the run computed already (rendering keys its cache on them), and the Walker that
    # computes more: kustomizations are read once per run, not once per rule.
    closures: dict[Path, kz.Closure] = field(default_factory=dict)
    walker: kz.Walker | None = None
    renderer: Any = None  # okd_streams.render.cache.CachedRenderer of the run, if any

    def stream(self, name: str) -> Stream | None:
        by_name = self.cache.get("streams by name")
        if by_name is None:
            by_name = self.cache["streams by name"] = {}
            for s in self.streams:
                by_name.setdefault(s.name, s)
        return by_name.get(name)

    def unit(self, stream: str) -> Unit | None:
        by_stream = self.cache.get("units by stream")
        if by_stream is None:
            by_stream = self.cache["units by stream"] = {}
            for u in self.units:
                by_stream.setdefault(u.stream, u)
        return by_stream.get(stream)

    def build(self, directory: Path) -> RenderResult:
        """`kustomize build` of a folder (with origins), from the run's render cache when the
        run has one and nothing the build reads changed."""
        directory = Path(directory).resolve()
        if self.renderer is not None:
            return self.renderer([directory])[directory]
        return build(directory, find_kustomize())

    def closure(self, directory: Path) -> kz.Closure:
        """`kustomization.closure(directory)`, computed once per run."""
        key = Path(directory).resolve()
        found = self.closures.get(key)
        if found is None:
            if self.walker is None:
                self.walker = kz.Walker()
            found = self.closures[key] = self.walker.closure(key)
        return found

    def display(self, path: Path | str) -> str:
        return self.tree.display(path)
