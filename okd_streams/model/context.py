"""What repo-scope rules see: the whole repository at once.

Unit rules see one rendered stream; file rules see one file. Some questions need every
stream together, or a part of the repository that is not a stream: does the ApplicationSet
in argocd/ yield one Application per stream folder, does any object belong to two
streams? A rule with `SCOPE = "repo"` defines `check_repo(context: RepoContext)` and
yields `RepoFinding`s (a Finding that also names the stream it concerns, so `check`
counts it in that stream's summary). `checking.check_repository` builds the context once,
after rendering every stream, and passes the rendered units and the run's renderer in:
nothing is rendered twice. The context is not changed once built; derived analyses shared by
several rules (the offline ApplicationSet expansion) are memoized for the run in `context.cache`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okd_streams.errors import KustomizeMissing
from okd_streams.model.objects import Finding, Unit
from okd_streams.model.repo import SourceTree, Stream, unit_from_render
from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import RenderResult, build, find_kustomize

if TYPE_CHECKING:
    from okd_streams.render.runner import CachedRenderer


@dataclass
class RepoFinding(Finding):
    """A finding of a repo-scope rule; `stream` names the stream it concerns (or None)."""

    stream: str | None = None


@dataclass(frozen=True)
class RepoContext:
    root: Path
    tree: SourceTree
    streams: list[Stream]  # every stream folder of the repository
    units: list[Unit]  # rendered units of the streams being checked (all, unless `check STREAM...`)
    # The run's renderer, if any: builds come from its cache, and the closures it computed for
    # its keys (with the Walker that made them) are reused: kustomizations are read once per run.
    renderer: CachedRenderer | None = None
    cache: dict[str, Any] = field(default_factory=dict, compare=False)  # the run's derived analyses

    @cached_property
    def _walker(self) -> kz.Walker:
        return self.renderer.walker if self.renderer is not None else kz.Walker()

    @cached_property
    def _closures(self) -> dict[Path, kz.Closure]:
        return dict(self.renderer.closures) if self.renderer is not None else {}

    @cached_property
    def _streams_by_name(self) -> dict[str, Stream]:
        by_name: dict[str, Stream] = {}
        for s in self.streams:
            by_name.setdefault(s.name, s)
        return by_name

    @cached_property
    def _units_by_stream(self) -> dict[str | None, Unit]:
        by_stream: dict[str | None, Unit] = {}
        for u in self.units:
            by_stream.setdefault(u.stream, u)
        return by_stream

    def stream(self, name: str) -> Stream | None:
        return self._streams_by_name.get(name)

    def unit(self, stream: str) -> Unit | None:
        return self._units_by_stream.get(stream)

    def rendered_unit(self, stream: Stream) -> Unit | None:
        """The stream's rendered unit: the run's when it checks the stream, else rendered now
        (from the render cache when it can) for a rule that compares every stream (`check
        STREAM` checks one, against all). None when it does not render."""
        found = self.unit(stream.name)
        if found is not None or stream.kustomization is None:
            return found
        units = self.cache.setdefault("rendered-units", {})
        if stream.name not in units:
            try:
                result = self.build(stream.directory)
            except KustomizeMissing:  # the run reports that already
                result = None
            units[stream.name] = (
                unit_from_render(result, self.tree, stream.name, stream=stream.name, card=stream.card(self.tree))
                if result is not None and result.ok
                else None
            )
        return units[stream.name]

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
        found = self._closures.get(key)
        if found is None:
            found = self._closures[key] = self._walker.closure(key)
        return found

    def display(self, path: Path | str) -> str:
        return self.tree.display(path)
