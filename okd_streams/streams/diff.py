"""`okd-streams diff`: render each affected stream at two revisions and compare the results.

The base revision (and the head revision, when one is given) is checked out in a
temporary detached git worktree, removed afterwards; the working-tree side renders the
user's tree in place, read-only. Rendering is the real kustomize, as Argo CD runs it.
Each stream gets a Tekton-aware summary (okd_streams.tekton.diff) and the unified diff
of its rendered YAML.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from okd_streams.errors import UsageError
from okd_streams.files.git import WORKING_TREE, Git
from okd_streams.files.loader import YamlError, dump_plain
from okd_streams.lint.output import Progress
from okd_streams.model.repo import STREAMS_DIR
from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import build, find_kustomize
from okd_streams.render.runner import build_all
from okd_streams.streams.affected import Affected, compute
from okd_streams.tekton.diff import ObjectDiff, diff_objects, index_objects

FORMATS = ("text", "markdown", "json")
MARKDOWN_BUDGET = 60_000  # GitHub refuses comments over 65,536 characters
MARKDOWN_DIFF_LINES = 400  # per stream, in markdown; text and json always hold everything


@dataclass
class Side:
    label: str  # what the user typed ("main", "working tree")
    commit: str | None  # full hash, None for the working tree

    @property
    def short(self) -> str:
        return f"{self.label} ({self.commit[:10]})" if self.commit and self.commit != self.label else self.label

    def to_json(self) -> dict:
        return {"revision": self.label, "commit": self.commit}


@dataclass
class StreamDiff:
    name: str
    status: str  # changed | unchanged | added | removed | error
    reasons: list[str] = field(default_factory=list)
    objects: list[ObjectDiff] = field(default_factory=list)
    unified: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # "base" / "head" -> kustomize's message

    @property
    def differs(self) -> bool:
        return self.status != "unchanged"

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "reasons": self.reasons,
            "objects": [o.to_json() for o in self.objects],
            "errors": self.errors,
            "diff": self.unified,
        }


@dataclass
class DiffReport:
    base: Side
    head: Side
    streams: list[StreamDiff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(s.differs for s in self.streams)

    def to_json(self) -> dict:
        return {
            "base": self.base.to_json(),
            "head": self.head.to_json(),
            "changed": self.changed,
            "streams": [s.to_json() for s in self.streams],
            "notes": self.notes,
        }


def _identity(data: dict) -> tuple[str, str, str]:
    metadata = meta if isinstance(meta := data.get("metadata"), dict) else {}
    return (str(data.get("kind") or ""), str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))


def as_yaml(objects: list[dict]) -> str:
    """The objects as one multi-document YAML text, sorted by kind, namespace and name."""
    out = []
    for data in sorted(objects, key=_identity):
        try:
            text = dump_plain(data)
        except YamlError:  # pragma: no cover - kustomize output is plain data
            text = json.dumps(data, default=str) + "\n"
        out.append("---\n" + text)
    return "".join(out)


def unified(name: str, old: list[dict], new: list[dict], base: Side, head: Side, context: int = 3) -> str:
    """The unified diff of the rendered YAML, one file header per object (kind/name), so every
    hunk says which object it is in."""
    before, after = index_objects(old), index_objects(new)
    out: list[str] = []
    for key in sorted(set(before) | set(after)):
        first = as_yaml([before[key]]) if key in before else ""
        second = as_yaml([after[key]]) if key in after else ""
        if first == second:
            continue
        kind, _namespace, object_name = key
        where = "/".join(part for part in (name, kind, object_name) if part)
        out.extend(
            difflib.unified_diff(
                first.splitlines(keepends=True),
                second.splitlines(keepends=True),
                fromfile=f"a/{where} ({base.label})" if key in before else "/dev/null",
                tofile=f"b/{where} ({head.label})" if key in after else "/dev/null",
                n=context,
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def _render_all(directories: list[Path]) -> dict[Path, tuple[list[dict] | None, str | None]]:
    """directory -> (objects, error); (None, None) when there is no stream there."""
    present = [d for d in directories if kz.kustomization_file(d) is not None]
    found: dict[Path, tuple[list[dict] | None, str | None]] = {d.resolve(): (None, None) for d in directories}
    if present:
        kustomize = find_kustomize()
        bar = Progress(len(present), "rendered")
        results = build_all(
            [d.resolve() for d in present],
            lambda d: build(d, kustomize, origins=False),
            on_done=lambda r: bar.step(r.directory.name),
        )
        bar.close()
        for directory, result in results.items():
            found[directory] = ([o.data for o in result.objects], None) if result.ok else (None, result.error)
    return found


def compare(
    root: Path,
    base: str,
    head: str | None = None,
    names: list[str] | None = None,
    merge_base: bool = False,
    context: int = 3,
) -> DiffReport:
    """Diff every stream the changes from `base` to `head` (default: the working tree) affect."""
    git = Git(root)
    base_commit = git.merge_base(base, head or "HEAD") if merge_base else git.resolve(base)
    head_commit = git.resolve(head) if head else None
    report = DiffReport(Side(base, base_commit), Side(head or WORKING_TREE, head_commit))
    changes = git.changes(base_commit, head_commit)
    with ExitStack() as stack:
        base_root = stack.enter_context(git.worktree(base_commit))
        head_root = stack.enter_context(git.worktree(head_commit)) if head_commit else git.root
        affected = compute(head_root, changes)
        selected = list(affected.streams)
        if names:
            known = (
                set(selected)
                | {p.name for p in (head_root / STREAMS_DIR).glob("*") if p.is_dir()}
                | {p.name for p in (base_root / STREAMS_DIR).glob("*") if p.is_dir()}
            )
            unknown = [n for n in names if n not in known]
            if unknown:
                raise UsageError(f"no such stream: {', '.join(unknown)}")
            selected = list(names)
        pairs = {
            name: ((base_root / STREAMS_DIR / name).resolve(), (head_root / STREAMS_DIR / name).resolve())
            for name in selected
        }
        rendered = _render_all([d for pair in pairs.values() for d in pair])
        for name in sorted(selected):
            report.streams.append(_stream(name, affected, rendered, pairs[name], report.base, report.head, context))
    report.notes = _notes(affected)
    return report


def _stream(
    name: str, affected: Affected, rendered: dict, pair: tuple[Path, Path], base: Side, head: Side, context: int
) -> StreamDiff:
    impact = affected.streams.get(name)
    diff = StreamDiff(name, "unchanged", list(impact.reasons) if impact else [])
    (old, old_error), (new, new_error) = rendered[pair[0]], rendered[pair[1]]
    if old_error:
        diff.errors["base"] = old_error
    if new_error:
        diff.errors["head"] = new_error
    if old_error or new_error:
        diff.status = "error"
        if old_error == new_error:
            diff.status = "unchanged"
        return diff
    if old is None and new is None:
        return diff
    diff.objects = diff_objects(old or [], new or [])
    diff.unified = unified(name, old or [], new or [], base, head, context)
    if old is None:
        diff.status = "added"
    elif new is None:
        diff.status = "removed"
    elif diff.objects:
        diff.status = "changed"
    return diff


def _notes(affected: Affected) -> list[str]:
    notes = []
    if affected.argocd:
        notes.append(f"argocd/ changed ({', '.join(affected.argocd)}): not a stream, not rendered here")
    if affected.tekton:
        notes.append(f".tekton/ changed ({', '.join(affected.tekton)}): this repository's own CI")
    if not affected.streams:
        notes.append("no stream is affected by these changes")
    return notes


# -- output ----------------------------------------------------------------------------------


def _headline(report: DiffReport) -> str:
    differing = [s for s in report.streams if s.differs]
    if not report.streams:
        return f"no stream differs between {report.base.short} and {report.head.short}"
    return (
        f"{len(differing)} of {len(report.streams)} affected stream{'s' if len(report.streams) != 1 else ''} "
        f"differ{'s' if len(differing) == 1 else ''} between {report.base.short} and {report.head.short}"
    )


def _status_text(stream: StreamDiff) -> str:
    if stream.status == "error":
        return "fails to render"
    if stream.status == "unchanged":
        return "fails to render at both revisions, with the same error" if stream.errors else "renders the same"
    counts: dict[str, int] = {}
    for obj in stream.objects:
        counts[obj.status] = counts.get(obj.status, 0) + 1
    detail = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    word = {"added": "new stream", "removed": "stream removed"}.get(stream.status, "changed")
    return f"{word}: {detail} object{'s' if sum(counts.values()) != 1 else ''}" if detail else word


def text(report: DiffReport, summary_only: bool = False) -> str:
    out = [_headline(report)]
    for note in report.notes:
        out.append(f"note: {note}")
    for stream in report.streams:
        out.append("")
        out.append(f"=== {stream.name}: {_status_text(stream)} ===")
        for reason in stream.reasons[:10]:
            out.append(f"  because: {reason}")
        for side, message in stream.errors.items():
            where = report.base.short if side == "base" else report.head.short
            out.append(f"  kustomize fails at {where}: {message}")
        for obj in stream.objects:
            out.append(f"{obj.label} ({obj.status})")
            out.extend(f"  {line.category}: {line.message}" for line in obj.lines)
        if stream.unified and not summary_only:
            out.append("")
            out.append(stream.unified.rstrip("\n"))
    return "\n".join(out) + "\n"


def _code(value: str) -> str:
    """Inline code that survives any backticks inside."""
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or longest else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _fence(body: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=0)
    return "`" * max(3, longest + 1)


def markdown(report: DiffReport, summary_only: bool = False) -> str:
    """A PR comment: a headline, then one collapsible section per stream."""
    out = [f"### okd-streams diff: {html.escape(_headline(report), quote=False)}", ""]
    for note in report.notes:
        out.append(f"> {html.escape(note, quote=False)}")
    if report.notes:
        out.append("")
    budget = MARKDOWN_BUDGET
    for stream in report.streams:
        section = [
            f"<details{' open' if len(report.streams) == 1 and stream.differs else ''}>",
            f"<summary><strong>{html.escape(stream.name)}</strong>: {html.escape(_status_text(stream))}</summary>",
            "",
        ]
        for side, message in stream.errors.items():
            where = report.base.short if side == "base" else report.head.short
            section.append(f"- kustomize fails at {_code(where)}: {_code(message)}")
        for obj in stream.objects:
            section.append(f"- **{html.escape(obj.label)}** ({obj.status})")
            section.extend(f"  - {line.category}: {_code(line.message)}" for line in obj.lines)
        if stream.reasons:
            shown = ", ".join(_code(r) for r in stream.reasons[:5])
            more = f" and {len(stream.reasons) - 5} more" if len(stream.reasons) > 5 else ""
            section += ["", f"<sub>affected by {shown}{more}</sub>"]
        if stream.unified and not summary_only:
            lines = stream.unified.splitlines()
            body = "\n".join(lines[:MARKDOWN_DIFF_LINES])
            fence = _fence(body)
            section += ["", f"{fence}diff", body, fence]
            if len(lines) > MARKDOWN_DIFF_LINES:
                section.append(
                    f"_{len(lines) - MARKDOWN_DIFF_LINES} more diff lines: run "
                    f"`okd-streams diff --base {report.base.label} {stream.name}` locally_"
                )
        section += ["", "</details>", ""]
        chunk = "\n".join(section)
        if len(chunk) > budget:
            out.append(
                f"- **{html.escape(stream.name)}**: {html.escape(_status_text(stream))} "
                "(details left out: the comment is at GitHub's size limit)"
            )
            continue
        budget -= len(chunk)
        out.append(chunk)
    return "\n".join(out).rstrip("\n") + "\n"


def as_json(report: DiffReport) -> str:
    return json.dumps(report.to_json(), indent=2, default=str) + "\n"
