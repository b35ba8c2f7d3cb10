"""What a plain (unquoted) YAML scalar means to Kubernetes, rather than to PyYAML.

kubectl, Argo CD and the API machinery read YAML with go-yaml v2 (through sigs.k8s.io/yaml),
whose reading of a plain scalar differs from PyYAML's YAML 1.1 resolver:

    text        go-yaml v2 (Kubernetes)      PyYAML
    y, N        true, false                  "y", "N"
    10:30       "10:30"                      630 (a base-60 integer)
    1e3         1000.0                       "1e3" (a float needs a dot)
    -.5         -0.5                         "-.5"
    08          8.0                          "08"
    0o17        15                           "0o17"

so a Task whose env value is `10:30` is fine on the cluster, and one whose param is named `n`
is refused ("cannot unmarshal bool into ... of type string"). The loader resolves plain scalars
with `resolve` below, which follows go-yaml v2's resolve(): a table of exact words (booleans,
nulls, infinities), then, for text starting with a digit, a sign or a dot, Go's ParseInt (base
prefixes 0x, 0o, 0b and a leading 0 for octal, underscores ignored), ParseUint and ParseFloat.
A date-like text (2024-01-31) is a timestamp there, which decoding into plain data keeps as its
text, as here. Quoted and block scalars are always strings, in both.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

STR = "tag:yaml.org,2002:str"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
NULL = "tag:yaml.org,2002:null"

_WORDS: dict[str, tuple[str, Any]] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), (BOOL, True)),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), (BOOL, False)),
    **dict.fromkeys(("~", "null", "Null", "NULL"), (NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
}
_NUMERIC_START = frozenset("0123456789+-.")
# strconv.ParseInt(text, 0, 64): a sign, then a base prefix or a leading 0 (octal), or decimal.
_GO_INT = re.compile(r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|(0[0-7]*)|([1-9][0-9]*))\Z")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")  # go-yaml's yamlStyleFloat
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?\Z")  # what ParseFloat takes that starts with a dot
_INT64 = (-(2**63), 2**63 - 1)
_UINT64 = 2**64 - 1


def resolve(text: str) -> tuple[str, Any]:
    """(tag, value) of a plain scalar as go-yaml v2 reads it."""
    if not text:
        return NULL, None
    found = _WORDS.get(text)
    if found is not None:
        return found
    first = text[0]
    if first not in _NUMERIC_START:
        return STR, text
    if first == ".":
        if _DOT_FLOAT.match(text):
            return _float(text)
        return STR, text
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None:
        return INT, number
    if _YAML_FLOAT.match(plain):
        return _float(plain)
    return STR, text


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), then ParseUint (no sign) for what int64 cannot hold."""
    match = _GO_INT.match(text)
    if match is None:
        return None
    sign, hexadecimal, binary, octal, leading_zero, decimal = match.groups()
    if hexadecimal is not None:
        value = int(hexadecimal, 16)
    elif binary is not None:
        value = int(binary, 2)
    elif octal is not None:
        value = int(octal, 8)
    elif leading_zero is not None:
        value = int(leading_zero, 8)
    else:
        value = int(decimal)
    if sign == "-":
        value = -value
    if _INT64[0] <= value <= _INT64[1] or (not sign and value <= _UINT64):
        return value
    return None


def _float(text: str) -> tuple[str, Any]:
    value = float(text)
    # ParseFloat fails on a number too large for a float64 (go-yaml then keeps the text)
    return (FLOAT, value) if not math.isinf(value) else (STR, text)


class KubeResolver(Resolver):
    """PyYAML's resolver, but plain scalars resolved as go-yaml v2 resolves them."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return resolve(value)[0]
        return super().resolve(kind, value, implicit)


class KubeConstructor(SafeConstructor):
    """SafeConstructor whose booleans, integers, floats and nulls are go-yaml v2's: an explicit
    tag (`!!int 0o17`) is read as Go reads its text, and refused when Go refuses it."""

    def _go_scalar(self, node: Any, tag: str) -> Any:
        text = self.construct_scalar(node)
        found_tag, value = resolve(text)
        if found_tag == tag or (tag == FLOAT and found_tag == INT):
            return float(value) if tag == FLOAT else value
        raise ConstructorError(None, None, f"cannot read {text!r} as {tag.rsplit(':', 1)[-1]}", node.start_mark)

    def construct_go_bool(self, node: Any) -> Any:
        return self._go_scalar(node, BOOL)

    def construct_go_int(self, node: Any) -> Any:
        return self._go_scalar(node, INT)

    def construct_go_float(self, node: Any) -> Any:
        return self._go_scalar(node, FLOAT)

    def construct_go_null(self, node: Any) -> Any:
        return self._go_scalar(node, NULL)

    yaml_constructors = {  # noqa: RUF012 - PyYAML's registry, read by the class, never changed here
        **SafeConstructor.yaml_constructors,
        BOOL: construct_go_bool,
        INT: construct_go_int,
        FLOAT: construct_go_float,
        NULL: construct_go_null,
    }


class PureLoader(KubeConstructor, KubeResolver, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader (whose error wording is shown to users), reading plain
    scalars as Kubernetes does."""


if yaml.__with_libyaml__:  # libyaml is an optional part of PyYAML wheels

    class CLoader(KubeConstructor, KubeResolver, yaml.CSafeLoader):
        """libyaml's safe loader, reading plain scalars as Kubernetes does."""

else:  # pragma: no cover - depends on the wheel
    CLoader = PureLoader  # type: ignore[misc, assignment]
