"""Ask kustomize which patch targets select something, by building a marked copy of the tree.

kustomize matches a patch's `target` against each object as it is when the patch runs: by its
current *or original* name and namespace (`ResMap.Select` tries `OrgId()` then `CurId()`), and
by its labels and annotations at that moment. A patch may rename or relabel the very objects it
selects, and later layers may do the same, so the built objects cannot say whether a target
matched. The build itself can: the closure is copied to a temporary folder, a probe patch with
the same target is put just before each patch asked about (so it sees the objects exactly as
that patch does), and each probe adds a field `metadata.<PROBE><n>` to what it selects. The
fields in the output are the answer. It costs one kustomize run, made only for targets that
seem to match nothing.

The same copy, with remote resources left out, builds what can be checked of a kustomization
whose remote bases cannot be fetched (offline).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from okd_streams.files.loader import YamlError, load_all_fast
from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import DEFAULT_TIMEOUT, Kustomize, find_kustomize, kustomize_env, run_bounded

PROBE = "okdStreamsProbe"

Entry = tuple[Path, str, int]  # (kustomization file, "patches" | "patchesJson6902", index)
Edit = Callable[[dict], dict]  # a kustomization's data -> what the copy holds instead


def matched(
    directory: Path, graph: kz.Closure, entries: list[Entry], kustomize: Kustomize | None = None
) -> set[Entry] | None:
    """Which of `entries` select at least one object when `directory` is built; None when that
    cannot be found out here (a remote base, plugins, a copy that does not build)."""
    if graph.remote or graph.incomplete or not entries:
        return None
    probes: dict[str, Entry] = {}
    by_file: dict[Path, list[Entry]] = {}
    for entry in entries:
        by_file.setdefault(entry[0].resolve(), []).append(entry)
    edits: dict[Path, Edit] = {path: _prober(mine, probes) for path, mine in by_file.items()}
    output = build_copy(directory, graph, edits, kustomize)
    if output is None or len(probes) != len(entries):  # an entry that is not a targeted patch
        return None
    try:
        documents = load_all_fast(output)
    except (YamlError, RecursionError, ValueError, TypeError):
        return None
    found: set[Entry] = set()
    for data in documents:
        metadata = data.get("metadata") if isinstance(data, dict) else None
        if isinstance(metadata, dict):
            found.update(probes[key] for key in metadata if isinstance(key, str) and key in probes)
    return found


def without_remote(directory: Path, graph: kz.Closure, kustomize: Kustomize | None = None) -> str | None:
    """kustomize's output for `directory` built without its remote resources, bases and
    components (what can be checked offline), or None when that does not build either."""
    if not graph.remote or graph.incomplete:
        return None
    edits: dict[Path, Edit] = {}
    for folder in graph.directories:
        path = kz.kustomization_file(folder)
        data = kz.load_file_data(path) if path is not None else None
        if (
            path is not None
            and isinstance(data, dict)
            and any(
                kz.is_remote(value)
                for key in _RESOURCE_KEYS
                if isinstance(data.get(key), list)
                for value in data[key]
                if isinstance(value, str)
            )
        ):
            edits[path.resolve()] = _local
    return build_copy(directory, graph, edits, kustomize) if edits else None


_RESOURCE_KEYS = ("resources", "bases", "components")


def _local(data: dict) -> dict:
    data = dict(data)
    for key in _RESOURCE_KEYS:
        if isinstance(data.get(key), list):
            data[key] = [value for value in data[key] if not (isinstance(value, str) and kz.is_remote(value))]
    return data


def build_copy(
    directory: Path,
    graph: kz.Closure,
    edits: dict[Path, Edit],
    kustomize: Kustomize | None = None,
) -> str | None:
    """kustomize's output for `directory` built from a copy of its closure in which each
    kustomization file named in `edits` (resolved path) holds `edit(its data)`; None when the
    copy cannot be made or does not build."""
    directory = directory.resolve()
    files = set(graph.files) | {f for d in graph.directories if (f := kz.kustomization_file(d)) is not None}
    with tempfile.TemporaryDirectory(prefix="okd-streams-copy-") as temporary:
        root = Path(temporary)
        try:
            for path in files:
                copy = _mirror(root, path)
                copy.parent.mkdir(parents=True, exist_ok=True)
                edit = edits.get(path.resolve())
                if edit is not None:
                    data = kz.load_file_data(path)
                    if not isinstance(data, dict):
                        return None
                    # JSON is YAML: no YAML writer needed
                    copy.write_text(json.dumps(edit(data)), encoding="utf-8")
                elif path.is_file():
                    shutil.copyfile(path, copy)
        except (OSError, ValueError, TypeError):
            return None
        kustomize = kustomize or find_kustomize()
        try:
            done = run_bounded(kustomize.command(str(_mirror(root, directory))), DEFAULT_TIMEOUT, kustomize_env())
        except (subprocess.TimeoutExpired, OSError):
            return None
    return done.stdout if done.returncode == 0 else None


def _mirror(root: Path, path: Path) -> Path:
    """`path` (absolute) at the same place under `root`: relative references keep working."""
    return root / os.path.abspath(path).lstrip(os.sep)


def _prober(entries: list[Entry], probes: dict[str, Entry]) -> Edit:
    return lambda data: _with_probes(data, entries, probes)


# A strategic-merge patch deleting what it selects (`$patch: delete` at its top level).
_DELETES = re.compile(r"""^\$patch:\s*["']?delete["']?\s*(#.*)?$""", re.MULTILINE)


def _deletes(kustomization: Path, entry: dict) -> bool:
    """Whether the patch `entry` deletes the objects it selects: its probe's mark would go with
    them, so the copy runs the probe without the patch (which only removes what it matched)."""
    text = entry.get("patch")
    if not isinstance(text, str) and isinstance(entry.get("path"), str):
        try:
            text = (kustomization.parent / entry["path"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
    return isinstance(text, str) and _DELETES.search(text) is not None


def _with_probes(data: dict, entries: list[Entry], probes: dict[str, Entry]) -> dict:
    """`data` with a probe patch before each entry (from the last, so indexes stay right)."""
    data = dict(data)
    for entry in sorted(entries, key=lambda e: (e[1], -e[2])):
        path, key, index = entry
        listed = data.get(key)
        if not isinstance(listed, list) or not 0 <= index < len(listed) or not isinstance(listed[index], dict):
            continue
        target = listed[index].get("target")
        if not isinstance(target, dict):
            continue
        name = f"{PROBE}{len(probes)}"
        probes[name] = entry
        operation = json.dumps([{"op": "add", "path": f"/metadata/{name}", "value": 1}])
        kept = listed[index + 1 :] if _deletes(path, listed[index]) else listed[index:]
        data[key] = [*listed[:index], {"target": target, "patch": operation}, *kept]
    return data
