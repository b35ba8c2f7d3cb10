"""Param declarations and values in Tekton's terms: types as the webhook defaults them."""

from __future__ import annotations

import re
from typing import Any

TYPES = ("string", "array", "object")
# String and array param names may contain dots; object param names and keys may not.
PARAM_NAME = re.compile(r"^[_a-zA-Z][_a-zA-Z0-9.-]*$")
OBJECT_PARAM_NAME = re.compile(r"^[_a-zA-Z][_a-zA-Z0-9-]*$")
RESULT_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def value_type(value: Any) -> str | None:
    """The Tekton type of a param value or default: string, array or object (None: not valid)."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (bool, int, float)):
        # Kubernetes would decode an unquoted number or boolean as a non-string: Tekton's
        # ParamValue unmarshals it as a string all the same.
        return "string"
    return None


def declared_type(spec: dict) -> str:
    """A ParamSpec's type after Tekton's defaulting (ParamSpec.SetDefaults)."""
    declared = spec.get("type")
    if declared in TYPES:
        return declared
    if isinstance(spec.get("properties"), dict):
        return "object"
    default = spec.get("default")
    if isinstance(default, list):
        return "array"
    if isinstance(default, dict):
        return "object"
    return "string"


def has_default(spec: dict) -> bool:
    return "default" in spec and spec.get("default") is not None


def specs(declarations: Any) -> dict[str, dict]:
    """name -> ParamSpec for a `params` list, keeping the first of duplicates."""
    found: dict[str, dict] = {}
    if isinstance(declarations, list):
        for item in declarations:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                found.setdefault(item["name"], item)
    return found


def properties(spec: dict) -> dict[str, Any]:
    props = spec.get("properties")
    return props if isinstance(props, dict) else {}


def enum(spec: dict) -> list[str] | None:
    values = spec.get("enum")
    return [str(v) for v in values] if isinstance(values, list) else None


def describe_value(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "..."
