"""A small, safe subset of Go's text/template, as Argo CD's ApplicationSet controller runs it.

Argo CD renders every string field of an ApplicationSet `template` (and its
`templatePatch`) with Go's text/template plus Sprig, over the generator's params. To
verify that offline, okd-streams evaluates the same templates here. Only a subset is
supported, and anything outside it raises `UnsupportedTemplate` naming what is not
supported: a template is never rendered silently wrong.

Supported:
  text, `{{ pipeline }}`, trim markers `{{- ` and ` -}}`, comments `{{/* ... */}}`,
  `{{ if }}` / `{{ else if }}` / `{{ else }}` / `{{ end }}`,
  fields `.a.b.c` and `.`, string ("..." and `...`), integer, float, bool and nil literals,
  parenthesised pipelines, `|` pipes, and the functions eq, ne, not, and, or, and
  Argo CD's normalize.
Not supported (UnsupportedTemplate): variables (`$x`), range, with, define, template,
block, break, continue, any other function (Sprig's included).

Go semantics kept: missingkey options (`default`/`invalid`/`zero` print "<no value>",
`error` fails with `map has no entry for key "x"`), an explicit null prints "<no value>"
too (text/template unwraps the nil interface{} to an invalid value before printing),
`if` truth (false, 0, "", empty map or list, nil are false), eq/ne comparing only
values of the same basic kind (a number against a string is "incompatible types for
comparison"), numbers from a generator are JSON numbers (float64) and print as Go's %v
does (1e+06), and printing a map or a list is refused rather than guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

__all__ = ["MISSING", "TemplateError", "UnsupportedTemplate", "parse", "render", "sanitize_name"]


class TemplateError(Exception):
    """The template fails the way Go's text/template would fail (parse or execute)."""


class UnsupportedTemplate(TemplateError):
    """The template uses Go template features okd-streams does not emulate."""


class _Missing:
    """A map lookup that found nothing (Go: an invalid reflect.Value)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

_SPACE = " \t\r\n"
_MISSINGKEY = {"default", "invalid", "zero", "error"}


# ---------------------------------------------------------------- nodes


@dataclass
class Text:
    text: str


@dataclass
class Field:
    names: tuple[str, ...]  # () is `.` itself


@dataclass
class Literal:
    value: Any


@dataclass
class Func:
    name: str


@dataclass
class Command:
    args: list  # Field | Literal | Func | Pipeline


@dataclass
class Pipeline:
    commands: list[Command]
    source: str = ""


@dataclass
class Action:
    pipeline: Pipeline


@dataclass
class If:
    branches: list[tuple[Pipeline, list]] = field(default_factory=list)  # (condition, body)
    otherwise: list | None = None


# ---------------------------------------------------------------- lexing


def _split(template: str) -> list[tuple[str, str]]:
    """Text and action pieces, with Go's trim markers applied: [("text", s) | ("action", s)]."""
    pieces: list[tuple[str, str]] = []
    pos = 0
    trim_next = False
    while True:
        start = template.find("{{", pos)
        if start < 0:
            text = template[pos:]
            pieces.append(("text", text.lstrip(_SPACE) if trim_next else text))
            break
        text = template[pos:start]
        if trim_next:
            text = text.lstrip(_SPACE)
        inner_start = start + 2
        if (
            template.startswith("-", inner_start)
            and inner_start + 1 < len(template)
            and template[inner_start + 1] in _SPACE
        ):
            text = text.rstrip(_SPACE)
            inner_start += 2
        pieces.append(("text", text))
        end, inner_end, trim_next = _action_end(template, inner_start)
        pieces.append(("action", template[inner_start:inner_end]))
        pos = end
    return [piece for piece in pieces if piece != ("text", "")]


def _action_end(template: str, start: int) -> tuple[int, int, bool]:
    """Where the action opened at `start` closes: (after `}}`, end of its content, right-trim)."""
    i = start
    stripped = template[start:].lstrip(_SPACE)
    if stripped.startswith("/*"):
        close = template.find("*/", i)
        if close < 0:
            raise TemplateError("unclosed comment")
        i = close + 2
    while i < len(template):
        char = template[i]
        if char in "\"`'":
            i = _skip_quoted(template, i)
            continue
        if template.startswith("}}", i):
            if i >= 2 and template[i - 1] == "-" and template[i - 2] in _SPACE and i - 2 >= start:
                return i + 2, i - 2, True
            return i + 2, i, False
        i += 1
    raise TemplateError('unclosed action (no matching "}}")')


def _skip_quoted(text: str, i: int) -> int:
    quote = text[i]
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and quote != "`":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        if text[j] == "\n" and quote != "`":
            break
        j += 1
    raise TemplateError(f"unterminated quoted string in action: {text[i : i + 20]!r}")


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\\n]|\\.)*')
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
  | (?P<dot>\.)
  | (?P<variable>\$[A-Za-z0-9_]*)
  | (?P<number>[+-]?(?:\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?|0[xXoObB][0-9a-fA-F_]+|\d+))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>:=|=|\||\(|\)|,)
""",
    re.VERBOSE,
)


def _tokens(source: str) -> list[tuple[str, str]]:
    tokens = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match:
            raise TemplateError(f"unexpected {source[pos]!r} in action {{{{{source}}}}}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append((kind, match.group()))
        pos = match.end()
    return tokens


_KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}
_UNSUPPORTED_KEYWORDS = {"range", "with", "define", "template", "block", "break", "continue"}


# ---------------------------------------------------------------- parsing


def parse(template: str) -> list:
    """Parse `template` into nodes; TemplateError / UnsupportedTemplate on anything wrong."""
    if not isinstance(template, str):
        raise TemplateError(f"a template must be a string, not {type(template).__name__}")
    stack: list[tuple[If | None, list]] = [(None, [])]
    for kind, piece in _split(template):
        body = stack[-1][1]
        if kind == "text":
            body.append(Text(piece))
            continue
        stripped = piece.strip(_SPACE)
        if stripped.startswith("/*"):
            if not stripped.endswith("*/"):
                raise TemplateError("comment ends before the closing delimiter")
            continue
        tokens = _tokens(piece)
        if not tokens:
            raise TemplateError("missing value for command (empty action {{ }})")
        head_kind, head = tokens[0]
        if head_kind == "ident" and head in _UNSUPPORTED_KEYWORDS:
            raise UnsupportedTemplate(f"{{{{ {head} }}}} is not supported offline (okd-streams emulates if/else/end)")
        if head_kind == "ident" and head == "if":
            node = If()
            node.branches.append((_pipeline(tokens[1:], piece), []))
            body.append(node)
            stack.append((node, node.branches[-1][1]))
        elif head_kind == "ident" and head == "else":
            current = stack[-1][0]
            if current is None or current.otherwise is not None:
                raise TemplateError("unexpected {{else}}")
            if len(tokens) > 1:
                if tokens[1] != ("ident", "if"):
                    raise UnsupportedTemplate(f"{{{{ else {tokens[1][1]} }}}} is not supported offline")
                current.branches.append((_pipeline(tokens[2:], piece), []))
                stack[-1] = (current, current.branches[-1][1])
            else:
                current.otherwise = []
                stack[-1] = (current, current.otherwise)
        elif head_kind == "ident" and head == "end":
            if len(tokens) > 1:
                raise TemplateError("unexpected tokens after {{end}}")
            if stack[-1][0] is None:
                raise TemplateError("unexpected {{end}}")
            stack.pop()
        else:
            body.append(Action(_pipeline(tokens, piece)))
    if len(stack) != 1:
        raise TemplateError("unexpected EOF: an {{if}} has no {{end}}")
    return stack[0][1]


def _pipeline(tokens: list[tuple[str, str]], source: str) -> Pipeline:
    if not tokens:
        raise TemplateError(f"missing value for command in {{{{{source}}}}}")
    parser = _PipelineParser(tokens, source)
    result = parser.pipeline()
    if parser.pos != len(tokens):
        raise TemplateError(f"unexpected {tokens[parser.pos][1]!r} in {{{{{source}}}}}")
    return result


class _PipelineParser:
    def __init__(self, tokens: list[tuple[str, str]], source: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.source = source

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def pipeline(self) -> Pipeline:
        commands = [self.command()]
        while self.peek() == ("punct", "|"):
            self.pos += 1
            commands.append(self.command())
        for later in commands[1:]:
            if not isinstance(later.args[0], Func):
                raise TemplateError(
                    f"non executable command in pipeline stage {len(commands)} of {{{{{self.source}}}}}"
                )
        return Pipeline(commands, self.source)

    def command(self) -> Command:
        args = []
        while True:
            token = self.peek()
            if token is None or token in (("punct", "|"), ("punct", ")")):
                break
            args.append(self.operand())
        if not args:
            raise TemplateError(f"missing value for command in {{{{{self.source}}}}}")
        for arg in args[1:]:
            if isinstance(arg, Func):
                raise TemplateError(f"function {arg.name!r} used as an argument; wrap it in parentheses")
        return Command(args)

    def operand(self) -> Field | Literal | Func | Pipeline:
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "field":
            return Field(tuple(text[1:].split(".")))
        if kind == "dot":
            return Field(())
        if kind == "string":
            return Literal(_unquote(text))
        if kind == "raw":
            return Literal(text[1:-1])
        if kind == "number":
            return Literal(_number(text))
        if kind == "char":
            raise UnsupportedTemplate(f"character constants ({text}) are not supported offline")
        if kind == "variable":
            raise UnsupportedTemplate(f"template variables ({text}) are not supported offline")
        if kind == "punct" and text == "(":
            inner = self.pipeline()
            if self.peek() != ("punct", ")"):
                raise TemplateError(f"unclosed left paren in {{{{{self.source}}}}}")
            self.pos += 1
            return inner
        if kind == "ident":
            if text in ("true", "false"):
                return Literal(text == "true")
            if text == "nil":
                return Literal(None)
            if text in _KEYWORDS:
                raise TemplateError(f"unexpected keyword {text!r} in {{{{{self.source}}}}}")
            if text not in FUNCTIONS:
                raise UnsupportedTemplate(
                    f"function {text!r} is not supported offline (supported: {', '.join(sorted(FUNCTIONS))})"
                )
            return Func(text)
        raise TemplateError(f"unexpected {text!r} in {{{{{self.source}}}}}")


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str) -> str:
    body = text[1:-1]
    out = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1] if i + 1 < len(body) else ""
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        elif code in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[code]
            digits = body[i + 2 : i + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise TemplateError(f"invalid escape in string {text}")
            out.append(chr(int(digits, 16)))
            i += 2 + width
        else:
            raise UnsupportedTemplate(f"escape \\{code} in string {text} is not supported offline")
    return "".join(out)


def _number(text: str) -> int | float:
    cleaned = text.lstrip("+")
    if re.fullmatch(r"-?\d+", cleaned):
        return int(cleaned)
    if re.fullmatch(r"-?0[xXoObB][0-9a-fA-F_]+", cleaned):
        raise UnsupportedTemplate(f"number {text} (non-decimal) is not supported offline")
    return float(cleaned)


# ---------------------------------------------------------------- functions


def _kind(value: Any) -> str:
    if value is MISSING or value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "slice"
    return "other"


def _eq(first: Any, *others: Any) -> bool:
    if not others:
        raise TemplateError("error calling eq: missing argument for comparison")
    k1 = _kind(first)
    for other in others:
        k2 = _kind(other)
        if k1 != k2:
            if k1 != "invalid" and k2 != "invalid":
                raise TemplateError("error calling eq: incompatible types for comparison")
            continue
        if k1 in ("map", "slice"):
            raise TemplateError(f"error calling eq: non-comparable type {k1}")
        if k1 == "invalid" or first == other:
            return True
    return False


def _ne(first: Any, second: Any) -> bool:
    return not _eq(first, second)


def truth(value: Any) -> bool:
    """Go's template truth: false, 0, "", nil and empty maps/lists are false."""
    if value is MISSING or value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, (str, dict, list)):
        return len(value) > 0
    return True


_INVALID_DNS = re.compile(r"[^-a-z0-9.]")


def sanitize_name(name: str) -> str:
    """Argo CD's utils.SanitizeName (the `normalize` function, basenameNormalized)."""
    name = _INVALID_DNS.sub("-", name.lower())[:253]
    return name.strip("-.")


def _normalize(value: Any) -> str:
    if not isinstance(value, str):
        raise TemplateError(f"error calling normalize: wrong type for value; expected string; got {_go_type(value)}")
    return sanitize_name(value)


def _go_type(value: Any) -> str:
    return {
        "invalid": "<nil>",
        "bool": "bool",
        "int": "int",
        "float": "float64",
        "string": "string",
        "map": "map[string]interface {}",
        "slice": "[]interface {}",
    }.get(_kind(value), type(value).__name__)


# and / or / not are handled lazily in _call; the others are plain functions
FUNCTIONS: dict[str, Callable[..., Any] | None] = {
    "eq": _eq,
    "ne": _ne,
    "not": None,
    "and": None,
    "or": None,
    "normalize": _normalize,
}


# ---------------------------------------------------------------- execution


@dataclass
class _State:
    data: Any
    missingkey: str


def render(template: str, data: Any, options: list[str] | tuple[str, ...] = ()) -> str:
    """Render `template` over `data` like Go's text/template with Argo CD's `goTemplateOptions`."""
    missingkey = "default"
    for option in options:
        if not isinstance(option, str):
            raise TemplateError(f"goTemplateOptions must be strings, not {option!r}")
        key, sep, value = option.partition("=")
        if key != "missingkey" or not sep or value not in _MISSINGKEY:
            raise TemplateError(f"unrecognized goTemplateOptions entry {option!r} (Go panics: unrecognized option)")
        missingkey = value
    state = _State(data, missingkey)
    out: list[str] = []
    _run(parse(template), state, out)
    return "".join(out)


def _run(nodes: list, state: _State, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Action):
            out.append(go_print(_evaluate(node.pipeline, state)))
        elif isinstance(node, If):
            for condition, body in node.branches:
                if truth(_evaluate(condition, state)):
                    _run(body, state, out)
                    break
            else:
                if node.otherwise is not None:
                    _run(node.otherwise, state, out)


def _evaluate(pipeline: Pipeline, state: _State) -> Any:
    """Evaluate an action's pipeline; an error carries the fields the action reads (`error.fields`)."""
    try:
        return _pipe(pipeline, state)
    except TemplateError as exc:
        if not getattr(exc, "fields", None):
            exc.fields = tuple(_fields(pipeline))  # type: ignore[attr-defined]
        raise


def _fields(node: Any) -> list[tuple[str, ...]]:
    if isinstance(node, Field):
        return [node.names] if node.names else []
    if isinstance(node, Pipeline):
        return [f for command in node.commands for arg in command.args for f in _fields(arg)]
    return []


def _pipe(pipeline: Pipeline, state: _State) -> Any:
    value: Any = MISSING
    for index, command in enumerate(pipeline.commands):
        value = _command(command, state, value if index else None, piped=index > 0, source=pipeline.source)
    return value


def _command(command: Command, state: _State, previous: Any, piped: bool, source: str) -> Any:
    head = command.args[0]
    if isinstance(head, Func):
        args = command.args[1:]
        return _call(head.name, args, state, previous, piped)
    if len(command.args) > 1 or piped:
        raise TemplateError(f"can't give argument to non-function in {{{{{source}}}}}")
    return _value(head, state)


def _call(name: str, args: list, state: _State, previous: Any, piped: bool) -> Any:
    values: list[Callable[[], Any]] = [partial(_value, a, state) for a in args]
    if piped:
        values.append(lambda: previous)
    if name == "not":
        if len(values) != 1:
            raise TemplateError(f"wrong number of args for not: want 1 got {len(values)}")
        return not truth(values[0]())
    if name in ("and", "or"):
        if not values:
            raise TemplateError(f"wrong number of args for {name}: want at least 1 got 0")
        result = MISSING
        for thunk in values:
            result = thunk()
            if (name == "and") != truth(result):
                return result
        return result
    function = FUNCTIONS[name]
    assert function is not None
    evaluated = [thunk() for thunk in values]
    if name == "eq" and not evaluated:
        raise TemplateError("wrong number of args for eq: want at least 1 got 0")
    if name == "ne" and len(evaluated) != 2:
        raise TemplateError(f"wrong number of args for ne: want 2 got {len(evaluated)}")
    if name == "normalize" and len(evaluated) != 1:
        raise TemplateError(f"wrong number of args for normalize: want 1 got {len(evaluated)}")
    return function(*evaluated)


def _value(node: Any, state: _State) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Pipeline):
        return _pipe(node, state)
    if isinstance(node, Field):
        return _field(state.data, node.names, state)
    raise TemplateError(f"cannot evaluate {node!r}")  # pragma: no cover - parser prevents it


def _field(data: Any, names: tuple[str, ...], state: _State) -> Any:
    value = data
    for index, name in enumerate(names):
        shown = "." + ".".join(names[: index + 1])
        if value is MISSING:
            if state.missingkey == "error":
                raise TemplateError(f'nil data; no entry for key "{name}" (at <{shown}>)')
            return MISSING
        if value is None:
            raise TemplateError(f"nil pointer evaluating interface {{}}.{name} (at <{shown}>)")
        if not isinstance(value, dict):
            raise TemplateError(f"can't evaluate field {name} in type {_go_type(value)} (at <{shown}>)")
        if name not in value:
            if state.missingkey == "error":
                raise TemplateError(f'map has no entry for key "{name}" (at <{shown}>)')
            value = MISSING
            continue
        value = value[name]
    return value


def go_print(value: Any) -> str:
    """What Go's template prints for a value (fmt.Fprint), for the kinds a generator yields."""
    if value is MISSING or value is None:
        # Go: a nil interface{} is unwrapped to an invalid reflect.Value, printed as "<no value>"
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return value
    raise UnsupportedTemplate(
        f"printing a {_go_type(value)} is not supported offline (Go would print it "
        "in its own map[...] / [...] syntax); print one of its fields instead"
    )


def go_float(value: float) -> str:
    """Go's %v for a float64: strconv.FormatFloat(f, 'g', -1, 64), so 1e+06 but 100000."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    digits, exponent = _shortest(value)
    sign = "-" if value < 0 else ""
    # %g with the shortest digits switches to %e when exp < -4 || exp >= 6 (strconv's eprec for -1).
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    point = exponent + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _shortest(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of |value| and its decimal exponent (d.ddd x 10^exp)."""
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition("e")
    exponent = int(exp_text) if exp_text else 0
    whole, _, fraction = mantissa.partition(".")
    if fraction == "0":
        fraction = ""
    digits = (whole + fraction).lstrip("0")
    leading = len(whole) - 1 if whole != "0" else -(len(fraction) - len(fraction.lstrip("0")) + 1)
    digits = digits.rstrip("0") or "0"
    return digits, exponent + leading
