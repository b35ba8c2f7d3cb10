"""A strategic-merge patch entry of a name-keyed Tekton list whose name matches no item of the object.

What it does:
  Looks at each item a strategic-merge patch adds to a list kustomize merges by name
  (`base/kustomizeconfig/tekton-openapi.json`: params, tasks, finally, workspaces,
  results, steps, sidecars, volumes, env) because no item of the patched object has its
  name, and reports, at the patch entry:
  - an entry that is not a complete new item: a task without taskRef or taskSpec, a param
    without `type` that nothing references, a step or sidecar without image, an env
    variable without value or valueFrom, a pipeline task's param without value, a
    pipeline result without value; "did you mean" names the item it was probably meant
    to change (the follow-on findings on that half item, such as T070's "neither taskRef
    nor taskSpec", are left to this one);
  - a complete new item whose name is one or two edits from an item the object already
    has (`upload-bootimage` beside `upload-bootimages`), or a new param nothing
    references: most likely a misspelt override. Waive it, with a reason, when the new
    item is intended: `# okd-streams: disable=K003 reason="..."` in the patch document.
    (A new param value or workspace binding of a pipeline task is only judged for being
    complete: the Task's declarations judge its name, R011 and R013.)
  Lists kustomize replaces whole (no merge keys, as in a tree without the openapi file)
  are not judged: there an entry replaces rather than matches.

Why:
  A strategic merge never fails on a name it cannot find: it adds a new item. A misspelt
  override (`- name: upload-bootimage` for `upload-bootimages`) silently does not apply,
  and the stream builds with the base's value; a patch for a task that does not exist
  adds a half task that Tekton's webhook then rejects ("expected exactly one, got
  neither"), reported far from the mistake.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Obj, Provenance, Unit, get, source_path
from okd_streams.tekton.variables import references_in

ID = "patch-entry-matches-nothing"
CODE = "K003"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = True  # the rare new item named like an old one is a decision to explain

# The lists the Tekton merge keys merge by name (base/kustomizeconfig), and what an item is called.
LABELS = {
    "params": "param",
    "tasks": "task",
    "finally": "finally task",
    "workspaces": "workspace",
    "results": "result",
    "steps": "step",
    "sidecars": "sidecar",
    "volumes": "volume",
    "env": "env variable",
}
_RUNS = ("PipelineRun", "TaskRun")  # their params are values, not declarations


def check(unit: Unit) -> Iterator[Finding]:
    for obj in unit.objects:
        if obj.provenance and obj.api_version.startswith("tekton.dev/"):
            yield from _object(obj)


def _object(obj: Obj) -> Iterator[Finding]:
    added: dict[tuple, list[Provenance]] = {}  # rendered path of an item a patch added whole -> its credits
    for prov in obj.provenance:
        target = prov.target
        if (
            len(target) >= 2
            and isinstance(target[-1], int)
            and target[-2] in LABELS
            and isinstance(prov.doc.data, dict)  # a strategic merge (JSON 6902 adds name their index)
            and isinstance(entry := get(prov.doc.data, *prov.source), dict)
            and "$patch" not in entry
        ):
            added.setdefault(target, []).append(prov)
    for target, credits in added.items():
        finding = _judge(obj, target, credits, added)
        if finding is not None:
            yield finding


def _judge(obj: Obj, target: tuple, credits: list[Provenance], added: dict[tuple, list[Provenance]]) -> Finding | None:
    item = get(obj.data, *target)
    name = item.get("name") if isinstance(item, dict) else None
    if not isinstance(name, str):
        return None
    list_path = target[:-1]
    rendered = get(obj.data, *list_path)
    before = _names_before(obj, list_path, credits[-1].doc, added)
    if before is None or not isinstance(rendered, list):
        return None  # kustomize replaced the list whole: the entry matched nothing by design
    key = list_path[-1]
    label = LABELS[key]
    binding = _binding(obj, list_path)
    if binding:
        label = f"{label} binding" if key == "workspaces" else "param value"
    where = f'the patch entry "{name}" matches no {label} of {_holder(obj, list_path)}'
    missing = _missing(obj, list_path, item, label)
    if missing is not None:
        meant = _close(name, before, loose=True)
        advice = f'did you mean "{meant}"?' if meant else f"{missing}, or name an existing {label}"
        return Finding(obj, target, f"{where}, so it adds an incomplete {label}; {advice}")
    if binding or len({credit.doc.path for credit in credits}) > 1:
        return None  # the Task's declarations judge a binding (R011, R013); several patches: on purpose
    meant = _close(name, before)
    if label == "param" and not _referenced(obj, list_path, name):
        advice = f'did you mean "{meant}"?' if meant else f"reference it as $(params.{name}) or remove it"
        return Finding(obj, target, f"{where}, so it adds a new param that nothing references; {advice}")
    if meant:
        return Finding(
            obj,
            target,
            f'{where}, so it adds a new {label} beside "{meant}"; did you mean "{meant}"? '
            f'(if the new {label} is intended, waive {CODE} here with reason="...")',
        )
    return None


def _names_before(obj: Obj, list_path: tuple, doc: Any, added: dict[tuple, list[Provenance]]) -> set[str] | None:
    """The names the list had before this patch: the source's items and those other patches
    added. None when the rendered list lost a source item (replaced whole, not merged)."""
    rendered = get(obj.data, *list_path)
    names = {item.get("name") for item in rendered if isinstance(item, dict)} if isinstance(rendered, list) else set()
    source: Any = None
    if obj.doc is not None:
        at = source_path(obj.data, obj.doc.data, list_path)
        if len(at) == len(list_path):
            source = get(obj.doc.data, *at)
    before = {item["name"] for item in source or () if isinstance(item, dict) and isinstance(item.get("name"), str)}
    if not before <= names:
        return None
    for target, credits in added.items():
        if target[:-1] == list_path and all(credit.doc is not doc for credit in credits):
            other = get(obj.data, *target)
            if isinstance(other, dict) and isinstance(other.get("name"), str):
                before.add(other["name"])
    return before


def _binding(obj: Obj, list_path: tuple) -> bool:
    """True when the params or workspaces at `list_path` bind (a pipeline task's, a run's), not declare."""
    if list_path[-1] not in ("params", "workspaces"):
        return False
    if len(list_path) >= 4 and isinstance(list_path[-2], int) and list_path[-3] in ("tasks", "finally"):
        return True
    return obj.kind in _RUNS and list_path[:-1] == ("spec",)


def _missing(obj: Obj, list_path: tuple, item: dict, label: str) -> str | None:
    """What a new item lacks to be one Tekton runs as meant (None: complete)."""
    key = list_path[-1]
    if key in ("tasks", "finally"):
        if not any(item.get(field) is not None for field in ("taskRef", "taskSpec", "pipelineRef", "pipelineSpec")):
            return "give it a taskRef or taskSpec"
    elif label == "param value":
        if "value" not in item:
            return "give it a value"
    elif key == "params":
        if "type" not in item and not _referenced(obj, list_path, item["name"]):
            return "declare it in full (type, description, default)"
    elif key == "results":
        if obj.kind == "Pipeline" and list_path == ("spec", "results") and "value" not in item:
            return "give it a value"  # (a list new to the object is not judged: T031 says it)
    elif key in ("steps", "sidecars"):
        template = get(obj.data, *list_path[:-1], "stepTemplate", "image")
        if not item.get("image") and not item.get("ref") and not (key == "steps" and template):
            return "give it an image"
    elif key == "env" and "value" not in item and "valueFrom" not in item:
        return "give it a value or valueFrom"
    return None


def _referenced(obj: Obj, list_path: tuple, name: str) -> bool:
    """Whether `$(params.<name>)` appears in the spec holding the param list."""
    holder = get(obj.data, *list_path[:-1])
    if not isinstance(holder, dict):
        return False
    for key, value in holder.items():
        if key == "params":
            continue
        for _, reference in references_in(value, prefix="params"):
            if reference.parts and reference.parts[0] == name:
                return True
    return False


def _holder(obj: Obj, list_path: tuple) -> str:
    """`Pipeline okd-coreos`, or `task "cosa-init" of Pipeline okd-coreos` for a nested list."""
    words = obj.label()
    for index in range(1, len(list_path) - 1):
        step, key = list_path[index], list_path[index - 1]
        if isinstance(step, int) and key in LABELS:
            item = get(obj.data, *list_path[: index + 1])
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                words = f'{LABELS[key]} "{item["name"]}" of {words}'
    return words


def _close(name: str, known: set[str], loose: bool = False) -> str | None:
    """The known name `name` was most likely meant to be. Strict: one edit (two in a long name),
    and not a sibling that differs only in digits (`build-1`, `build-2`)."""
    candidates = sorted(other for other in known if other != name)
    if loose:
        found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
        return found[0] if found else None
    limit = 2 if len(name) >= 10 else 1
    best: tuple[int, str] | None = None
    for other in candidates:
        if _strip_digits(other) == _strip_digits(name):
            continue
        distance = _distance(name, other, limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, other)
    return best[1] if best else None


def _strip_digits(text: str) -> str:
    return "".join(char for char in text if not char.isdigit())


def _distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`; past `limit`, limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
        if min(row) > limit:
            return limit + 1
    return row[-1]
