"""A Tekton-aware diff of two renders: what a reviewer needs to know, in Tekton's terms.

Objects are paired by (kind, namespace, name). For a pair, every difference is found
first as a list of field changes, lists of named items (params, tasks, steps,
workspaces, results, env...) paired by name, other lists by position. Each field change
is then described in Tekton's terms when it is one they know:

- Pipeline (and a PipelineRun's inline pipelineSpec): tasks added or removed, the
  dependency edges of the DAG (runAfter and result references, as Tekton builds it),
  params added / removed / default or type changed, the params a pipeline task passes,
  `when` expressions, workspaces and their bindings, results, inline task specs.
- Task (and TaskRun / inline taskSpec): params, steps and sidecars added or removed,
  their images and scripts, results, workspaces.
- CronJob: the trigger schedule; every object: container and step images.
- TriggerTemplate / TriggerBinding: the param values a trigger passes (a stream card's
  values end up there).

Anything else is still reported, as a field path with its old and new value: a change
is never dropped from the summary.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from okd_streams.model.objects import get

CATEGORIES = (
    "objects",
    "tasks",
    "edges",
    "params",
    "when",
    "workspaces",
    "results",
    "steps",
    "images",
    "schedule",
    "other",
)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Key:
    """A list item in a path: paired by its `name` (or, in lists without names, by position)."""

    name: Any
    by_index: bool = False

    def __str__(self) -> str:
        return f"[{self.name}]"


@dataclass
class Line:
    category: str
    message: str
    path: str = ""
    old: Any = MISSING
    new: Any = MISSING

    def to_json(self) -> dict:
        data: dict = {"category": self.category, "message": self.message, "path": self.path}
        if self.old is not MISSING:
            data["old"] = self.old
        if self.new is not MISSING:
            data["new"] = self.new
        return data


@dataclass
class ObjectDiff:
    kind: str
    namespace: str
    name: str
    status: str  # added | removed | changed
    lines: list[Line] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.name else self.kind or "object"

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "status": self.status,
            "changes": [line.to_json() for line in self.lines],
        }


# -- values and paths ------------------------------------------------------------------------


def show(value: Any, limit: int = 100) -> str:
    """A short, unambiguous rendering of a value: strings quoted, structures as compact JSON."""
    if value is MISSING:
        return "(none)"
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        if isinstance(part, Key):
            out += str(part)
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else show(value)


def _named(value: Any) -> dict | None:
    """{name: item} when every item is a mapping with a distinct string name, else None."""
    if not isinstance(value, list):
        return None
    found: dict = {}
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or item["name"] in found:
            return None
        found[item["name"]] = item
    return found


def _union(first: Collection, second: Collection) -> list:
    keys = list(second)
    keys += [key for key in first if key not in second]
    return keys


def field_changes(old: Any, new: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any, Any]]:
    """(path, old, new) for every differing field; MISSING marks an absent side."""
    if old == new and type(old) is type(new):
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in _union(old, new):
            yield from field_changes(old.get(key, MISSING), new.get(key, MISSING), path + (key,))
        return
    if (old is MISSING and _named(new)) or (new is MISSING and _named(old)):
        old, new = (old or []), (new or [])  # a named list appearing or going: item by item
    if isinstance(old, list) and isinstance(new, list):
        by_name_old, by_name_new = _named(old), _named(new)
        if by_name_old is not None and by_name_new is not None:
            for name in _union(by_name_old, by_name_new):
                yield from field_changes(
                    by_name_old.get(name, MISSING), by_name_new.get(name, MISSING), path + (Key(name),)
                )
            return
        if len(old) == len(new):
            for index, (first, second) in enumerate(zip(old, new, strict=True)):
                yield from field_changes(first, second, path + (Key(index, True),))
            return
    yield path, old, new


def at(data: Any, path: tuple) -> Any:
    """The value at a path of field_changes (Keys resolved by name or position); MISSING if absent."""
    for part in path:
        if isinstance(part, Key):
            if not isinstance(data, list):
                return MISSING
            if part.by_index:
                data = data[part.name] if isinstance(part.name, int) and 0 <= part.name < len(data) else MISSING
            else:
                data = next(
                    (item for item in data if isinstance(item, dict) and item.get("name") == part.name), MISSING
                )
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return MISSING
        if data is MISSING:
            return MISSING
    return data


# -- describing one field change -------------------------------------------------------------

SINGULAR = {
    "steps": "step",
    "sidecars": "sidecar",
    "containers": "container",
    "initContainers": "init container",
    "tasks": "task",
    "finally": "finally task",
    "params": "param",
    "workspaces": "workspace",
    "results": "result",
    "resourcetemplates": "resource template",
}


class _Context:
    """One object pair being described; de-duplicates lines (a `when` change is one line)."""

    def __init__(self, kind: str, old: dict, new: dict) -> None:
        self.kind, self.old, self.new = kind, old, new
        self.lines: list[Line] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, category: str, message: str, path: tuple = (), old: Any = MISSING, new: Any = MISSING) -> None:
        if (category, message) in self._seen:
            return
        self._seen.add((category, message))
        self.lines.append(Line(category, message, dotted(path), old, new))

    def values(self, path: tuple) -> tuple[Any, Any]:
        return at(self.old, path), at(self.new, path)


def _change(old: Any, new: Any) -> str:
    return f"{show(old)} -> {show(new)}"


def _describe_param_decl(ctx: _Context, base: tuple, name: str, rest: tuple, old: Any, new: Any, prefix: str) -> None:
    label = f'{prefix}param "{name}"'
    path = base + rest
    if not rest:
        if old is MISSING:
            default = get(new, "default", default=MISSING)
            detail = f"default {show(default)}" if default is not MISSING else "required: no default"
            ctx.add("params", f"{label} added ({detail})", path, new=new)
        elif new is MISSING:
            ctx.add("params", f"{label} removed", path, old=old)
        else:
            ctx.add("params", f"{label} changed: {_change(old, new)}", path, old, new)
        return
    head = rest[0]
    if head == "default" and len(rest) >= 1:
        old_default, new_default = ctx.values(base + ("default",))
        if old_default is MISSING:
            ctx.add(
                "params",
                f"{label} now has a default: {show(new_default)} (no longer required)",
                base + ("default",),
                old_default,
                new_default,
            )
        elif new_default is MISSING:
            ctx.add(
                "params",
                f"{label} default removed: now required (was {show(old_default)})",
                base + ("default",),
                old_default,
                new_default,
            )
        else:
            ctx.add(
                "params",
                f"{label} default: {_change(old_default, new_default)}",
                base + ("default",),
                old_default,
                new_default,
            )
    elif head == "type":
        ctx.add("params", f"{label} type: {_change(old, new)}", path, old, new)
    elif head == "description":
        ctx.add("params", f"{label} description changed", path, old, new)
    else:
        ctx.add("params", f"{label} {dotted(rest)}: {_change(old, new)}", path, old, new)


def _describe_param_value(
    ctx: _Context, base: tuple, name: str, rest: tuple, old: Any, new: Any, prefix: str, verb: str = "passes"
) -> None:
    """A param binding (name + value): what a pipeline task, a run or a trigger passes."""
    label = f'{prefix}param "{name}"'
    old_value, new_value = ctx.values(base + ("value",))
    if not rest and old is MISSING:
        ctx.add("params", f'{prefix}now {verb} param "{name}": {show(new_value)}', base, new=new_value)
    elif not rest and new is MISSING:
        ctx.add("params", f'{prefix}no longer {verb} param "{name}" (was {show(old_value)})', base, old=old_value)
    else:
        ctx.add("params", f"{label}: {_change(old_value, new_value)}", base + ("value",), old_value, new_value)


def _describe_named(
    ctx: _Context, category: str, noun: str, path: tuple, rest: tuple, old: Any, new: Any, prefix: str, name: Any
) -> None:
    label = f'{prefix}{noun} "{name}"' if isinstance(name, str) else f"{prefix}{noun} #{name}"
    if not rest and old is MISSING:
        ctx.add(category, f"{label} added", path, new=new)
    elif not rest and new is MISSING:
        ctx.add(category, f"{label} removed", path, old=old)
    elif rest and rest[-1] in ("script", "description"):
        ctx.add(category, f"{label} {dotted(rest)} changed", path, old, new)
    else:
        where = f" {dotted(rest)}" if rest else ""
        ctx.add(category, f"{label}{where}: {_change(old, new)}", path, old, new)


def _image_line(ctx: _Context, path: tuple, old: Any, new: Any, prefix: str = "") -> None:
    owner = ""
    for index in range(len(path) - 1, 0, -1):
        if isinstance(path[index], Key) and isinstance(path[index - 1], str):
            noun = SINGULAR.get(path[index - 1], path[index - 1])
            name = path[index].name
            owner = f'{noun} "{name}" ' if isinstance(name, str) else f"{noun} #{name} "
            break
    ctx.add("images", f"{prefix}{owner}image: {_change(old, new)}", path, old, new)


def _describe_task_spec(ctx: _Context, base: tuple, rel: tuple, old: Any, new: Any, prefix: str) -> bool:
    if not rel:
        return False
    head = rel[0]
    if head == "params" and len(rel) >= 2 and isinstance(rel[1], Key):
        _describe_param_decl(ctx, base + rel[:2], rel[1].name, rel[2:], old, new, prefix)
        return True
    if head in ("steps", "sidecars") and len(rel) >= 2 and isinstance(rel[1], Key):
        noun = SINGULAR[head]
        rest = rel[2:]
        if rest == ("image",):
            _image_line(ctx, base + rel, old, new, prefix)
        elif not rest and old is MISSING:
            image = get(new, "image")
            label = f'{prefix}{noun} "{rel[1].name}"' if isinstance(rel[1].name, str) else f"{prefix}{noun}"
            ctx.add(
                "steps",
                f"{label} added" + (f" (image {show(image)})" if image is not None else ""),
                base + rel,
                new=new,
            )
        else:
            _describe_named(ctx, "steps", noun, base + rel, rest, old, new, prefix, rel[1].name)
        return True
    if head == "stepTemplate" and rel[-1] == "image":
        ctx.add("images", f"{prefix}stepTemplate image: {_change(old, new)}", base + rel, old, new)
        return True
    if head in ("results", "workspaces") and len(rel) >= 2 and isinstance(rel[1], Key):
        _describe_named(ctx, head, SINGULAR[head], base + rel, rel[2:], old, new, prefix, rel[1].name)
        return True
    return False


def _when_text(task: Any) -> str:
    expressions = get(task, "when")
    if not isinstance(expressions, list) or not expressions:
        return "(none)"
    parts = []
    for expression in expressions:
        if isinstance(expression, dict) and "cel" in expression:
            parts.append(f"cel {show(expression.get('cel'))}")
        elif isinstance(expression, dict):
            parts.append(
                f"{show(expression.get('input'))} {expression.get('operator')} {show(expression.get('values'))}"
            )
        else:
            parts.append(show(expression))
    return " and ".join(parts)


def _task_kind(task: Any) -> str:
    ref = get(task, "taskRef")
    if isinstance(ref, dict):
        if isinstance(ref.get("name"), str):
            return f'{ref.get("kind") or "Task"} "{ref["name"]}"'
        if ref.get("resolver"):
            return f"{ref['resolver']} resolver"
    if isinstance(get(task, "taskSpec"), dict):
        return "inline taskSpec"
    if isinstance(get(task, "pipelineRef"), dict) or isinstance(get(task, "pipelineSpec"), dict):
        return "a Pipeline"
    return ""


def _describe_pipeline_spec(ctx: _Context, base: tuple, rel: tuple, old: Any, new: Any) -> bool:
    if not rel:
        return False
    head = rel[0]
    if head == "params" and len(rel) >= 2 and isinstance(rel[1], Key):
        _describe_param_decl(ctx, base + rel[:2], rel[1].name, rel[2:], old, new, "")
        return True
    if head in ("tasks", "finally") and len(rel) >= 2 and isinstance(rel[1], Key):
        name = rel[1].name
        noun = SINGULAR[head]
        label = f'{noun} "{name}"' if isinstance(name, str) else f"{noun} #{name}"
        task_path = base + rel[:2]
        rest = rel[2:]
        if not rest:
            if old is MISSING:
                what = _task_kind(new)
                ctx.add("tasks", f"{label} added" + (f" (runs {what})" if what else ""), task_path, new=new)
            elif new is MISSING:
                ctx.add("tasks", f"{label} removed", task_path, old=old)
            else:
                ctx.add("tasks", f"{label} changed", task_path, old, new)
            return True
        part = rest[0]
        if part == "runAfter":
            return True  # the DAG edges say it, see _edges
        if part == "when":
            old_task, new_task = ctx.values(task_path)
            ctx.add(
                "when",
                f"{label} when: {_when_text(old_task)} -> {_when_text(new_task)}",
                task_path + ("when",),
                get(old_task, "when", default=MISSING),
                get(new_task, "when", default=MISSING),
            )
            return True
        if part == "params" and len(rest) >= 2 and isinstance(rest[1], Key):
            _describe_param_value(ctx, task_path + rest[:2], rest[1].name, rest[2:], old, new, f"{label} ")
            return True
        if part == "workspaces" and len(rest) >= 2 and isinstance(rest[1], Key):
            _describe_named(
                ctx, "workspaces", "workspace", task_path + rest, rest[2:], old, new, f"{label} ", rest[1].name
            )
            return True
        if part == "taskSpec":
            if _describe_task_spec(ctx, task_path + ("taskSpec",), rest[1:], old, new, f"{label} "):
                return True
            if rest[-1] == "image":
                _image_line(ctx, task_path + rest, old, new, f"{label} ")
                return True
        if part == "taskRef":
            ctx.add("tasks", f"{label} {dotted(rest)}: {_change(old, new)}", task_path + rest, old, new)
            return True
        ctx.add("tasks", f"{label} {dotted(rest)}: {_change(old, new)}", task_path + rest, old, new)
        return True
    if head in ("workspaces", "results") and len(rel) >= 2 and isinstance(rel[1], Key):
        _describe_named(ctx, head, SINGULAR[head], base + rel, rel[2:], old, new, "pipeline ", rel[1].name)
        return True
    return False


def _describe(ctx: _Context, path: tuple, old: Any, new: Any) -> None:
    kind = ctx.kind
    if kind == "Pipeline" and path[:1] == ("spec",) and _describe_pipeline_spec(ctx, path[:1], path[1:], old, new):
        return
    if (
        kind in ("PipelineRun",)
        and path[:2] == ("spec", "pipelineSpec")
        and _describe_pipeline_spec(ctx, path[:2], path[2:], old, new)
    ):
        return
    if kind == "Task" and path[:1] == ("spec",) and _describe_task_spec(ctx, path[:1], path[1:], old, new, ""):
        return
    if (
        kind == "TaskRun"
        and path[:2] == ("spec", "taskSpec")
        and _describe_task_spec(ctx, path[:2], path[2:], old, new, "")
    ):
        return
    if (
        kind in ("PipelineRun", "TaskRun", "TriggerBinding")
        and path[:2] == ("spec", "params")
        and len(path) >= 3
        and isinstance(path[2], Key)
    ):
        _describe_param_value(ctx, path[:3], path[2].name, path[3:], old, new, "", "passes")
        return
    if kind == "TriggerTemplate" and path[:2] == ("spec", "params") and len(path) >= 3 and isinstance(path[2], Key):
        _describe_param_decl(ctx, path[:3], path[2].name, path[3:], old, new, "template ")
        return
    if kind == "TriggerTemplate" and path[:2] == ("spec", "resourcetemplates") and len(path) >= 3:
        template = path[:3]
        old_template, new_template = ctx.values(template)
        target = get(new_template, "spec", "pipelineRef", "name") or get(old_template, "spec", "pipelineRef", "name")
        run_kind = get(new_template, "kind") or get(old_template, "kind") or "resource"
        label = f"{run_kind} template" + (f" (Pipeline {show(target)})" if isinstance(target, str) else "")
        rest = path[3:]
        if rest[:2] == ("spec", "params") and len(rest) >= 3 and isinstance(rest[2], Key):
            _describe_param_value(ctx, template + rest[:3], rest[2].name, rest[3:], old, new, f"{label} ")
            return
        if not rest:
            ctx.add(
                "objects",
                f"{label} {'added' if old is MISSING else 'removed' if new is MISSING else 'changed'}",
                template,
                old,
                new,
            )
            return
        ctx.add("other", f"{label} {dotted(rest)}: {_change(old, new)}", path, old, new)
        return
    if kind == "CronJob" and path == ("spec", "schedule"):
        ctx.add("schedule", f"trigger schedule: {_change(old, new)}", path, old, new)
        return
    if path and path[-1] == "image":
        _image_line(ctx, path, old, new)
        return
    if (
        path
        and isinstance(path[-1], Key)
        and len(path) >= 2
        and isinstance(path[-2], str)
        and path[-2] in ("containers", "initContainers")
        and (old is MISSING or new is MISSING)
    ):
        _describe_named(ctx, "other", SINGULAR[path[-2]], path, (), old, new, "", path[-1].name)
        return
    ctx.add("other", f"{dotted(path) or '(object)'}: {_change(old, new)}", path, old, new)


def _pipeline_spec(data: dict) -> tuple[tuple, Any] | None:
    kind = data.get("kind")
    if kind == "Pipeline":
        return ("spec",), get(data, "spec")
    if kind == "PipelineRun":
        return ("spec", "pipelineSpec"), get(data, "spec", "pipelineSpec")
    return None


def _edges(spec: Any) -> dict[tuple[str, str], str]:
    from okd_streams.tekton import dag

    tasks = get(spec, "tasks")
    if not isinstance(tasks, list):
        return {}
    found = {}
    for task, deps in dag.graph([t for t in tasks if isinstance(t, dict)]).items():
        for dep, reason in deps.items():
            if isinstance(task, str) and isinstance(dep, str):
                found[(task, dep)] = reason
    return found


def _edge_lines(ctx: _Context) -> None:
    found = _pipeline_spec(ctx.new) or _pipeline_spec(ctx.old)
    if found is None:
        return
    base = found[0]
    old_edges, new_edges = _edges(at(ctx.old, base)), _edges(at(ctx.new, base))
    for (task, dep), reason in new_edges.items():
        if (task, dep) not in old_edges:
            ctx.add("edges", f'task "{task}" now runs after "{dep}" ({reason})', base + ("tasks", Key(task)), new=dep)
    for (task, dep), reason in old_edges.items():
        if (task, dep) not in new_edges:
            ctx.add(
                "edges",
                f'task "{task}" no longer runs after "{dep}" (was: {reason})',
                base + ("tasks", Key(task)),
                old=dep,
            )


def _identity(data: dict) -> tuple[str, str, str]:
    metadata = meta if isinstance(meta := data.get("metadata"), dict) else {}
    kind = found if isinstance(found := data.get("kind"), str) else ""
    name = found if isinstance(found := metadata.get("name"), str) else ""
    if not name and isinstance(metadata.get("generateName"), str):
        name = metadata["generateName"]
    namespace = found if isinstance(found := metadata.get("namespace"), str) else ""
    return kind, namespace, name


def index_objects(objects: list) -> dict[tuple, dict]:
    """(kind, namespace, name) -> object; a repeated identity gets a `#2` suffix, nothing is lost."""
    found: dict[tuple, dict] = {}
    for data in objects:
        if not isinstance(data, dict):
            continue
        key = _identity(data)
        unique, count = key, 1
        while unique in found:
            count += 1
            unique = (*key[:2], f"{key[2]} #{count}")
        found[unique] = data
    return found


def diff_object(old: dict, new: dict) -> list[Line]:
    kind = _identity(new)[0] or _identity(old)[0]
    ctx = _Context(kind, old, new)
    for path, first, second in field_changes(old, new):
        _describe(ctx, path, first, second)
    _edge_lines(ctx)
    if not ctx.lines and old != new:
        ctx.add("other", "changed")
    order = {category: rank for rank, category in enumerate(CATEGORIES)}
    return sorted(ctx.lines, key=lambda line: order.get(line.category, len(order)))


def _added_summary(data: dict) -> list[Line]:
    """What a new object brings, in one or two lines (its tasks, its params)."""
    lines = []
    found = _pipeline_spec(data)
    if found is not None and isinstance(found[1], dict):
        tasks = (
            [t.get("name") for t in found[1].get("tasks") or [] if isinstance(t, dict)]
            if isinstance(found[1].get("tasks"), list)
            else []
        )
        if tasks:
            lines.append(Line("tasks", "tasks: " + ", ".join(str(t) for t in tasks)))
    schedule = get(data, "spec", "schedule")
    if data.get("kind") == "CronJob" and schedule is not None:
        lines.append(Line("schedule", f"trigger schedule: {show(schedule)}"))
    return lines


def diff_objects(old: list, new: list) -> list[ObjectDiff]:
    """Every object added, removed or changed between two renders, in a stable order."""
    before, after = index_objects(old), index_objects(new)
    result = []
    for key in sorted(set(before) | set(after)):
        kind, namespace, name = key
        if key not in before:
            result.append(ObjectDiff(kind, namespace, name, "added", _added_summary(after[key])))
        elif key not in after:
            result.append(ObjectDiff(kind, namespace, name, "removed"))
        elif before[key] != after[key]:
            result.append(ObjectDiff(kind, namespace, name, "changed", diff_object(before[key], after[key])))
    return result
