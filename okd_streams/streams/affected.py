"""Which streams a change touches, from the kustomize dependency graph.

A stream is affected by a changed path when its build reads that path (the closure
`okd_streams.render.kustomization.closure` follows: resources, components, patches,
configurations, openapi, generator files and folders, the stream card) or when the path
is inside the stream's own folder (`streams/<name>/`, README included: the folder is the
unit a pull request adds, Argo CD syncs and the docs catalog reads). So a base change
affects every stream that includes the base, a component change every stream using the
component, a stream folder only itself, and a change outside every closure none.

Only the closures of the new tree are needed, also for deletions and renames: a deleted
file still named by a kustomization is still in its closure; one no longer named was
dropped by an edit to a kustomization, and that edit is itself in the closure. A stream
whose folder is gone from the new tree is reported as removed.

Two kinds of changes affect no stream and are still worth a check: `argocd/` (the
Argo CD objects; `check` checks those files) and `.tekton/` (this repository's own CI
PipelineRuns; `check` runs the Tekton rules on them). Changes to what the checks
themselves are made of (the toolkit, its configuration, the yamllint settings,
pyproject.toml which pins kustomize) can change every stream's result, so `check --since`
then checks every stream.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from okd_streams.files.git import Change
from okd_streams.model.repo import CARD_NAME, STREAMS_DIR, discover_streams
from okd_streams.render import kustomization as kz

ARGOCD_DIR = "argocd"
TEKTON_DIR = ".tekton"
# Paths whose change can alter any stream's check result without changing what it renders.
CHECK_INPUTS = (
    ".okd-streams.yaml",
    ".okd-streams.yml",
    ".yamllint",
    ".yamllint.yaml",
    ".yamllint.yml",
    "pyproject.toml",
)
TOOLKIT_DIR = "okd_streams"
OVERLAYS_DIR = "overlays"


@dataclass
class StreamImpact:
    name: str
    status: str = "changed"  # changed | added | removed
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"name": self.name, "status": self.status, "reasons": list(self.reasons)}


@dataclass
class Affected:
    changes: list[Change] = field(default_factory=list)
    streams: dict[str, StreamImpact] = field(default_factory=dict)
    argocd: list[str] = field(default_factory=list)  # changed paths under argocd/
    tekton: list[str] = field(default_factory=list)  # changed paths under .tekton/
    check_inputs: list[str] = field(default_factory=list)  # changes to the checks themselves
    outside: list[str] = field(default_factory=list)  # changed paths no stream's build reads
    # Components no stream uses, by folder: `check` checks each through a probe (okd_streams.lint.probes)
    probes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Affected streams that exist in the new tree (changed or added)."""
        return sorted(n for n, s in self.streams.items() if s.status != "removed")

    @property
    def removed(self) -> list[str]:
        return sorted(n for n, s in self.streams.items() if s.status == "removed")

    def to_json(self) -> dict:
        return {
            "streams": [self.streams[n].to_json() for n in sorted(self.streams)],
            "argocd": self.argocd,
            "tekton": self.tekton,
            "check_inputs": self.check_inputs,
            "outside": self.outside,
            "probes": [{"component": k, "reasons": v} for k, v in sorted(self.probes.items())],
            "changes": [c.to_json() for c in self.changes],
        }


def _stream_of(parts: tuple[str, ...]) -> str | None:
    """`streams/<name>/...` -> name (a file directly in streams/ belongs to no stream)."""
    if len(parts) >= 3 and parts[0] == STREAMS_DIR and not parts[1].startswith("."):
        return parts[1]
    return None


def _absolute(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop: keep the path as named
        return Path(os.path.abspath(path))


def _via(path: Path, graph: kz.Closure, root: Path) -> str:
    """The innermost kustomization folder of the build that holds `path`."""
    for parent in path.parents:
        if parent in graph.directories:
            try:
                return str(PurePosixPath(*parent.relative_to(root).parts)) or "."
            except ValueError:
                return str(parent)
    return "read by the build"


def compute(root: Path, changes: list[Change]) -> Affected:
    """Map changed paths (relative to root) to the streams of the tree at `root`."""
    root = root.resolve()
    result = Affected(changes=list(changes))
    streams = {s.name: s for s in discover_streams(root)}
    closures = {name: kz.closure(s.directory) for name, s in streams.items() if s.kustomization is not None}
    used = {d for graph in closures.values() for d in graph.directories}

    def impact(name: str, reason: str, status: str = "changed") -> None:
        entry = result.streams.setdefault(name, StreamImpact(name, status))
        if status == "removed" or (status == "added" and entry.status == "changed"):
            entry.status = status
        if reason not in entry.reasons:
            entry.reasons.append(reason)

    for change in changes:
        described = change.describe()
        touched = False
        for relative in change.paths:
            parts = PurePosixPath(relative).parts
            if not parts:
                continue
            absolute = _absolute(root / relative)
            own = _stream_of(parts)
            if own is not None:
                touched = True
                if own not in streams:
                    impact(own, described, "removed")
                else:
                    what = "stream card" if parts[2:] == (CARD_NAME,) else "stream folder"
                    added = (
                        len(parts) == 3
                        and parts[2] in kz.NAMES
                        and relative == change.path
                        and (
                            change.status in ("A", "?", "C")
                            or (change.status == "R" and _stream_of(PurePosixPath(change.old_path or "").parts) != own)
                        )
                    )
                    impact(own, f"{described}, {what}", "added" if added else "changed")
            for name, graph in closures.items():
                if name == own:
                    continue
                if graph.reads(absolute):
                    touched = True
                    impact(name, f"{described}, via {_via(absolute, graph, root)}")
            if len(parts) >= 3 and parts[0] == OVERLAYS_DIR and not touched:
                folder = _absolute(root / parts[0] / parts[1])
                # A file of the component's build (not its README): the probe reads what the component does.
                if folder not in used and kz.is_component(folder) and kz.closure(folder).reads(absolute):
                    touched = True
                    reasons = result.probes.setdefault(f"{parts[0]}/{parts[1]}", [])
                    if described not in reasons:
                        reasons.append(described)
            if parts[0] == ARGOCD_DIR and relative not in result.argocd:
                result.argocd.append(relative)
                touched = True
            elif parts[0] == TEKTON_DIR and relative not in result.tekton:
                result.tekton.append(relative)
                touched = True
            if (relative in CHECK_INPUTS or parts[0] == TOOLKIT_DIR) and relative not in result.check_inputs:
                result.check_inputs.append(relative)
                touched = True
        if not touched:
            result.outside.append(change.path)
    result.streams = {name: result.streams[name] for name in sorted(result.streams)}
    return result


def listing(paths: list[str], limit: int = 4) -> str:
    """`a, b, c and 12 more`: long lists of paths kept to one readable line."""
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def text_report(affected: Affected, since: str) -> str:
    """The human summary `okd-streams affected` prints."""
    lines = []
    names, removed = affected.names, affected.removed
    if names:
        lines.append(f"{len(names)} stream{'s' if len(names) != 1 else ''} affected by the changes since {since}:")
        for name in names:
            impact = affected.streams[name]
            label = f"{name} (new)" if impact.status == "added" else name
            lines.append(f"  {label}")
            lines.extend(f"      {reason}" for reason in impact.reasons[:8])
            if len(impact.reasons) > 8:
                lines.append(f"      ... and {len(impact.reasons) - 8} more")
    else:
        lines.append(f"no stream is affected by the changes since {since}")
    for folder, reasons in sorted(affected.probes.items()):
        lines.append(f"  {folder} (a component no stream uses: checked through a probe)")
        lines.extend(f"      {reason}" for reason in reasons[:8])
    for name in removed:
        lines.append(f"removed: {name} (its folder is gone; Argo CD prunes its Application)")
    if affected.argocd:
        lines.append(
            f"argocd/ changed ({listing(affected.argocd)}): no stream is affected, "
            "but `okd-streams check` still checks the Argo CD files"
        )
    if affected.tekton:
        lines.append(
            f".tekton/ changed ({listing(affected.tekton)}): this repository's CI PipelineRuns; "
            "`okd-streams check` runs the Tekton rules on them"
        )
    if affected.check_inputs:
        lines.append(
            f"the checks themselves changed ({listing(affected.check_inputs)}): "
            "`okd-streams check --since` checks every stream"
        )
    if affected.outside:
        lines.append(f"read by no stream's build: {listing(affected.outside)}")
    if not affected.changes:
        lines.append("(no changed files)")
    return "\n".join(lines) + "\n"


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def changes_from_files(root: Path, files: list[Path]) -> list[Change]:
    """Changed paths named on the command line (pre-commit passes the staged files), as Changes."""
    root = root.resolve()
    found = []
    for path in files:
        absolute = Path(path).absolute()
        exists = _is_file(absolute) or absolute.is_dir()
        try:
            relative = (_absolute(absolute) if exists else absolute).relative_to(root)
        except ValueError:
            continue  # outside the okd-streams root: no stream reads it
        if relative.parts:
            found.append(Change(str(PurePosixPath(*relative.parts)), "M" if exists else "D"))
    return found


@dataclass
class CheckScope:
    """What `check --since/--staged/--files` checks: the streams (None: all) and changed files."""

    names: list[str] | None
    files: list[Path]
    notes: list[str]


def check_scope(root: Path, affected: Affected, label: str) -> CheckScope:
    root = root.resolve()
    files = sorted({_absolute(root / p) for c in affected.changes for p in c.paths if _is_file(root / p)})
    notes = []
    if affected.check_inputs:
        notes.append(
            f"the checks themselves changed since {label} ({listing(affected.check_inputs)}): checking every stream"
        )
        return CheckScope(None, files, notes)
    names = affected.names
    if names:
        notes.append(
            f"checking {len(names)} stream{'s' if len(names) != 1 else ''} affected by the changes since "
            f"{label}: {', '.join(names)}"
        )
    else:
        notes.append(f"no stream is affected by the changes since {label}; checking the changed files only")
    if affected.probes:
        notes.append(f"checking through a probe the components no stream uses: {', '.join(sorted(affected.probes))}")
    if affected.removed:
        notes.append(f"removed: {', '.join(affected.removed)}")
    if affected.argocd:
        notes.append(
            f"argocd/ changed: no stream is affected; its changed files are checked ({listing(affected.argocd)})"
        )
    return CheckScope(names, files, notes)
