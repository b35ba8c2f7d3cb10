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
