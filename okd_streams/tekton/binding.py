"""One checker for "these param values against those ParamSpecs", as Tekton's reconciler does it.

Used for every place values meet declarations: pipeline task -> Task, PipelineRun ->
Pipeline (standalone or in a TriggerTemplate), TaskRun -> Task, and a stream card ->
its Pipeline. Semantics follow tektoncd/pipeline's `validateParams` (missing params
without default, type mismatch, object keys not supplied by value or default),
`ValidateEnumParam` (a non-empty literal string outside the enum) and
`ValidateParamTypesMatching`; extra params are reported separately because Tekton
ignores them.

A value's type is what Tekton sees when it validates: a literal's type as Tekton decodes
it (`ParamValue.UnmarshalJSON`: a list of non-strings becomes a string), or, for a value
that is a reference, the type of what it references (callers pass `refs`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from okd_streams.model.objects import Unit, get, items
from okd_streams.tekton import params as P
from okd_streams.tekton import resolve
from okd_streams.tekton.pipeline import PipelineSite, is_matrixed
from okd_streams.tekton.variables import Reference, references


@dataclass
class Value:
    """What is known of a param value at validation time."""

    type: str | None  # string | array | object; None when it cannot be known offline
    keys: frozenset[str] | None = None  # keys an object value provides
    literal: str | None = None  # the string itself, when it holds no variable
    items: list[str] | None = None  # literal strings of an array (matrix fan-out)
    note: str = ""  # why the type is what it is, when that is surprising


@dataclass
class Arg:
    """A param as passed: its name, where it is, and what it is."""

    name: str
    path: tuple  # path of the param entry (the mapping with name/value)
    value: Value
    matrix: bool = False  # fanned out by a matrix: each run gets one string item
    value_path: tuple | None = None  # path of the value itself, when it exists


@dataclass
class Issue:
    kind: str  # missing | type | keys | enum | extra
    name: str
    message: str
    arg: Arg | None = None  # None for a missing param
    spec: dict | None = None


RefTyper = Callable[[Reference], "Value | None"]


def literal(value: Any) -> Value:
    """The type Tekton's ParamValue decoding gives a literal value."""
    if isinstance(value, str):
        return Value("string", literal=value)
    if value is None or isinstance(value, (bool, int, float)):
        text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        return Value("string", literal=text)
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return Value("array", items=list(value))
        return Value("string", note="a list of non-string items, which Tekton reads as one string; quote the items")
    if isinstance(value, dict):
        if all(isinstance(item, str) for item in value.values()):
            return Value("object", keys=frozenset(map(str, value)))
        return Value(
            "string", note="a mapping with non-string values, which Tekton reads as one string; quote the values"
        )
    return Value(None)


def typed(value: Any, refs: RefTyper | None = None, lenient: bool = False) -> Value:
    """A value's type once Tekton has substituted what it substitutes before validating.

    `refs` types a string that is exactly one reference (`$(params.p)`, `$(tasks.t.results.r)`);
    when it returns None the value's type is unknown. A string with text around its
    references is a string. `lenient`: a string holding any variable has an unknown type
    (TaskRun validation skips those against array and object params).
    """
    if isinstance(value, str) and "$(" in value:
        found = list(references(value))
        if not found:
            return Value("string")
        if lenient:
            return Value(None)
        if refs is not None and len(found) == 1 and value.strip() == found[0].raw:
            result = refs(found[0])
            return result if result is not None else Value(None)
        return Value("string")
    result = literal(value)
    if isinstance(value, list) and result.type == "array":
        result.items = [item for item in value if "$(" not in item]
    return result


def args_from(
    params: Any, base: tuple, refs: RefTyper | None = None, lenient: bool = False, matrix: bool = False
) -> list[Arg]:
    """Args from a `params` list of {name, value} at path `base` (first of duplicates kept)."""
    found: list[Arg] = []
    seen: set[str] = set()
    for index, entry in items(params):
        name = entry.get("name")
        if not isinstance(name, str) or name in seen:
            continue
        seen.add(name)
        path = base + (index,)
        raw = entry.get("value")
        if "value" not in entry:  # no value at all: not something to type-check here
            found.append(Arg(name, path, Value(None), value_path=None))
            continue
        if matrix:
            value = typed(raw, refs, lenient)
            fanned = Value("string", items=value.items) if value.type == "array" else Value(None)
            found.append(Arg(name, path, fanned, matrix=True, value_path=path + ("value",)))
        else:
            found.append(Arg(name, path, typed(raw, refs, lenient), value_path=path + ("value",)))
    return found


def _type_phrase(spec: dict) -> str:
    kind = P.declared_type(spec)
    allowed = P.enum(spec)
    if allowed:
        return f"a {kind}, one of {', '.join(allowed)}"
    if kind == "object":
        keys = list(P.properties(spec))
        return f"an object with keys {', '.join(keys)}" if keys else "an object"
    return f"an {kind}" if kind == "array" else f"a {kind}"


def describe_spec(spec: dict) -> str:
    """How to set a param: its type, allowed values or keys (for messages)."""
    return _type_phrase(spec)


def check(
    args: list[Arg], declarations: Any, who: str, target: str, enums: bool = True, verb: str = "passes"
) -> list[Issue]:
    """Issues of `args` against the ParamSpecs `declarations`, at most one per param name
    (plus one per extra param). Order: missing, then per param type > keys > enum."""
    specs = P.specs(declarations)
    provided = {arg.name: arg for arg in args}
    issues: list[Issue] = []
    spec: dict | None
    for name, spec in specs.items():
        if name not in provided and not P.has_default(spec):
            issues.append(
                Issue(
                    "missing",
                    name,
                    f'{who} does not set param "{name}", which {target} '
                    f"declares without a default: set it to {_type_phrase(spec)}",
                    None,
                    spec,
                )
            )
    for arg in args:
        spec = specs.get(arg.name)
        if spec is None:
            declared = ", ".join(specs) or "none"
            issues.append(
                Issue(
                    "extra",
                    arg.name,
                    f'{who} {verb} param "{arg.name}", which {target} does not '
                    f"declare; Tekton ignores it (declared: {declared})",
                    arg,
                    None,
                )
            )
            continue
        issue = _check_one(arg, spec, who, target, enums, verb)
        if issue:
            issues.append(issue)
    return issues


def _check_one(arg: Arg, spec: dict, who: str, target: str, enums: bool, verb: str = "passes") -> Issue | None:
    declared = P.declared_type(spec)
    value = arg.value
    name = arg.name
    if arg.matrix:
        if declared != "string":
            return Issue(
                "type",
                name,
                f'{who} fans out param "{name}" with a matrix, so each run gets one string, '
                f"but {target} declares it {declared}",
                arg,
                spec,
            )
    elif value.type is not None and value.type != declared:
        note = f" ({value.note})" if value.note else ""
        return Issue(
            "type",
            name,
            f'{who} {verb} param "{name}" of type {value.type}{note}, but {target} '
            f"declares it {declared}: use {_type_phrase(spec)}",
            arg,
            spec,
        )
    if declared == "object" and value.type == "object" and value.keys is not None and not arg.matrix:
        needed = list(P.properties(spec))
        default = spec.get("default")
        supplied = set(value.keys) | (set(map(str, default)) if isinstance(default, dict) else set())
        missing = [key for key in needed if key not in supplied]
        if missing:
            keys = ", ".join(f'"{key}"' for key in missing)
            return Issue(
                "keys",
                name,
                f'{who} {verb} object param "{name}" without key(s) {keys}, which {target} '
                "declares in its properties and its default does not supply",
                arg,
                spec,
            )
    allowed = P.enum(spec)
    if enums and allowed and declared == "string":
        candidates = value.items if arg.matrix else ([value.literal] if value.literal is not None else [])
        for candidate in candidates or []:
            if candidate != "" and candidate not in allowed:
                return Issue(
                    "enum",
                    name,
                    f'{who} {verb} "{candidate}" for param "{name}", which is not in '
                    f"the enum {target} declares: {', '.join(allowed)}",
                    arg,
                    spec,
                )
    return None


def param_value(spec: dict, index: str | None, parts: tuple = ()) -> Value | None:
    """What `$(params.p...)` gives once the run's value is substituted (None: unknown)."""
    declared = P.declared_type(spec)
    if parts:  # $(params.obj.key)
        return Value("string") if declared == "object" and len(parts) == 1 and index is None else None
    if declared == "string":
        return Value("string") if index is None else None
    if declared == "array":
        return Value("array") if index == "*" else Value("string") if index is not None else None
    if index == "*":
        # The run's object may carry more keys than the pipeline declares: keys unknown.
        return Value("object")
    return None


def result_value(spec: dict, index: str | None, key: str | None, matrixed: bool) -> Value | None:
    """What `$(tasks.t.results.r...)` gives once the result is substituted (None: unknown)."""
    kind = resolve.result_type(spec)
    if key is not None:
        return Value("string") if kind == "object" else None
    if matrixed:  # a matrixed task's string result is an array of every run's result
        return Value("array") if kind == "string" and index == "*" else None
    if index == "*":
        if kind == "object":
            return Value("object")  # an emitted object may carry more keys than declared: keys unknown
        return Value("array") if kind == "array" else None
    if index is not None:
        return Value("string") if kind == "array" else None
    return Value("string") if kind == "string" else None


def pipeline_typer(unit: Unit, site: PipelineSite) -> RefTyper:
    """Types references in pipeline task params the way the PipelineRun reconciler sees
    them: `$(params...)` substituted from the pipeline's declarations, results from the
    referenced task's declared results, pipeline context variables as strings."""
    declared = P.specs(site.spec.get("params"))
    tasks = resolve.task_names(site.spec)
    cache: dict[str, resolve.ResolvedSpec] = {}

    def task_spec(name: str) -> resolve.ResolvedSpec | None:
        if name not in tasks:
            return None
        if name not in cache:
            _, task = tasks[name]
            cache[name] = (
                resolve.resolve_task(unit, site.obj, task)
                if "pipelineRef" not in task and "pipelineSpec" not in task
                else resolve.ResolvedSpec("custom")
            )
        return cache[name]

    def typer(ref: Reference) -> Value | None:
        if ref.prefix == "params" and ref.parts:
            whole = ".".join(ref.parts)
            if whole in declared:
                return param_value(declared[whole], ref.index)
            if ref.parts[0] in declared and len(ref.parts) == 2:
                return param_value(declared[ref.parts[0]], ref.index, ref.parts[1:])
            return None
        if ref.prefix == "tasks":
            if (len(ref.parts) == 1 and ref.parts[0] == "status") or (
                len(ref.parts) == 2 and ref.parts[1] in ("status", "reason")
            ):
                return Value("string")
            if len(ref.parts) in (3, 4) and ref.parts[1] == "results":
                resolved = task_spec(ref.parts[0])
                if resolved is None or not resolved.ok:
                    return None
                spec = resolve.result_specs(resolved.spec).get(ref.parts[2])
                if spec is None:
                    return None
                _, task = tasks[ref.parts[0]]
                key = ref.parts[3] if len(ref.parts) == 4 else None
                return result_value(spec, ref.index, key, is_matrixed(task))
            return None
        if ref.prefix == "context" and ref.parts[:1] in (("pipelineRun",), ("pipeline",), ("pipelineTask",)):
            return Value("string")  # substituted before the pipeline task is validated
        return None  # $(context.taskRun...), $(workspaces...): left for the TaskRun, which skips them

    return typer


# --- the places values meet declarations --------------------------------------------------


def pipeline_task_args(task: resolve.PipelineTask, typer: RefTyper) -> list[Arg]:
    """Params, matrix params (fanned out: one string each) and matrix include params."""
    base = task.path
    args = args_from(task.data.get("params"), base + ("params",), typer)
    matrix = task.data.get("matrix")
    if isinstance(matrix, dict):
        args += args_from(matrix.get("params"), base + ("matrix", "params"), typer, matrix=True)
        for index, include in items(matrix, "include"):
            args += args_from(include.get("params"), base + ("matrix", "include", index, "params"), typer)
    return args


def pipeline_task_issues(
    unit: Unit, site: PipelineSite, task: resolve.PipelineTask, resolved: resolve.ResolvedSpec
) -> list[Issue]:
    """`check` of a pipeline task's args against the Task it runs (`resolved`, which must be
    ok). Several rules report parts of it: computed once per unit; do not change it."""

    def compute() -> list[Issue]:
        typer = unit.memo(("pipeline_typer", id(site.obj), site.path), lambda: pipeline_typer(unit, site))
        return check(pipeline_task_args(task, typer), get(resolved.spec, "params"), task.label, resolved.label)

    return unit.memo(("pipeline_task_issues", id(task.obj), task.path), compute)


def run_args(run: dict, base: tuple, lenient: bool = False) -> list[Arg]:
    """A PipelineRun's or TaskRun's params; TaskRun validation skips strings holding variables."""
    return args_from(
        run.get("spec", {}).get("params") if isinstance(run.get("spec"), dict) else None,
        base + ("spec", "params"),
        None,
        lenient,
    )


def card_args(params: Any, base: tuple) -> list[Arg]:
    """A stream card's params ({name, value}), literal values only."""
    return args_from(params, base)
