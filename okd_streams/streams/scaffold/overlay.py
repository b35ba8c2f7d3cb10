"""Scaffold a new Component: `okd-streams new-overlay NAME` writes overlays/NAME/.

The skeleton is a kustomization (`kind: Component`, `metadata.name`, and the declarations
okd_streams.model.components reads: a feature `requires: os`, an OS layer `layer: os`, and
what `--requires` / `--conflicts` name), a README whose first paragraph says what the
component does (docs/reference/streams.md shows it), and one strategic-merge patch of a
base Pipeline holding only the Pipeline's identity and a commented example, so the component
changes nothing until it is edited and passes `check` at once. Writing is atomic, as `new`:
the folder is built hidden inside overlays/, checked on a scratch copy of the repository
through its probe (okd_streams.lint.probes: the stream `check` builds it with, no stream
listing it yet), then renamed into place.
"""

from __future__ import annotations

import difflib
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from okd_streams import rules as registry
from okd_streams.config import load_config
from okd_streams.lint import probes
from okd_streams.lint.checking import check_repository
from okd_streams.model import components as comp
from okd_streams.model.repo import STREAMS_DIR, SourceTree, discover_streams, find_root
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
    os_layer: bool = False  # an OS layer (`okd-streams.io/layer: os`) rather than a feature
    requires: tuple[str, ...] = ()  # components it needs besides an OS layer
    conflicts: tuple[str, ...] = ()  # components it cannot be listed with


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
    _check_declarations(request, [p.name for p in probes.components(root)])
    probe = DEFAULT_SOURCE if DEFAULT_SOURCE in {s.name for s in streams} else streams[0].name
    restore = write.interrupt_on_termination()
    temp: Path | None = None
    try:
        overlays.mkdir(exist_ok=True)
        temp = write.hidden_folder(overlays, request.name)
        pipeline, probed = _check(root, temp, request, probe)
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
        if request.os_layer:
            trying = (
                f"list ../../{OVERLAYS_DIR}/{request.name} in a stream in place of its OS layer, "
                f"with `os: {request.name}` in its card"
            )
        else:
            trying = f"okd-streams new try-{request.name} --component {request.name} --dry-run"
        out(
            f"Created {OVERLAYS_DIR}/{request.name}/ (kustomization.yaml, {README_NAME}, patch-{pipeline}.yaml).\n"
            f"Next: say in {README_NAME} what it does, write the change in patch-{pipeline}.yaml (docs/overlays.md), "
            f"then try it: {trying}"
        )
        if probed is None:
            out(
                f"Note: no stream lists what {request.name} requires ({', '.join(request.requires)}), so `check` "
                f"cannot build it yet: its files were checked, its build will be once a stream can list it"
            )
        return 0
    finally:
        if temp is not None:
            leftover = temp
            write.uninterrupted(lambda: shutil.rmtree(leftover, ignore_errors=True))
        restore()


def _check_declarations(request: OverlayRequest, existing: list[str]) -> None:
    """Refuse (exit 2) names that are no component, or declarations that contradict each other."""
    for flag, names in (("--requires", request.requires), ("--conflicts", request.conflicts)):
        for name in names:
            if name == request.name:
                raise Refused(f"{flag} {name}: a component cannot name itself")
            if name == comp.OS and flag == "--requires":
                if request.os_layer:
                    raise Refused("--requires os: an OS layer is the `os` a feature requires, it cannot require one")
                continue
            if name not in existing:
                close = difflib.get_close_matches(name, existing, n=1)
                hint = f'did you mean "{close[0]}"?' if close else f"components: {', '.join(existing) or 'none'}"
                raise Refused(f"{flag} {name}: no component {OVERLAYS_DIR}/{name}; {hint}")
    both = sorted(set(request.requires) & set(request.conflicts))
    if both:
        raise Refused(f"{', '.join(both)} is both required and conflicting: name it in one of --requires, --conflicts")


def _check(root: Path, temp: Path, request: OverlayRequest, default: str) -> tuple[str, str | None]:
    """Write the skeleton into `temp` and check it through its probe on a scratch copy of the
    repository, as `check` will; CheckFailed on an error the component brings. Returns the
    Pipeline it patches (one `default`, the stream new streams are copied from, renders) and
    the stream it was probed through (None: no stream can list it yet, as `check` would say)."""
    with tempfile.TemporaryDirectory(prefix="okd-streams-new-overlay-") as scratch:
        shadow = Path(scratch) / root.name
        copy_checked_tree(root, shadow)
        config = load_config(shadow, rule_code=registry.code_of)
        before = check_repository(shadow, config, [default], progress=False, only_files=[], cache=False)
        pipelines = sorted(
            {
                str(obj.doc.data["metadata"]["name"])
                for unit in before.units
                for obj in unit.objects
                if obj.kind == "Pipeline" and obj.doc is not None and isinstance(obj.doc.data, dict)
            }
        )
        if not pipelines:
            raise Refused(f"stream {default} renders no Pipeline for a component to patch")
        pipeline = PREFERRED_PIPELINE if PREFERRED_PIPELINE in pipelines else pipelines[0]
        files = skeleton(
            request.name, pipeline, request.description, request.os_layer, request.requires, request.conflicts
        )
        for file_name, text in files.items():
            (temp / file_name).write_text(text, encoding="utf-8")
        folder = shadow / OVERLAYS_DIR / request.name
        shutil.copytree(temp, folder)
        # The stream `check` probes the new component through (the first it fits in, by name).
        planned = probes.plan(SourceTree(shadow), discover_streams(shadow), [folder.resolve()])[0]
        probe = planned.stream.name if planned.stream is not None else default
        if probe != default:
            before = check_repository(shadow, config, [probe], progress=False, only_files=[], cache=False)
        changed = sorted(folder.iterdir())
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
    return pipeline, planned.stream.name if planned.stream is not None else None


def declarations(os_layer: bool = False, requires: tuple[str, ...] = (), conflicts: tuple[str, ...] = ()) -> str:
    """The kustomization's `metadata.annotations` block (okd_streams.model.components), commented."""
    lines = ["  annotations:"]
    if os_layer:
        lines += [
            "    # An OS layer: a stream lists exactly one (K011), and its card's `os` names this folder (C007).",
            f"    {comp.LAYER}: {comp.OS}",
        ]
        needs = list(requires)
    else:
        lines += [
            "    # What a stream listing it must list too (K010): `os` is any OS layer (scos, fcos...), other",
            "    # names are components it builds on. Streams apply components in the order they list them.",
        ]
        needs = [comp.OS, *requires]
    if needs:
        lines.append(f"    {comp.REQUIRES}: {', '.join(needs)}")
    if conflicts:
        lines += [
            "    # Components a stream cannot list together with this one (K010).",
            f"    {comp.CONFLICTS}: " + ", ".join(conflicts),
        ]
    else:
        lines.append(f"    # {comp.CONFLICTS}: <components a stream cannot list with this one>")
    return "\n".join(lines) + "\n"


def skeleton(
    name: str,
    pipeline: str,
    description: str | None = None,
    os_layer: bool = False,
    requires: tuple[str, ...] = (),
    conflicts: tuple[str, ...] = (),
) -> dict[str, str]:
    """The component's files (name -> text): it changes nothing until the example is written."""
    patch = f"patch-{pipeline}.yaml"
    annotations = declarations(os_layer, requires, conflicts)
    placement = "in place of the OS layer it lists" if os_layer else "after its OS layer"
    order = ", in place of another OS layer" if os_layer else " and its OS layer"
    card = f" Its stream card says `os: {name}`." if os_layer else ""
    what = description or (
        f"The {name} component: replace this paragraph with what it adds to or changes in a stream, "
        "and which streams should use it."
    )
    kustomization = f"""---
# The {name} component ({README_NAME} says what it does). A stream lists it under components:,
# after ../../base/stream-card{order}. How to write one: docs/overlays.md.
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
metadata:
  name: {name}
{annotations}# resources:
#   - tasks/<task>.yaml          # Tasks the component brings, one object per file
patches:
  - path: {patch}
"""
    readme = f"""# {name}

{what}

Use it: list `../../{OVERLAYS_DIR}/{name}` under `components:` of a stream's
`kustomization.yaml` ({placement}), or `okd-streams new STREAM --component {name}`.{card}
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
