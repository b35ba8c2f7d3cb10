"""Tekton's own variable extraction, regex for regex, as its webhook runs it.

`okd_streams.tekton.variables` parses references for humans; this module reproduces the
exact matching of tektoncd/pipeline `pkg/substitution/substitution.go` and the result
reference helpers of `pkg/apis/pipeline/v1/resultref.go`, so that a rule reports what the
admission webhook rejects and nothing else:

- `extract(text, prefix)` is `ExtractVariablesFromString`: the names after `$(prefix.`,
  `$(prefix["..."])` or `$(prefix['...'])`; with dot notation only the first dotted part
  is the name, and more than two dotted parts is an error.
- `unknown`, `prohibited`, `entire_prohibited`, `not_isolated` are the
  `ValidateNoReferencesToUnknownVariables`, `...ToProhibitedVariables`,
  `...ToEntireProhibitedVariables` and `ValidateVariableReferenceIsIsolated` checks;
  each returns a list of problems (strings), empty when Tekton accepts the value.
- `expressions(text)` is `VariableSubstitutionRegex` (`$(a.b.c)`, `$(a.b[*])`, no spaces,
  no quotes), the form pipeline-level checks (result refs, prefixes, status) look at.
- `result_ref(expression)` is `ParseTaskExpression`: a `ResultRef` for
  `tasks.<t>.results.<r>[...]` / `finally.<t>.results.<r>` / `tasks.<t>.results.<r>.<key>`.

`prefix` arguments are regular expressions, as in Tekton (`r"context\\.task"`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Container, Iterator
from dataclasses import dataclass
from typing import Any

_SUBSTITUTION = r".*?(?:\[\*\])?"
# Tekton's pattern is `\$\(` + prefix + _AFTER_PREFIX.
_AFTER_PREFIX = rf"(?:\.(?P<var1>{_SUBSTITUTION})|\[\"(?P<var2>{_SUBSTITUTION})\"\]|\['(?P<var3>{_SUBSTITUTION})'\])\)"
_AFTER = re.compile(_AFTER_PREFIX)
_ARRAY_INDEX = re.compile(r"\[([0-9])*\*?\]")
_EXPRESSION = re.compile(r"\$\([_a-zA-Z0-9.-]+(?:\.[_a-zA-Z0-9.-]+)*(?:\[(?:[0-9]+|\*)\])?\)")
_EXACT_EXPRESSION = re.compile(r"^\$\([_a-zA-Z0-9.-]+(?:\.[_a-zA-Z0-9.-]+)*(?:\[(?:[0-9]+|\*)\])?\)$")


@functools.lru_cache(maxsize=512)
def _pattern(prefix: str) -> re.Pattern:
    return re.compile(r"\$\(" + prefix + _AFTER_PREFIX)


@functools.lru_cache(maxsize=512)
def _plain(prefix: str) -> str | None:
    """The text `prefix` matches when it is plain text escaped the way the rules build it
    ("params", or "params" + an escaped dot + re.escape(name)), else None."""
    plain = re.sub(r"\\([^A-Za-z0-9])", r"\1", prefix)
    return plain if re.escape(plain) == prefix else None


@functools.lru_cache(maxsize=512)
def _start(prefix: str) -> str:
    """Text every match of `prefix`'s pattern starts with: a cheap test before any regex."""
    plain = _plain(prefix)
    return "$(" if plain is None else "$(" + plain


def _matches(text: str, prefix: str) -> Iterator[tuple[str, str, str, str]]:
    """(var1, var2, var3, the whole `$(...)`) of each match of Tekton's pattern for `prefix`,
    as `finditer` finds them ("" for a group that did not match). A plain prefix is found as
    text and only what follows it matched: the same matches, without compiling a pattern per
    param or workspace name."""
    if _plain(prefix) is None:
        for found in _pattern(prefix).finditer(text):
            yield found.group("var1") or "", found.group("var2") or "", found.group("var3") or "", found.group(0)
        return
    start = _start(prefix)
    at = text.find(start)
    while at != -1:
        match = _AFTER.match(text, at + len(start))
        if match is None:
            at = text.find(start, at + 1)
            continue
        yield match.group("var1") or "", match.group("var2") or "", match.group("var3") or "", text[at : match.end()]
        at = text.find(start, match.end())


@dataclass(frozen=True)
class Variable:
    name: str  # what Tekton compares with the known names (index not yet trimmed)
    entire: str  # the whole matched part after the prefix (`obj.key`, `arr[*]`)
    raw: str  # the `$(...)` text


def extract(text: str, prefix: str) -> tuple[tuple[Variable, ...], str | None]:
    """Variables with `prefix` in text, and Tekton's error for more than two dotted parts."""
    if not isinstance(text, str) or _start(prefix) not in text:
        return (), None
    return _extract(text, prefix)


# Rules extract the same (script, prefix) pairs many times: several checks per field, and the
# same scripts recur in objects across streams and catalog versions. Results are immutable.
@functools.lru_cache(maxsize=8192)
def _extract(text: str, prefix: str) -> tuple[tuple[Variable, ...], str | None]:
    found: list[Variable] = []
    for *groups, raw in _matches(text, prefix):
        name = ""
        for index, value in enumerate(groups):
            if index == 0 and "." in value:
                if len(value.split(".")) > 2:
                    return tuple(found), (
                        f'invalid reference "{raw}": only two dot-separated parts are '
                        f"allowed after the prefix; use the bracket form for names with dots"
                    )
                name = value.split(".", 1)[0]
                break
            if value:
                name = value
                break
        entire = next((value for value in groups if value), "")
        found.append(Variable(name, entire, raw))
    return tuple(found), None


def trim_index(name: str) -> str:
    """`TrimArrayIndex`: drop every `[N]` and `[*]`."""
    return _ARRAY_INDEX.sub("", name)


def unknown(text: str, prefix: str, known: Container[str]) -> list[Variable | str]:
    """Variables naming nothing in `known` (or Tekton's syntax error string)."""
    variables, error = extract(text, prefix)
    if error:
        return [error]
    return [v for v in variables if trim_index(v.name) not in known]


def prohibited(text: str, prefix: str, names: Container[str]) -> list[Variable | str]:
    """Variables naming one of `names` (array params where only strings may go); `[N]` is allowed."""
    variables, error = extract(text, prefix)
    if error:
        return [error]
    return [v for v in variables if _strip_star(v.name) in names]


def entire_prohibited(text: str, prefix: str, names: Collection[str]) -> list[Variable]:
    """Whole-value references (`$(params.obj)`, `$(params.obj[*])`) to one of `names`."""
    if not names:
        return []
    variables, error = extract(text, prefix)
    if error is None:  # the same matches, already read
        return [Variable(_strip_star(v.entire), v.entire, v.raw) for v in variables if _strip_star(v.entire) in names]
    found = []  # extract stopped at its error; this check reads every match
    for *groups, raw in _matches(text, prefix):
        entire = next((g for g in groups if g), "")
        if _strip_star(entire) in names:
            found.append(Variable(_strip_star(entire), entire, raw))
    return found


def not_isolated(text: str, prefix: str, names: Container[str]) -> list[Variable | str]:
    """References to `names` (array params) in a string that holds more than the first reference."""
    variables, error = extract(text, prefix)
    if error:
        return [error]
    if not variables:
        return []
    first = variables[0].raw  # the first match: extract found no error
    if any(_strip_star(v.name) in names for v in variables) and len(first) != len(text):
        return [v for v in variables if _strip_star(v.name) in names]
    return []


def whole_reference(text: str, prefix: str = "params") -> bool:
    """`ValidateWholeArrayOrObjectRefInStringVariable`'s test: the value is exactly `$(params.x[*])`."""
    name = r"[_a-zA-Z0-9.-]+\[\*\]"
    pattern = (
        r"^\$\("
        + prefix
        + r"(\.(?P<var1>"
        + name
        + r")|\[\"(?P<var2>"
        + name
        + r")\"\]|\['(?P<var3>"
        + name
        + r")'\])\)$"
    )
    return isinstance(text, str) and re.match(pattern, text) is not None


def _strip_star(name: str) -> str:
    return name[:-3] if name.endswith("[*]") else name


def expressions(text: Any) -> list[str]:
    """Tekton's `validateString`: the insides of `$(a.b.c)`-shaped expressions."""
    if not isinstance(text, str) or "$(" not in text:
        return []
    return [match.group(0)[2:-1] for match in _EXPRESSION.finditer(text)]


def is_exact_expression(text: Any) -> bool:
    """The whole string is one `$(...)` expression (Tekton's `exactVariableSubstitutionRegex`)."""
    return isinstance(text, str) and _EXACT_EXPRESSION.match(text) is not None


@dataclass(frozen=True)
class ResultRef:
    section: str  # "tasks" or "finally"
    task: str
    result: str
    index: str | None  # "*" or a number, for array results
    key: str | None  # object result key
    expression: str


def looks_like_result_ref(expression: str) -> bool:
    parts = expression.split(".")
    return len(parts) >= 4 and parts[0] in ("tasks", "finally") and parts[2] == "results"


def result_ref(expression: str) -> ResultRef | None:
    """`ParseTaskExpression`: None when the expression is not a (well-formed) result reference."""
    if not looks_like_result_ref(expression):
        return None
    parts = expression.split(".")
    if len(parts) == 4:
        found = _ARRAY_INDEX.search(parts[3])
        index = found.group(0)[1:-1] if found else None
        return ResultRef(parts[0], parts[1], _ARRAY_INDEX.sub("", parts[3]), index or None, None, expression)
    if len(parts) == 5:
        return ResultRef(parts[0], parts[1], parts[3], None, parts[4], expression)
    return None


def result_refs(text: Any) -> list[ResultRef]:
    """Every result reference Tekton finds in a string."""
    return [ref for ref in map(result_ref, expressions(text)) if ref is not None]


def go_value(value: Any) -> tuple[str, Any]:
    """How Tekton's `ParamValue.UnmarshalJSON` reads a value: ("string"|"array"|"object", value).

    A list of strings is an array and a mapping of strings an object; anything else,
    including `[1, 2]` or `{a: 1}`, falls back to a string (its JSON text).
    """
    import json

    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "array", value
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return "object", value
    if isinstance(value, str):
        return "string", value
    if value is None:
        return "string", ""
    try:
        return "string", json.dumps(value, default=str)
    except (TypeError, ValueError):
        return "string", str(value)
