"""A kustomize patch whose target selects no object.

What it does:
  Reports an entry of `patches` (or `patchesJson6902`) whose `target` selector (kind,
  name regex, group, version, namespace, labelSelector) matches no object of the build.

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
    if unit.build_error is not None:
        return
    for document in unit.kustomizations:
        for key in ("patches", "patchesJson6902"):
            for index, entry in items(document.data, key):
                target = entry.get("target")
                if not isinstance(target, dict):
                    continue
                if not any(matches(target, obj) for obj in unit.objects):
                    line, column = document.pos((key, index, "target"))
                    shown = ", ".join(f"{k}={v}" for k, v in target.items() if isinstance(v, (str, int)))
                    yield Finding(
                        None,
                        (),
                        f"patch target ({shown}) matches no object of the build: "
                        "the patch is silently skipped; fix the selector",
                        file=document.path,
                        line=line,
                        column=column,
                    )
