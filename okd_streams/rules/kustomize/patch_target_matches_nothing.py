"""A kustomize patch whose target selects no object.

What it does:
  Reports an entry of `patches` (or `patchesJson6902`) whose `target` selector (kind,
  name regex, group, version, namespace, labelSelector) matches no object of the build.
  kustomize matches a target against each object as it is when the patch runs, by its
  current or original name: a patch that renames or relabels what it selects, or a later
  layer that does, still applied. So a target no built object fits is put to kustomize
  itself (the build is re-run on a copy with a marking patch before it); only one that
  selected nothing is reported. When that cannot be done (a remote base, plugins), the
  finding is a warning.

Why:
  kustomize silently skips such a patch: the build succeeds and the change the patch was
  written for never reaches the cluster. It happens when a base object is renamed or a
  typo slips into a target. (A strategic-merge patch without `target` that matches
  nothing is already a kustomize build error, K001.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, items
from okd_streams.render import kustomization as kz
from okd_streams.render import probe

ID = "patch-target-matches-nothing"
CODE = "K002"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _regex(value: str) -> re.Pattern | None:
    try:
        return re.compile(f"^(?:{value})$")
    except re.error:
        return None


def _labels_match(selector: str, labels: dict) -> bool:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, _, value = term.partition("!=")
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, _, value = term.partition("=")
            if str(labels.get(key.strip().rstrip("="))) != value.strip().lstrip("="):
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def matches(target: dict, obj: Obj) -> bool:
    group, _, version = obj.api_version.rpartition("/")
    names = {obj.name}
    if obj.doc is not None and isinstance(obj.doc.data, dict):
        source_name = (
            (obj.doc.data.get("metadata") or {}).get("name") if isinstance(obj.doc.data.get("metadata"), dict) else None
        )
        if isinstance(source_name, str):
            names.add(source_name)
    for field, actual in (
        ("kind", {obj.kind}),
        ("group", {group}),
        ("version", {version}),
        ("name", names),
        ("namespace", {obj.namespace}),
    ):
        wanted = target.get(field)
        if wanted in (None, ""):
            continue
        pattern = _regex(str(wanted))
        if pattern is None or not any(pattern.match(value) for value in actual):
            return False
    labels = given if isinstance(given := obj.metadata.get("labels"), dict) else {}
    annotations = found if isinstance(found := obj.metadata.get("annotations"), dict) else {}
    for field, present in (("labelSelector", labels), ("annotationSelector", annotations)):
        if isinstance(target.get(field), str) and not _labels_match(target[field], present):
            return False
    return True


def check(unit: Unit) -> Iterator[Finding]:
    if unit.build_error is not None or unit.remote_error is not None:  # objects are missing: K001 says which
        return
    # Targets no built object fits. An object may have fitted when the patch ran and been
    # renamed or relabelled since (by the patch itself or a later layer): kustomize decides.
    seeming = [
        (position, document, key, index, target)
        for position, document in enumerate(unit.kustomizations)
        for key in ("patches", "patchesJson6902")
        for index, entry in items(document.data, key)
        if isinstance(target := entry.get("target"), dict) and not any(matches(target, obj) for obj in unit.objects)
    ]
    if not seeming:
        return
    paths = unit.kustomization_files
    confirmed = None
    if unit.directory is not None and len(paths) == len(unit.kustomizations):
        entries = [(paths[position], key, index) for position, _, key, index, _ in seeming]
        confirmed = probe.matched(unit.directory, kz.closure(unit.directory), entries)
    for position, document, key, index, target in seeming:
        if confirmed is not None and (paths[position], key, index) in confirmed:
            continue
        line, column = document.pos((key, index, "target"))
        shown = ", ".join(f"{k}={v}" for k, v in target.items() if isinstance(v, (str, int)))
        if confirmed is None:
            yield Finding(
                None,
                (),
                f"patch target ({shown}) matches no object of the build as far as okd-streams can tell "
                "(kustomize could not be re-run on a copy of the build to confirm it: a remote base, "
                "a plugin or a link leading out); "
                "if so, the patch is silently skipped",
                level="warning",
                file=document.path,
                line=line,
                column=column,
            )
            continue
        yield Finding(
            None,
            (),
            f"patch target ({shown}) matches no object of the build, under any name or labels the "
            "objects have when the patch runs: the patch is silently skipped; fix the selector",
            file=document.path,
            line=line,
            column=column,
        )
