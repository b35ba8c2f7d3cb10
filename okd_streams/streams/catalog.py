"""The stream catalog, docs/reference/streams.md: every stream, its drift from the base, its pipeline graphs.

Four parts, all generated (never edited by hand), deterministic (sorted, no timestamps,
no absolute paths) so that `okd-streams docs --check` can tell when the file is stale:

1. One row per stream: description, owners, OS, version, components, schedules, sync
   policy and namespace (`okd_streams.streams.info`, read from the card and kustomization).
   Then one section per component of overlays/ (`okd_streams.streams.components`): its
   README's first paragraph, the objects it brings, the params and tasks its patches add
   or change, and the streams that use it.
2. A drift matrix, one params table and one tasks table per Pipeline. "The base" is the
   un-overlaid base Pipeline (`kustomize build base/`, which builds standalone). A param's
   cell holds the stream's effective value (its card's value when the card sets it, else
   the rendered default after components) when that differs from the base default, `·`
   when it is the same. A task's cell says what differs: added, removed, what it waits for
   (`runAfter` and result references), what it runs, other changed fields, and which
   component's patch touched it.
3. Per stream, each Pipeline's DAG as a Mermaid flowchart (`okd_streams.tekton.diagram`), tasks
   that differ from the base drawn with a thick border.

Every stream is rendered once, through `checking.stream_units`; the base through
`kustomize.build`. A stream or base that does not build still gets its row, with `?`
cells and kustomize's message.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.lint.checking import stream_units
from okd_streams.model.objects import Unit, get, items
from okd_streams.model.repo import SourceTree, Stream, discover_streams
from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import build
from okd_streams.streams.components import ComponentInfo, kustomization_data, patched, read_components
from okd_streams.streams.info import StreamInfo, component_name, read_stream
from okd_streams.tekton import diagram
from okd_streams.tekton import params as tparams
from okd_streams.tekton.graph import PipelineGraph, deps, pipeline_graph, runs, when_conditions
from okd_streams.tekton.pipeline import task_name
from okd_streams.tekton.substitution import go_value

SAME = "·"
UNKNOWN = "?"
DOC_PATH = "docs/reference/streams.md"
STREAM_OWN_PATCH = "own patch"


# --- what is collected ------------------------------------------------------------------------


@dataclass
class StreamView:
    stream: Stream
    info: StreamInfo
    components: list[tuple[str, str]] = field(default_factory=list)  # (name, repo-relative folder)
    pipelines: dict[str, dict] = field(default_factory=dict)  # rendered Pipeline name -> spec
    error: str | None = None  # kustomize's message when the stream does not build
    touches: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    # (pipeline, "param" | "task", name) -> the components whose patches set it

    @property
    def name(self) -> str:
        return self.stream.name


@dataclass
class Catalog:
    base: dict[str, dict]  # base Pipeline name -> spec
    base_error: str | None
    streams: list[StreamView]
    components: list[ComponentInfo] = field(default_factory=list)

    def pipeline_names(self) -> list[str]:
        names = set(self.base)
        for view in self.streams:
            names.update(view.pipelines)
        return sorted(names)


def clean_message(message: str, root: Path) -> str:
    """kustomize's message without absolute paths (the catalog must not depend on where it is built)."""
    text = message.replace(str(root.resolve()) + os.sep, "").replace(str(root) + os.sep, "")
    text = re.sub(r"/tmp/okd-streams-[^/\s'\"]*/?", "", text)
    return " ".join(text.split())


def _pipelines(objects: list[dict]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for data in objects:
        if not isinstance(data, dict) or data.get("kind") != "Pipeline":
            continue
        api_version = data.get("apiVersion")
        name = get(data, "metadata", "name")
        if isinstance(api_version, str) and api_version.startswith("tekton.dev/") and isinstance(name, str):
            spec = data.get("spec")
            found.setdefault(name, spec if isinstance(spec, dict) else {})
    return found


def unit_pipelines(unit: Unit) -> dict[str, dict]:
    return _pipelines([obj.data for obj in unit.objects])


def collect(
    root: Path, progress: bool | None = None, only: set[str] | None = None, only_components: set[str] | None = None
) -> Catalog:
    """Render the base and every stream (once each, or those in `only`) and gather what the catalog
    shows, with every component of overlays/ (or those in `only_components`)."""
    root = root.resolve()
    tree = SourceTree(root)
    streams = [s for s in discover_streams(root) if only is None or s.name in only]
    base_result = build(root / "base")
    base = _pipelines([o.data for o in base_result.objects]) if base_result.ok else {}
    base_error = None if base_result.ok else clean_message(base_result.error or "kustomize failed", root)
    units = {unit.stream: unit for unit in stream_units(streams, tree, progress=progress)}
    views = []
    for stream in streams:
        unit = units.get(stream.name)
        view = StreamView(stream, read_stream(stream, root))
        if unit is None or unit.build_error is not None:
            view.error = clean_message(
                unit.build_error if unit and unit.build_error is not None else "not rendered", root
            )
        else:
            view.pipelines = unit_pipelines(unit)
        view.components, view.touches = _components(stream, root, tree)
        views.append(view)
    return Catalog(base, base_error, views, read_components(root, tree, only_components))


# --- which component touched what -------------------------------------------------------------


def _components(
    stream: Stream, root: Path, tree: SourceTree
) -> tuple[list[tuple[str, str]], dict[tuple[str, str, str], list[str]]]:
    """The components a stream lists (but base/stream-card, in every stream), and what each one's
    Pipeline patches set; patches of the stream's own kustomization count as its "own patch"."""
    data = kustomization_data(stream.directory, tree)
    shown: list[tuple[str, str]] = []
    touches: dict[tuple[str, str, str], list[str]] = {}
    sources: list[tuple[str, Path]] = [(STREAM_OWN_PATCH, stream.directory)]
    components = data.get("components")
    for reference in components if isinstance(components, list) else []:
        if not isinstance(reference, str) or kz.is_remote(reference):
            continue
        directory = (stream.directory / reference).resolve()
        name = component_name(reference)
        try:
            relative = directory.relative_to(root).as_posix()
        except ValueError:
            relative = os.path.relpath(directory, root).replace(os.sep, "/")
        if not relative.startswith("base/"):
            shown.append((name, relative))
        sources.append((name, directory))
    for name, directory in sources:
        for key in patched(kustomization_data(directory, tree), directory, tree):
            owners = touches.setdefault(key, [])
            if name not in owners:
                owners.append(name)
    return shown, touches


# --- Markdown helpers -------------------------------------------------------------------------


def text_cell(value: Any) -> str:
    """Plain text in a table cell: one line, pipes escaped, no raw HTML, no `$` math."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = " ".join(text.split())
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("$", "\\$")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def code(value: Any) -> str:
    """A value as a code span in a table cell."""
    kind, normal = go_value(value)
    if kind == "string":
        text = '""' if normal == "" else normal
    else:
        text = json.dumps(normal, ensure_ascii=False)
    text = text.replace("\r", "").replace("\n", "\\n").replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" or text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _same(left: Any, right: Any) -> bool:
    return go_value(left) == go_value(right)


def _anchor(name: str, used: set[str]) -> str:
    base = "stream-" + (re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "x")
    anchor, counter = base, 2
    while anchor in used:
        anchor, counter = f"{base}-{counter}", counter + 1
    used.add(anchor)
    return anchor


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell if cell else " " for cell in row) + " |" for row in rows]
    return lines


def _via(view: StreamView, pipeline: str, kind: str, name: str) -> str:
    owners = view.touches.get((pipeline, kind, name))
    return f" *via {', '.join(text_cell(o) for o in owners)}*" if owners else ""


# --- params matrix ----------------------------------------------------------------------------


def _param_names(catalog: Catalog, pipeline: str) -> list[str]:
    base = list(tparams.specs(get(catalog.base.get(pipeline), "params")))
    extra: set[str] = set()
    for view in catalog.streams:
        extra.update(tparams.specs(get(view.pipelines.get(pipeline), "params")))
        extra.update(name for name in view.info.params.get(pipeline, {}) if isinstance(name, str))
    return base + sorted(extra - set(base))


def base_param_cell(catalog: Catalog, pipeline: str, name: str) -> str:
    if catalog.base_error is not None:
        return UNKNOWN
    spec = tparams.specs(get(catalog.base.get(pipeline), "params")).get(name)
    if spec is None:
        return "—"
    return code(spec["default"]) if tparams.has_default(spec) else "*required*"


def param_cell(catalog: Catalog, view: StreamView, pipeline: str, name: str) -> str:
    """The stream's effective value when it differs from the base, else `·`."""
    if view.error is not None or catalog.base_error is not None:
        return UNKNOWN
    rendered = view.pipelines.get(pipeline)
    card = view.info.params.get(pipeline, {})
    base_spec = tparams.specs(get(catalog.base.get(pipeline), "params")).get(name)
    if rendered is None:
        return "—" if pipeline in catalog.base else SAME
    declared = tparams.specs(rendered.get("params")).get(name)
    if name in card:
        value = card[name]
        if declared is None:
            return f"{code(value)} *(not declared)*"
        if base_spec is not None and tparams.has_default(base_spec) and _same(base_spec["default"], value):
            return SAME
        return code(value)
    if declared is None:
        return "*removed*" if base_spec is not None else SAME
    if not tparams.has_default(declared):
        return "*not set*"
    default = declared["default"]
    if base_spec is not None and tparams.has_default(base_spec) and _same(base_spec["default"], default):
        return SAME
    return code(default) + (_via(view, pipeline, "param", name) or " *(default)*")


# --- tasks matrix -----------------------------------------------------------------------------


def _tasks(spec: Any) -> dict[str, tuple[str, dict]]:
    """name -> (section, task) over tasks then finally, the first of duplicates."""
    found: dict[str, tuple[str, dict]] = {}
    for section in ("tasks", "finally"):
        for _, task in items(spec if isinstance(spec, dict) else {}, section):
            if task_name(task):
                found.setdefault(task_name(task), (section, task))
    return found


def _task_names(catalog: Catalog, pipeline: str) -> list[str]:
    base = list(_tasks(catalog.base.get(pipeline)))
    extra: set[str] = set()
    for view in catalog.streams:
        extra.update(_tasks(view.pipelines.get(pipeline)))
    return base + sorted(extra - set(base))


def _describe_task(section: str, task: dict) -> str:
    if section == "finally":
        return "finally"
    waits = deps(task)
    return "after " + ", ".join(text_cell(d) for d in waits) if waits else "first"


def base_task_cell(catalog: Catalog, pipeline: str, name: str) -> str:
    if catalog.base_error is not None:
        return UNKNOWN
    found = _tasks(catalog.base.get(pipeline)).get(name)
    return _describe_task(*found) if found else "—"


_COMPARED_ELSEWHERE = {"name", "runAfter", "taskRef", "taskSpec", "pipelineRef", "pipelineSpec", "when"}


def task_changes(base: tuple[str, dict], mine: tuple[str, dict]) -> list[str]:
    """How a stream's pipeline task differs from the base one (empty: the same)."""
    (base_section, base_task), (section, task) = base, mine
    changes = []
    if section != base_section:
        changes.append(f"moved to {section}")
    before, after = set(deps(base_task)), set(deps(task))
    if before != after and section == "tasks":
        moved = [f"+{text_cell(d)}" for d in sorted(after - before)]
        moved += [f"−{text_cell(d)}" for d in sorted(before - after)]
        changes.append("after " + " ".join(moved))
    if runs(task) != runs(base_task) or any(
        task.get(k) != base_task.get(k) for k in ("taskRef", "taskSpec", "pipelineRef", "pipelineSpec")
    ):
        changes.append(f"runs {code(runs(task))}" if runs(task) != runs(base_task) else "task spec changed")
    if when_conditions(task) != when_conditions(base_task):
        changes.append("when changed" if when_conditions(task) else "no longer gated by when")
    keys = (set(task) | set(base_task)) - _COMPARED_ELSEWHERE
    changed = sorted(str(k) for k in keys if task.get(k) != base_task.get(k))
    if changed:
        changes.append(", ".join(text_cell(k) for k in changed) + " changed")
    return changes


def task_cell(catalog: Catalog, view: StreamView, pipeline: str, name: str) -> str:
    if view.error is not None or catalog.base_error is not None:
        return UNKNOWN
    rendered = view.pipelines.get(pipeline)
    if rendered is None:
        return "—" if pipeline in catalog.base else SAME
    mine = _tasks(rendered).get(name)
    base = _tasks(catalog.base.get(pipeline)).get(name)
    via = _via(view, pipeline, "task", name)
    if mine is None:
        return "*removed*" + via if base is not None else SAME
    if base is None:
        return f"*added*{via}: {_describe_task(*mine)}"
    changes = task_changes(base, mine)
    return "; ".join(changes) + via if changes else SAME


def changed_tasks(catalog: Catalog, view: StreamView, pipeline: str) -> set[str]:
    """Tasks of the stream's pipeline that differ from the base (thick border in its diagram)."""
    if view.error is not None or catalog.base_error is not None:
        return set()
    return {name for name in _tasks(view.pipelines.get(pipeline)) if task_cell(catalog, view, pipeline, name) != SAME}


# --- the document -----------------------------------------------------------------------------

INTRO = """\
# Stream catalog

<!-- Generated by `okd-streams docs` from streams/, overlays/ and base/. Do not edit: run `make docs`. -->

Every OKD stream in this repository: what it is, how it differs from the shared base, and the
pipelines it runs. Generated by `okd-streams docs` from the stream cards (`streams/*/stream.yaml`),
the streams as kustomize renders them and the base as `kustomize build base` renders it. Do not edit
it by hand: `make docs` regenerates it, and `make check` fails when it is stale.
"""

DRIFT_LEGEND = """\
How each stream differs from the shared base, one table of params and one of tasks per Pipeline.
`·` means the same as the base, `—` absent, `?` unknown (the stream or the base does not build).

- **Params.** The base column holds the base Pipeline's default (*required*: no default, every
  stream must set it). A stream's cell holds its effective value when that differs from the base:
  the value its stream card sets, or a default changed by a component (*via* names it). *not set*:
  a param without a default that the stream's card does not set; *(not declared)*: the card sets a
  param the Pipeline does not declare.
- **Tasks.** The base column says what each task waits for (its `runAfter` and the tasks whose
  results it reads) or that it runs in `finally`. A stream's cell says what differs: *added* or
  *removed*, `after +x −y` (dependencies gained and lost), what it runs, other changed fields;
  *via* names the component whose patch touched the task.
"""

GRAPH_LEGEND = """\
One Mermaid flowchart per Pipeline, as the stream renders it. An arrow is a dependency (`runAfter`,
or a result the later task reads; the label names the results). A hexagon is a task gated by
`when` expressions (listed in it); the dashed "finally" group runs once every other task is done.
A thick border marks a task that differs from the base. `okd-streams graph STREAM` prints the same
graph (`--format dot` or `svg` for Graphviz).
"""


def _streams_table(catalog: Catalog, anchors: dict[str, str]) -> list[str]:
    rows = []
    for view in catalog.streams:
        info = view.info
        components = ", ".join(f"[{text_cell(name)}](../../{folder}/)" for name, folder in view.components)
        schedules = "<br>".join(f"{text_cell(p)} {code(s)}" for p, s in sorted(info.schedules.items()) if s)
        name = f"[{text_cell(view.name)}](#{anchors[view.name]})"
        if view.error is not None:
            name += " ⚠"
        rows.append(
            [
                name,
                text_cell(info.description),
                text_cell(", ".join(info.owners)),
                text_cell(info.os),
                text_cell(info.version),
                components,
                schedules,
                text_cell(info.sync),
                text_cell(info.namespace),
            ]
        )
    header = ["Stream", "Description", "Owners", "OS", "Version", "Components", "Schedule", "Sync", "Namespace"]
    return _table(header, rows)


def _drift(catalog: Catalog) -> list[str]:
    lines = ["## Drift from the base", "", DRIFT_LEGEND.rstrip("\n"), ""]
    if catalog.base_error is not None:
        lines += [f"> `kustomize build base` failed: {text_cell(catalog.base_error)}", ""]
    columns = ["base"] + [text_cell(v.name) for v in catalog.streams]
    for pipeline in catalog.pipeline_names():
        lines += [f"### Pipeline {text_cell(pipeline)}", "", "Params:", ""]
        rows = [
            [code(name), base_param_cell(catalog, pipeline, name)]
            + [param_cell(catalog, view, pipeline, name) for view in catalog.streams]
            for name in _param_names(catalog, pipeline)
        ]
        lines += _table(["Param"] + columns, rows) + ["", "Tasks:", ""]
        rows = [
            [code(name), base_task_cell(catalog, pipeline, name)]
            + [task_cell(catalog, view, pipeline, name) for view in catalog.streams]
            for name in _task_names(catalog, pipeline)
        ]
        lines += _table(["Task"] + columns, rows) + [""]
    return lines


def graphs(view: StreamView) -> list[PipelineGraph]:
    return [pipeline_graph(name, view.pipelines[name]) for name in sorted(view.pipelines)]


def _stream_sections(catalog: Catalog, anchors: dict[str, str]) -> list[str]:
    lines = ["## Pipelines per stream", "", GRAPH_LEGEND.rstrip("\n"), ""]
    for view in catalog.streams:
        lines += [f'<a id="{anchors[view.name]}"></a>', "", f"### {text_cell(view.name)}", ""]
        about = text_cell(view.info.description) or "No description in its stream card."
        if (view.stream.directory / "README.md").is_file():
            about += f" See [streams/{view.name}/README.md](../../streams/{view.name}/README.md)."
        lines += [about, ""]
        if view.error is not None:
            lines += [f"> kustomize build failed: {text_cell(view.error)}", ""]
            continue
        if not view.pipelines:
            lines += ["No Pipeline.", ""]
        for graph in graphs(view):
            highlight = {graph.name: changed_tasks(catalog, view, graph.name)}
            lines += [
                f"#### {text_cell(view.name)}: {text_cell(graph.name)}",
                "",
                "```mermaid",
                diagram.mermaid([graph], highlight).rstrip("\n"),
                "```",
                "",
            ]
    return lines


LISTED = re.compile(r"^<!-- okd-streams catalog: (.*) -->$", re.MULTILINE)
LISTED_COMPONENTS = re.compile(r"^<!-- okd-streams components: (.*) -->$", re.MULTILINE)


def listed_streams(text: str) -> set[str] | None:
    """The streams a catalog file says it lists (None when the marker is missing)."""
    found = LISTED.search(text)
    return set(found.group(1).split()) if found else None


def listed_components(text: str) -> set[str] | None:
    """The components a catalog file says it lists (None when the marker is missing)."""
    found = LISTED_COMPONENTS.search(text)
    return set(found.group(1).split()) if found else None


COMPONENTS_LEGEND = """\
The Components of `overlays/` a stream mixes in (`components:` of its kustomization): what each
does (the first paragraph of its README), the objects it brings, what its patches add to or change
in the base's objects (the drift matrix below shows the resulting values per stream), and the
streams that use it. `okd-streams new-overlay NAME` writes a new one;
[overlays.md](../overlays.md) explains how to write one.
"""


def _components_section(catalog: Catalog, anchors: dict[str, str]) -> list[str]:
    lines = ["## Components", "", COMPONENTS_LEGEND.rstrip("\n"), ""]
    if not catalog.components:
        return [*lines, "No components yet.", ""]
    for info in catalog.components:
        users = [view.name for view in catalog.streams if any(f == info.folder for _, f in view.components)]
        lines += [
            f"### {text_cell(info.name)}",
            "",
            _prose(info.about) if info.about else f"No README in [{info.folder}/](../../{info.folder}/).",
            "",
            f"- **Folder:** [{info.folder}/](../../{info.folder}/)",
            "- **Brings:** "
            + (", ".join(f"{text_cell(kind)} {code(name)}" for kind, name in info.brings) or "nothing"),
            "- **Changes:** " + ("; ".join(_changes(catalog, info)) or "nothing"),
            "- **Used by:** "
            + (", ".join(f"[{text_cell(name)}](#{anchors[name]})" for name in users) or "*no stream*"),
            "",
        ]
    return lines


def _prose(text: str) -> str:
    """A README paragraph (Markdown) on one line, without raw HTML outside its code spans."""
    parts = " ".join(text.split()).split("`")
    return "`".join(
        part if odd % 2 else part.replace("<", "&lt;").replace(">", "&gt;") for odd, part in enumerate(parts)
    )


def _changes(catalog: Catalog, info: ComponentInfo) -> list[str]:
    """Per patched object: the params and tasks it adds (not in the base), changes or removes."""
    found = []
    for kind, name in info.patches:
        touched = [(what, item) for pipeline, what, item in info.touches if kind == "Pipeline" and pipeline == name]
        if not touched:
            found.append(f"{text_cell(kind)} {code(name)}")
            continue
        base = catalog.base.get(name, {})
        known = {
            "param": set(tparams.specs(base.get("params"))),
            "task": {task_name(t) for key in ("tasks", "finally") for _, t in items(base, key)},
        }
        words = []
        for verb, wanted in (("adds", False), ("changes", True)):
            for what in ("param", "task"):
                picked = [item for w, item in touched if w == what and (item in known[what]) == wanted]
                if picked:
                    words.append(f"{verb} {what}{'s' if len(picked) > 1 else ''} {', '.join(code(i) for i in picked)}")
        for what in ("param", "task"):
            picked = [item for w, item in touched if w == f"removed {what}"]
            if picked:
                words.append(f"removes {what}{'s' if len(picked) > 1 else ''} {', '.join(code(i) for i in picked)}")
        found.append(f"{text_cell(kind)} {code(name)}: {'; '.join(words)}")
    return found


def markdown(catalog: Catalog) -> str:
    used: set[str] = set()
    anchors = {view.name: _anchor(view.name, used) for view in catalog.streams}
    # The marker lets `docs --check` compare the catalog for the streams it lists.
    marker = f"<!-- okd-streams catalog: {' '.join(view.name for view in catalog.streams)} -->"
    listed = f"<!-- okd-streams components: {' '.join(info.name for info in catalog.components)} -->"
    lines = [marker, listed, INTRO.rstrip("\n"), "", "## Streams", ""]
    if catalog.streams:
        lines += _streams_table(catalog, anchors)
    else:
        lines.append("No streams yet.")
    lines.append("")
    lines += _components_section(catalog, anchors)
    lines += _drift(catalog)
    lines += _stream_sections(catalog, anchors)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def generate(
    root: Path, progress: bool | None = None, only: set[str] | None = None, only_components: set[str] | None = None
) -> str:
    return markdown(collect(root, progress, only, only_components))
