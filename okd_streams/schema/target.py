"""The target the checks judge against: what the cluster runs (``target:`` in .okd-streams.yaml)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

API_LEVELS = ("stable", "beta", "alpha")

# Tekton's defaults (config/feature_flags.go); a flag not listed is kept as given, as a string
# or a bool, so a newer Tekton flag does not need a release of this toolkit.
DEFAULT_FLAGS: dict[str, Any] = {
    "enable-api-fields": "beta",
    "enable-param-enum": False,
    "enable-cel-in-whenexpression": False,
    "enable-step-actions": True,
    "enable-artifacts": False,
    "enable-concise-resolver-syntax": False,
    "enable-kubernetes-sidecar": False,
    "disable-inline-spec": "",
}

TARGET_KEYS = ("kubernetes", "tekton-feature-flags", "argocd")


class TargetError(ValueError):
    """A ``target:`` mapping that cannot be used; the message says which key and why."""


@dataclass(frozen=True)
class Target:
    kubernetes: str = "1.32"
    tekton_feature_flags: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_FLAGS))
    argocd: str = "3.x"

    @cached_property
    def key(self) -> tuple:
        """A hashable value equal for equal targets (the flags are a mapping); worked out once,
        since the engine keys every object's findings on it."""
        return self.kubernetes, tuple(sorted((k, str(v)) for k, v in self.tekton_feature_flags.items())), self.argocd

    def flag(self, name: str) -> Any:
        return self.tekton_feature_flags.get(name, DEFAULT_FLAGS.get(name))

    def api_fields_allow(self, level: str) -> bool:
        """Whether enable-api-fields enables fields of ``level`` (alpha enables beta too)."""
        have = str(self.flag("enable-api-fields"))
        return API_LEVELS.index(have) >= API_LEVELS.index(level)

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None) -> Target:
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise TargetError("target: must be a mapping")
        unknown = sorted(str(k) for k in raw if k not in TARGET_KEYS)
        if unknown:
            raise TargetError(f"target: unknown key {unknown[0]!r}; known: " + ", ".join(TARGET_KEYS))
        kubernetes = _kubernetes(raw.get("kubernetes", "1.32"))
        argocd = str(raw.get("argocd", "3.x"))
        if not re.fullmatch(r"\d+(\.(\d+|x))?", argocd):
            raise TargetError(f"target.argocd: {argocd!r} is not a version like 3.x or 3.1")
        return cls(kubernetes, _flags(raw.get("tekton-feature-flags") or {}), argocd)


def _kubernetes(value: Any) -> str:
    from okd_streams.schema.store import k8s_versions

    text = str(value)
    m = re.fullmatch(r"v?(\d+\.\d+)(\.\d+)?", text)
    versions = k8s_versions()
    if not m or m.group(1) not in versions:
        raise TargetError(
            f"target.kubernetes: {text!r} is not a Kubernetes version this "
            f"toolkit has schemas for ({versions[0]} to {versions[-1]})"
        )
    return m.group(1)


def _flags(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise TargetError("target.tekton-feature-flags: must be a mapping of flag: value")
    flags = dict(DEFAULT_FLAGS)
    for key, value in raw.items():
        name = str(key)
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
            raise TargetError(f"target.tekton-feature-flags: {name!r} is not a flag name")
        default = DEFAULT_FLAGS.get(name)
        if name == "enable-api-fields":
            if value not in API_LEVELS:
                raise TargetError(
                    f"target.tekton-feature-flags.enable-api-fields: {value!r} is not one of {', '.join(API_LEVELS)}"
                )
        elif isinstance(default, bool):
            value = _bool(name, value)
        flags[name] = value
    return flags


def _bool(name: str, value: Any) -> bool:
    # Tekton's ConfigMap holds strings: "true"/"false" are what its parser accepts.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TargetError(f"target.tekton-feature-flags.{name}: {value!r} is not true or false")
