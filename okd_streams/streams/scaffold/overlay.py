"""Scaffold a new Component: `okd-streams new-overlay NAME` writes overlays/NAME/.

The skeleton is a kustomization (`kind: Component`, `metadata.name`), a README whose first
paragraph says what the component does (docs/reference/streams.md shows it), and one
strategic-merge patch of a base Pipeline holding only the Pipeline's identity and a
commented example, so the component changes nothing until it is edited and passes `check`
at once. Writing is atomic, as `new`: the folder is built hidden inside overlays/, checked
on a scratch copy of the repository in a stream that lists it, then renamed into place.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from okd_streams import rules as registry
from okd_streams.config import load_config
from okd_streams.files import edit
from okd_streams.lint.checking import check_repository
from okd_streams.model.repo import STREAMS_DIR, discover_streams, find_root
from okd_streams.problem import Problem
from okd_streams.streams.scaffold import write
from okd_streams.streams.scaffold.checks import copy_checked_tree
from okd_streams.streams.scaffold.naming import LABEL_MAX, name_problem
from okd_streams.streams.scaffold.plan import DEFAULT_SOURCE, README_NAME
from okd_streams.streams.scaffold.request import CheckFailed, Refused

OVERLAYS_DIR = "overlays"
PREFERRED_PIPELINE = "okd-coreos"  # the OS build: what most components change


@dataclass
class OverlayRequest:
    name: str
    root: Path = Path(".")
    description: str | None = None
    dry_run: bool = False


def new_overlay(
    request: OverlayRequest, out: Callable[[str], None] = print, err: Callable[[str], None] | None = None
) -> int:
    """Write overlays/NAME; 0 written (or shown with dry_run), 1 it would not pass `check`.
    Refused (exit 2) on a bad name or an existing folder. The tree is as it was unless 0."""
    err = err or (lambda text: print(text, file=sys.stderr))
    try:
        return _new_overlay(request, out)
    except CheckFailed as exc:
        for p in exc.problems:
            err(f"{p.path}:{p.line}:{p.column}: {p.level} {p.message} [{p.code}]")
        err(
            f"okd-streams: the new component {request.name} would not pass `okd-streams check` "
            f"({len(exc.problems)} error(s) above): nothing was written"
        )
        return 1


def _new_overlay(request: OverlayRequest, out: Callable[[str], None]) -> int:
    root = find_root(request.root)
    problem = name_problem(request.name, LABEL_MAX, "overlay name")
    if problem:  # the stream name's rules (a component's name is written in streams' kustomizations too)
        raise Refused(problem.replace(" (it becomes a namespace)", ""))
    overlays = root / OVERLAYS_DIR
    final = overlays / request.name
    if final.exists() or final.is_symlink():
        raise Refused(f"{OVERLAYS_DIR}/{request.name} already exists: choose another name, or edit that component")
    streams = discover_streams(root)
    if not streams:
        raise Refused(f"no stream in {STREAMS_DIR}/ to try the component in: create one first (okd-streams new)")
    probe = DEFAULT_SOURCE if DEFAULT_SOURCE in {s.name for s in streams} else streams[0].name
    restore = write.interrupt_on_termination()
    temp: Path | None = None
    try:
        overlays.mkdir(exist_ok=True)
        temp = write.hidden_folder(overlays, request.name)
        pipeline = _check(root, temp, request, probe)
        if request.dry_run:
            for path in sorted(temp.iterdir()):
                out(f"--- {OVERLAYS_DIR}/{request.name}/{path.name}\n{path.read_text(encoding='utf-8')}")
            out(f"(dry run: {OVERLAYS_DIR}/{request.name}/ not written)")
            return 0
        if final.exists() or final.is_symlink():
            raise Refused(
                f"{OVERLAYS_DIR}/{request.name} appeared while the component was being built: nothing written"
            )
        write.move_into_place(temp, final)
        temp = None
        out(
            f"Created {OVERLAYS_DIR}/{request.name}/ (kustomization.yaml, {README_NAME}, patch-{pipeline}.yaml).\n"
            f"Next: say in {README_NAME} what it does, write the change in patch-{pipeline}.yaml (docs/overlays.md), "
            f"then try it: okd-streams new try-{request.name} --component {request.name} --dry-run"
        )
        return 0
    finally:
        if temp is not None:
            leftover = temp
            write.uninterrupted(lambda: shutil.rmtree(leftover, ignore_errors=True))
        restore()


def _check(root: Path, temp: Path, request: OverlayRequest, probe: str) -> str:
    """Write the skeleton into `temp` and check it in stream `probe` on a scratch copy of the
    repository; CheckFailed on an error the component brings. Returns the Pipeline it patches."""
    with tempfile.TemporaryDirectory(prefix="okd-streams-new-overlay-") as scratch:
        shadow = Path(scratch) / root.name
        copy_checked_tree(root, shadow)
        config = load_config(shadow, rule_code=registry.code_of)
        before = check_repository(shadow, config, [probe], progress=False, only_files=[], cache=False)
        pipelines = sorted(
            {
                str(obj.doc.data["metadata"]["name"])
                for unit in before.units
                for obj in unit.objects
                if obj.kind == "Pipeline" and obj.doc is not None and isinstance(obj.doc.data, dict)
            }
        )
        if not pipelines:
            raise Refused(f"stream {probe} renders no Pipeline for a component to patch")
        pipeline = PREFERRED_PIPELINE if PREFERRED_PIPELINE in pipelines else pipelines[0]
        files = skeleton(request.name, pipeline, request.description)
        for file_name, text in files.items():
            (temp / file_name).write_text(text, encoding="utf-8")
        folder = shadow / OVERLAYS_DIR / request.name
        shutil.copytree(temp, folder)
        kustomization = shadow / STREAMS_DIR / probe / "kustomization.yaml"
        _add_component(kustomization, request.name)
        changed = [*sorted(folder.iterdir()), kustomization]
        report = check_repository(shadow, config, [probe], progress=False, only_files=changed, cache=False)
    known = {(p.path, p.line, p.column, p.code, p.message) for p in before.problems}
    mine = f"{OVERLAYS_DIR}/{request.name}/"
    blocking: list[Problem] = [
        p
        for p in report.problems
        if p.level == "error"
        and (p.path.startswith(mine) or (p.path, p.line, p.column, p.code, p.message) not in known)
    ]
    if blocking:
        raise CheckFailed(blocking)
    return pipeline


def _add_component(kustomization: Path, name: str) -> None:
    """List ../../overlays/NAME last under `components:` of a stream's kustomization (the
    scratch copy's)."""
    data = edit.load(kustomization.read_text(encoding="utf-8"))
    components = data.get("components")
    if not isinstance(components, list):
        components = data["components"] = []
    components.append(f"../../{OVERLAYS_DIR}/{name}")
    kustomization.write_text(edit.dump(data), encoding="utf-8")


def skeleton(name: str, pipeline: str, description: str | None = None) -> dict[str, str]:
    """The component's files (name -> text): it changes nothing until the example is written."""
    patch = f"patch-{pipeline}.yaml"
    what = description or (
        f"The {name} component: replace this paragraph with what it adds to or changes in a stream, "
        "and which streams should use it."
    )
    kustomization = f"""---
# The {name} component ({README_NAME} says what it does). A stream lists it under components:,
# after ../../base/stream-card and its OS layer. How to write one: docs/overlays.md.
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
metadata:
  name: {name}
# resources:
#   - tasks/<task>.yaml          # Tasks the component brings, one object per file
patches:
  - path: {patch}
"""
    readme = f"""# {name}

{what}

Use it: list `../../{OVERLAYS_DIR}/{name}` under `components:` of a stream's
`kustomization.yaml` (after its OS layer), or `okd-streams new STREAM --component {name}`.
How its patches merge with the bases: [docs/overlays.md](../../docs/overlays.md).
"""
    patch_text = f"""---
# What the {name} component changes in Pipeline {pipeline}. Write only what changes: items of
# params, tasks, finally, workspaces and results merge by name (base/kustomizeconfig); an item
# with a new name is added, declared in full (a new param needs its type). For example:
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: {pipeline}
# spec:
#   params:
#     - name: <a param of the base>   # exists in the base: only its default changes
#       default: <the new default>
"""
    return {"kustomization.yaml": kustomization, README_NAME: readme, patch: patch_text}
