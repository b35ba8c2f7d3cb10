"""Probes: a Component no stream lists, checked through a stream built with it.

Rules judge rendered streams, so a component no stream lists would never be judged. A
probe is a kustomization written to a temporary folder (the same one each run, so the
render cache keeps it): a compatible stream's resources and components (okd_streams.model
.components.compatible picks the first stream, by name, whose components the probed one
can join; an OS layer replaces the stream's), plus the component, with a copy of that
stream's card. Its findings are kept where the component's author can act on them: in the
component's folder, and elsewhere only when the stream it was built from does not have
them (what base/ brought is reported once, by the real streams).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from okd_streams.files.loader import dump_plain
from okd_streams.model import components as comp
from okd_streams.model.repo import CARD_NAME, SourceTree, Stream
from okd_streams.problem import Problem
from okd_streams.render import kustomization as kz

OVERLAYS_DIR = "overlays"
PROBES_DIR = "okd-streams-probes"


@dataclass
class Probe:
    component: comp.Declared
    directory: Path  # the component's folder
    stream: Stream | None  # the stream it is probed through (None: no compatible stream)
    folder: Path | None = None  # the probe kustomization's temporary folder, once written

    @property
    def label(self) -> str:
        via = f"probe via {self.stream.name}" if self.stream is not None else "no compatible stream to probe with"
        return f"{self.component.path} ({via})"


def components(root: Path) -> list[Path]:
    """The Component folders under overlays/ (direct children), sorted."""
    folder = root / OVERLAYS_DIR
    if not folder.is_dir():
        return []
    return sorted(child for child in folder.iterdir() if child.is_dir() and kz.is_component(child))


def _declared(tree: SourceTree, directory: Path) -> comp.Declared:
    path = kz.kustomization_file(directory)
    parsed = tree.file(path) if path is not None else None
    doc = parsed.documents[0] if parsed is not None and parsed.documents else None
    return comp.declared(doc.data if doc is not None else None, tree.display(directory), doc)


def _listed(tree: SourceTree, stream: Stream) -> list[tuple[str, Path, comp.Declared]]:
    """A stream's `components:` entries: (entry as written, folder, what it declares)."""
    if stream.kustomization is None:
        return []
    parsed = tree.file(stream.kustomization)
    data = parsed.documents[0].data if parsed.documents else None
    entries = data.get("components") if isinstance(data, dict) else None
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str) and not kz.is_remote(entry):
            folder = Path(os.path.normpath(stream.directory / entry))
            found.append((entry, folder, _declared(tree, folder)))
    return found


def plan(tree: SourceTree, streams: list[Stream], wanted: list[Path]) -> list[Probe]:
    """A probe for each Component folder of `wanted`, through the first compatible stream."""
    buildable = sorted((s for s in streams if s.kustomization is not None), key=lambda s: s.name)
    listings = {s.name: _listed(tree, s) for s in buildable}
    probes = []
    for directory in wanted:
        component = _declared(tree, directory)
        using = [s for s in buildable if any(d.name == component.name for _, _, d in listings[s.name])]
        chosen = next(iter(using), None) or next(
            (s for s in buildable if comp.compatible(component, [d for _, _, d in listings[s.name]]) is not None),
            None,
        )
        probes.append(Probe(component, directory, chosen))
    return probes


def unused(root: Path, closures: dict[Path, kz.Closure]) -> list[Path]:
    """The Component folders under overlays/ that no stream's build reads."""
    read = {d for graph in closures.values() for d in graph.directories}
    return [d for d in components(root) if d.resolve() not in read]


def probe_base(root: Path) -> Path:
    """The temporary folder of this repository's probes (the same each run: renders cache)."""
    tag = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / PROBES_DIR / tag


def write(root: Path, tree: SourceTree, probe: Probe) -> Path | None:
    """Write the probe's kustomization (and the stream card's copy); its folder, or None."""
    stream = probe.stream
    if stream is None or stream.kustomization is None:
        return None
    parsed = tree.file(stream.kustomization)
    data = parsed.documents[0].data if parsed.documents else None
    if not isinstance(data, dict):
        return None
    folder = probe_base(root) / probe.component.name
    folder.mkdir(parents=True, exist_ok=True)
    resolved_folder = folder.resolve()

    def moved(entry: str) -> str:  # an entry of the stream's kustomization, from the probe's folder
        return os.path.relpath(Path(os.path.normpath(stream.directory / entry)).resolve(), resolved_folder)

    resources = []
    for entry in data.get("resources") or []:
        if not isinstance(entry, str) or kz.is_remote(entry):
            continue
        if os.path.normpath(stream.directory / entry) == os.path.normpath(stream.directory / CARD_NAME):
            _write_if_changed(folder / CARD_NAME, (stream.directory / CARD_NAME).read_bytes())
            resources.append(CARD_NAME)
        elif (stream.directory / entry).is_dir():  # a file beside the stream's card: kustomize loads only below a root
            resources.append(moved(entry))
    listed = []
    placed = False
    for entry, _, declared in _listed(tree, stream):
        if declared.name == probe.component.name or (probe.component.layer and declared.layer == probe.component.layer):
            if not placed:
                listed.append(os.path.relpath(probe.directory.resolve(), resolved_folder))
                placed = True
            continue
        listed.append(moved(entry))
    if not placed:
        listed.append(os.path.relpath(probe.directory.resolve(), resolved_folder))
    kustomization: dict = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
    if isinstance(data.get("namespace"), str):
        kustomization["namespace"] = data["namespace"]
    kustomization["resources"] = resources
    kustomization["components"] = listed
    _write_if_changed(folder / "kustomization.yaml", dump_plain(kustomization).encode())
    probe.folder = folder.resolve()
    return probe.folder


def _write_if_changed(path: Path, content: bytes) -> None:
    try:
        if path.read_bytes() == content:
            return
    except OSError:
        pass
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(content)
    os.replace(partial, path)  # another run reading it sees the old file or the new one


def kept(problems: list[Problem], probe: Probe, tree: SourceTree, known: set[tuple] | None) -> list[Problem]:
    """The probe's problems its component's author should see, named after the probe: those
    in the component's folder, and those elsewhere in the repository that the stream it was
    built from does not have (`known`: their (path, line, column, code); None: that stream
    was not checked, so only the component's own)."""
    inside = probe.component.path.rstrip("/") + "/"
    card = tree.display(probe.stream.directory / CARD_NAME) if probe.stream is not None else None
    found = []
    for problem in problems:
        if problem.path == card:
            continue  # the stream's card is judged with its own layer, by the stream's check
        if not problem.path.startswith(inside):
            if os.path.isabs(problem.path) or problem.path.startswith(".."):
                continue  # the probe's own files (its kustomization, the card's copy)
            if problem.path.startswith(OVERLAYS_DIR + "/"):
                continue  # another component's files: its own streams and probe judge them
            if known is None or (problem.path, problem.line, problem.column, problem.code) in known:
                continue
        found.append(
            Problem(
                problem.path,
                problem.line,
                problem.column,
                problem.code,
                problem.level,
                problem.rule,
                problem.message,
                probe.label,
            )
        )
    return found
