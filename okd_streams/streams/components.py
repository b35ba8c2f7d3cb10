"""What each Component (overlays/<name>/) is: its README's first paragraph, the objects it brings,
what its patches change. The stream catalog (okd_streams.streams.catalog) lists them beside the
drift matrix, and reads through the helpers here which component's patch set which param or task.

Read from the source files (the kustomization, its resources and patches), never rendered: a
component is described the same way whether or not a stream uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okd_streams.files.loader import YamlError, load_all
from okd_streams.model.objects import get, items
from okd_streams.model.repo import SourceTree
from okd_streams.render import kustomization as kz
from okd_streams.tekton.pipeline import task_name

OVERLAYS_DIR = "overlays"


@dataclass
class ComponentInfo:
    name: str
    folder: str  # repo-relative, overlays/<name>
    about: str | None = None  # the README's first paragraph
    brings: list[tuple[str, str]] = field(default_factory=list)  # (kind, name) of its resources
    patches: list[tuple[str, str]] = field(default_factory=list)  # (kind, name) its patches target
    touches: list[tuple[str, str, str]] = field(default_factory=list)  # (pipeline, "param" | "task", name)


def read_components(root: Path, tree: SourceTree, only: set[str] | None = None) -> list[ComponentInfo]:
    """Every Component folder under overlays/ (or those named in `only`), by name."""
    folder = root / OVERLAYS_DIR
    found: list[ComponentInfo] = []
    if not folder.is_dir():
        return found
    for directory in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if (only is not None and directory.name not in only) or not kz.is_component(directory):
            continue
        data = kustomization_data(directory, tree)
        info = ComponentInfo(directory.name, f"{OVERLAYS_DIR}/{directory.name}", readme_paragraph(directory))
        resources = data.get("resources")
        for reference in resources if isinstance(resources, list) else []:
            if isinstance(reference, str) and not kz.is_remote(reference):
                info.brings += _objects(directory / reference, tree)
        for entry in _patch_entries(data):
            for document, target in patch_documents(entry, directory, tree):
                # A target selects what the patch applies to, whatever name the patch itself holds
                # (an empty target name: every object of the kind).
                kind = target.get("kind") or (document.get("kind") if isinstance(document, dict) else None)
                if target:
                    name = target.get("name") or "*"
                else:
                    name = get(document, "metadata", "name") if isinstance(document, dict) else None
                if isinstance(kind, str) and isinstance(name, str) and (kind, name) not in info.patches:
                    info.patches.append((kind, name))
        info.touches = patched(data, directory, tree)
        found.append(info)
    return found


def readme_paragraph(directory: Path) -> str | None:
    """The first paragraph of the folder's README.md that is not a heading, as one line."""
    try:
        text = (directory / "README.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines()]
        if lines and not lines[0].startswith(("#", "<!--")):
            return " ".join(lines)
    return None


def _objects(path: Path, tree: SourceTree) -> list[tuple[str, str]]:
    if not path.is_file():
        return []  # a folder (a nested kustomization) or missing: K001 is kustomize's to say
    found = []
    for document in tree.file(path.resolve()).documents:
        kind, name = get(document.data, "kind"), get(document.data, "metadata", "name")
        if isinstance(kind, str) and isinstance(name, str):
            found.append((kind, name))
    return found


def _patch_entries(data: dict) -> list[Any]:
    entries: list[Any] = []
    for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        value = data.get(key)
        if isinstance(value, list):
            entries.extend(value)
    return entries


def kustomization_data(directory: Path, tree: SourceTree) -> dict:
    path = kz.kustomization_file(directory)
    if path is None:
        return {}
    documents = tree.file(path).documents
    data = documents[0].data if documents else None
    return data if isinstance(data, dict) else {}


def patch_documents(entry: Any, directory: Path, tree: SourceTree) -> list[tuple[Any, dict]]:
    """(document, target) for one `patches` / `patchesStrategicMerge` entry."""
    target: dict = {}
    text = None
    path = None
    if isinstance(entry, dict):
        target = found if isinstance(found := entry.get("target"), dict) else {}
        if isinstance(entry.get("patch"), str):
            text = entry["patch"]
        elif isinstance(entry.get("path"), str):
            path = entry["path"]
    elif isinstance(entry, str):
        if "\n" in entry:
            text = entry
        else:
            path = entry
    documents: list[Any] = []
    if text is not None:
        try:
            documents = load_all(text)
        except (YamlError, RecursionError, ValueError):
            documents = []
    elif path is not None and not kz.is_remote(path):
        file = (directory / path).resolve()
        if file.is_file():
            documents = [d.data for d in tree.file(file).documents]
    return [(document, target) for document in documents]


def patched(data: dict, directory: Path, tree: SourceTree) -> list[tuple[str, str, str]]:
    """(pipeline, "param" | "task" | "removed param" | "removed task", name) set by a kustomization's
    Pipeline patches."""
    found: list[tuple[str, str, str]] = []
    for entry in _patch_entries(data):
        for document, target in patch_documents(entry, directory, tree):
            if isinstance(document, dict):
                kind = document.get("kind") or target.get("kind")
                pipeline = get(document, "metadata", "name") or target.get("name")
                if kind != "Pipeline" or not isinstance(pipeline, str):
                    continue
                # An item the patch deletes (`$patch: delete`) is "removed param" / "removed task".
                for _, param in items(document, "spec", "params"):
                    if isinstance(param.get("name"), str):
                        found.append((pipeline, _touch("param", param), param["name"]))
                for section in ("tasks", "finally"):
                    for _, task in items(document, "spec", section):
                        if task_name(task):
                            found.append((pipeline, _touch("task", task), task_name(task)))
            elif isinstance(document, list) and target.get("kind") == "Pipeline":
                found.extend(json_patch(document, target.get("name")))
    return found


def _touch(what: str, item: dict) -> str:
    return f"removed {what}" if item.get("$patch") == "delete" else what


def json_patch(operations: list, pipeline: Any) -> list[tuple[str, str, str]]:
    """A JSON 6902 patch: operations whose value is a named param or task."""
    found: list[tuple[str, str, str]] = []
    if not isinstance(pipeline, str):
        return found
    for operation in operations:
        path = get(operation, "path")
        value = get(operation, "value")
        if not isinstance(path, str) or not isinstance(value, dict) or not isinstance(value.get("name"), str):
            continue
        if path.startswith("/spec/params"):
            found.append((pipeline, "param", value["name"]))
        elif path.startswith(("/spec/tasks", "/spec/finally")):
            found.append((pipeline, "task", value["name"]))
    return found
