"""The schemas, loaded lazily: the derived CRD/Triggers files and kubernetes-validate's.

A schema node is a plain dict in the compact dialect ``derive`` writes (a JSON Schema
subset with x-kubernetes-* markers). References between nodes:

- ``{"$ref": "k8s:<definition>"}``: a Kubernetes definition of kubernetes-validate;
- ``{"$ref": "triggers:<Type>"}``: a Tekton Triggers Go type;
- ``{"x-okd-decode": REF}``: below a node the CRD preserves, what the webhook decodes, with
  Go's case-insensitive field matching. REF is one of the above, ``crd:<apiVersion>/<Kind>:spec``,
  ``crd:...:embedded`` (a pipeline task's taskSpec), ``list:REF``, ``param-value`` or ``any``.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
FILES = ("tekton-pipeline.json", "argocd.json", "tekton-triggers.json")
# The compiled path's JSON Schemas for the default target, converted ahead of time
# (okd_streams.schema.fast): converting them is most of a worker's start-up otherwise.
PRECONVERTED = "jsonschema.json"
K8S_PREFIX = "/api/_definitions.json#/$defs/"
K8S_LOCAL = "#/$defs/"  # references between kubernetes-validate's own definitions

# Kinds the cluster serves from CRDs we do not ship (OpenShift, operators...): no finding.
Node = dict[str, Any]


@cache
def _file(name: str) -> dict[str, Any]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


# Which data file describes an API group: each is read only when an object of its group is
# checked (Argo CD's is three quarters of the data; a Tekton catalog never needs it).
GROUP_FILES = {
    "tekton.dev": "tekton-pipeline.json",
    "resolution.tekton.dev": "tekton-pipeline.json",
    "triggers.tekton.dev": "tekton-triggers.json",
    "argoproj.io": "argocd.json",
}


@cache
def _kinds_of(name: str) -> dict[str, tuple[str, Node]]:
    origin = "triggers" if "triggers" in name else "crd"
    return {key: (origin, node) for key, node in _file(name)["kinds"].items()}


def _crd_kinds(api_version: str) -> dict[str, tuple[str, Node]]:
    """The derived kinds ("apiVersion/kind" -> (origin, schema)) of the data file for this group."""
    name = GROUP_FILES.get(api_version.rpartition("/")[0])
    return _kinds_of(name) if name else {}


def crd_kind_names(api_version: str) -> frozenset[str]:
    """ "apiVersion/kind" of every derived kind of this apiVersion's group."""
    return frozenset(_crd_kinds(api_version))


@lru_cache(maxsize=1)
def _k8s_schemas() -> Path:
    """kubernetes-validate's schema folder, found without importing the package (its import
    pulls in the jsonschema library: a tenth of a second a process does not need)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("kubernetes-validate is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


def k8s_dir(version: str) -> Path:
    return _k8s_schemas() / f"v{version}.0-local-strict"


def k8s_versions() -> list[str]:
    base = _k8s_schemas()
    found = {m.group(1) for p in base.iterdir() if (m := re.fullmatch(r"v(\d+\.\d+)\.0-local-strict", p.name))}
    return sorted(found, key=lambda v: tuple(int(x) for x in v.split(".")))


@lru_cache(maxsize=4)
def k8s_defs(version: str) -> dict[str, Node]:
    with open(k8s_dir(version) / "_definitions.json", encoding="utf-8") as fh:
        defs: dict[str, Node] = json.load(fh)["$defs"]
    return defs


@cache
def preconverted() -> dict[str, Any]:
    """The pre-converted file ({} when it is missing or unreadable: everything is converted)."""
    try:
        found = _file(PRECONVERTED)
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


@lru_cache(maxsize=4)
def _k8s_kinds(version: str) -> dict[str, str]:
    """apiVersion/kind -> definition name, from the x-kubernetes-group-version-kind markers
    (for the default version, as the pre-converted file lists them: a valid object's check
    then never reads Kubernetes' definitions)."""
    shipped = preconverted()
    if shipped.get("kubernetes") == version and isinstance(shipped.get("k8s-kinds"), dict):
        return dict(shipped["k8s-kinds"])
    return k8s_kinds_of(version)


def k8s_kinds_of(version: str) -> dict[str, str]:
    """`_k8s_kinds`, always read from Kubernetes' definitions."""
    out: dict[str, str] = {}
    for name, node in k8s_defs(version).items():
        gvks = node.get("x-kubernetes-group-version-kind") or []
        if len(gvks) != 1 or "properties" not in node or "metadata" not in node["properties"]:
            continue  # shared types such as DeleteOptions carry many GVKs
        g = gvks[0]
        api = f"{g['group']}/{g['version']}" if g["group"] else g["version"]
        out[f"{api}/{g['kind']}"] = name
    return out


@lru_cache(maxsize=1024)  # a pure function of three strings; asked for every object
def kind_schema(api_version: str, kind: str, k8s_version: str) -> tuple[str, Node] | None:
    """(origin, root node) for an object, or None when no schema is shipped for it."""
    key = f"{api_version}/{kind}"
    found = _crd_kinds(api_version).get(key)
    if found:
        return found
    name = _k8s_kinds(k8s_version).get(key)
    if name:
        return "k8s", {"$ref": "k8s:" + name}
    return None


class Resolver:
    """Resolves the references of one Kubernetes version's schemas."""

    def __init__(self, k8s_version: str) -> None:
        self.k8s_version = k8s_version

    def resolve(self, ref: str) -> Node:
        if ref.startswith("k8s:"):
            return k8s_defs(self.k8s_version)[ref[4:]]
        if ref.startswith(K8S_PREFIX):
            return k8s_defs(self.k8s_version)[ref[len(K8S_PREFIX) :]]
        if ref.startswith(K8S_LOCAL):
            return k8s_defs(self.k8s_version)[ref[len(K8S_LOCAL) :]]
        if ref.startswith("triggers:"):
            return _file("tekton-triggers.json")["defs"][ref[9:]]
        if ref.startswith("list:"):
            return {"type": "array", "items": {"$ref": ref[5:]}}
        if ref.startswith("crd:"):
            return _crd_node(ref)
        if ref == "param-value":
            # Tekton's ParamValue decodes a string, a list or a mapping; other scalars are
            # taken as their text (the oracle admits `default: 3`).
            return {
                "type": ["string", "integer", "number", "boolean", "array", "object"],
                "x-kubernetes-preserve-unknown-fields": True,
            }
        return {"x-kubernetes-preserve-unknown-fields": True}  # "any"


@cache
def _crd_node(ref: str) -> Node:
    key, _, part = ref[4:].rpartition(":")
    spec: Node = _crd_kinds(key.rpartition("/")[0])[key][1]["properties"]["spec"]
    if part == "spec":
        return spec
    # EmbeddedTask: TaskSpec inline plus apiVersion/kind/spec of a custom task and
    # PipelineTaskMetadata (labels, annotations).
    props = dict(spec.get("properties", {}))
    props["apiVersion"] = {"type": "string"}
    props["kind"] = {"type": "string"}
    props["spec"] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    props["metadata"] = {
        "type": "object",
        "properties": {
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    return {**spec, "properties": props}


def sources() -> dict[str, str]:
    return {name.removesuffix(".json"): _file(name).get("source", "") for name in FILES}
