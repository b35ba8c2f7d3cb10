"""Derive the compact schemas shipped in okd_streams/schema/data from ../shared/schemas.

Run as ``python -m okd_streams.schema.derive [--check] [--source DIR]`` (``make schemas``).
The output keeps what decides validity (types, required, enum, format, pattern, properties,
items, additionalProperties, nullable, x-kubernetes-* markers) and drops descriptions,
defaults and status. Where a CRD preserves unknown fields but Tekton's webhook still decodes
a Go type there, the node gets an ``x-okd-decode`` reference to the shape the webhook decodes
(matched case-insensitively, as Go's encoding/json does).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from okd_streams.files.loader import load_all_fast
from okd_streams.schema import fast, store

DATA_DIR = Path(__file__).parent / "data"
ENV_VAR = "OKD_STREAMS_SCHEMA_SOURCE"

# Keys of a CRD schema node that decide validity; everything else is dropped.
KEEP = {
    "type",
    "properties",
    "required",
    "enum",
    "format",
    "pattern",
    "items",
    "additionalProperties",
    "nullable",
    "maxLength",
    "minLength",
    "minimum",
    "maximum",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
}

K8S = "k8s:io.k8s.api.core.v1."
OBJECT_META = "k8s:io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

# What Tekton's webhook decodes below a CRD node that preserves unknown fields, by the
# node's property name (Go types of tektoncd/pipeline pkg/apis/pipeline/v1 and v1beta1).
TEKTON_DECODE = {
    "value": "param-value",  # ParamValue: string | []string | map[string]string
    "default": "param-value",
    "affinity": K8S + "Affinity",
    "securityContext": K8S + "PodSecurityContext",
    "volumeClaimTemplate": K8S + "PersistentVolumeClaim",
}


def default_source() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas"


def _compact(node: Any, path: tuple[str, ...], decode: dict[str | tuple[str, ...], Any]) -> Any:
    """Strip a CRD schema node; ``decode`` maps a preserved node's path to its Go shape."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in KEEP:
            continue
        if key == "properties":
            out[key] = {p: _compact(s, path + (p,), decode) for p, s in sorted(value.items())}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _compact(value, path + ("[]",), decode)
        else:
            out[key] = value
    if out.get("x-kubernetes-preserve-unknown-fields") and "properties" not in out:
        ref = decode.get(path) if path in decode else _tekton_decode(path, decode)
        if ref:
            out["x-okd-decode"] = ref
    return out


def _tekton_decode(path: tuple[str, ...], decode: dict[str | tuple[str, ...], Any]) -> str | None:
    if not decode.get("tekton"):
        return None
    api = decode["apiVersion"]
    name = path[-1] if path else ""
    if name == "volumes":
        return "list:" + K8S + "Volume"
    if name == "pipelineSpec":
        return f"crd:{api}/Pipeline:spec"
    if name == "taskSpec":
        # A pipeline task embeds EmbeddedTask (TaskSpec plus type/metadata of custom tasks).
        in_pipeline = any(p in ("tasks", "finally") for p in path)
        return f"crd:{api}/Task:embedded" if in_pipeline else f"crd:{api}/Task:spec"
    if name == "spec" and "customSpec" in path:
        return "any"
    return TEKTON_DECODE.get(name)


def _crd_kinds(doc: dict[str, Any], tekton: bool) -> dict[str, Any]:
    group = doc["spec"]["group"]
    kind = doc["spec"]["names"]["kind"]
    out: dict[str, Any] = {}
    for version in doc["spec"]["versions"]:
        if not version.get("served"):
            continue
        api = f"{group}/{version['name']}"
        raw = version["schema"]["openAPIV3Schema"]
        decode: dict[str | tuple[str, ...], Any] = {"tekton": tekton, "apiVersion": api}
        schema = _compact(raw, (), decode)
        props = schema.setdefault("properties", {})
        # status is the controllers' business: the API server ignores it on create.
        props["status"] = {"x-kubernetes-preserve-unknown-fields": True}
        props["metadata"] = {"$ref": OBJECT_META}
        if tekton:
            _mark_durations(schema, ())
        out[f"{api}/{kind}"] = schema
    return out


def _mark_durations(node: Any, path: tuple[str, ...]) -> None:
    """Tekton's timeouts are metav1.Duration: Go duration strings (the CRD says so in prose)."""
    if not isinstance(node, dict):
        return
    name = path[-1] if path else ""
    parent = path[-2] if len(path) > 1 else ""
    if node.get("type") == "string" and (name == "timeout" or parent == "timeouts"):
        node["format"] = "duration"
    for key, sub in (node.get("properties") or {}).items():
        _mark_durations(sub, path + (key,))
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            _mark_durations(node[key], path + ("[]",))


def _load_crds(folder: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for file in sorted(folder.glob("*.yaml")):
        documents = load_all_fast(file.read_text(encoding="utf-8"))
        docs.extend(d for d in documents if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition")
    return docs


# The Triggers Go types refer to types of other packages; each maps to what decodes there.
TRIGGERS_EXTERNAL: dict[str, Any] = {
    "k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta": {"$ref": OBJECT_META},
    "k8s.io/apimachinery/pkg/apis/meta/v1.ListMeta": {"type": "object"},
    "k8s.io/apimachinery/pkg/apis/meta/v1.LabelSelector": {
        "$ref": "k8s:io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"
    },
    "k8s.io/api/core/v1.ObjectReference": {"$ref": K8S + "ObjectReference"},
    "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1.JSON": {},
    "knative.dev/pkg/apis.URL": {"type": "string"},
    "knative.dev/pkg/apis.Condition": {},
    "knative.dev/pkg/apis/duck/v1beta1.Addressable": {},
    "knative.dev/pkg/apis/duck/v1.WithPodSpec": {
        "type": "object",
        "properties": {
            "template": {
                "type": "object",
                "properties": {"metadata": {"$ref": OBJECT_META}, "spec": {"$ref": K8S + "PodSpec"}},
            }
        },
    },
    "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1.Param": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "value": {"x-okd-decode": "param-value"}},
    },
}

TRIGGERS_KINDS = (
    "ClusterInterceptor",
    "ClusterTriggerBinding",
    "EventListener",
    "Interceptor",
    "Trigger",
    "TriggerBinding",
    "TriggerTemplate",
)
# Spec type per kind; Interceptor kinds live in v1alpha1 and are not in the v1beta1 types.
TRIGGERS_SPEC = {
    "ClusterTriggerBinding": "TriggerBindingSpec",
    "EventListener": "EventListenerSpec",
    "Trigger": "TriggerSpec",
    "TriggerBinding": "TriggerBindingSpec",
    "TriggerTemplate": "TriggerTemplateSpec",
}


def _triggers_def(node: Any) -> Any:
    if isinstance(node, list):
        return [_triggers_def(x) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        return dict(TRIGGERS_EXTERNAL[ref]) if "/" in ref or "." in ref else {"$ref": f"triggers:{ref}"}
    out = {}
    for key, value in node.items():
        # Go's decoder enforces no "required": a missing field is the zero value, which
        # Triggers' own validation judges; keep only the shape.
        if key in ("description", "required"):
            continue
        if key == "properties":
            out[key] = {p: _triggers_def(s) for p, s in sorted(value.items())}
        else:
            out[key] = _triggers_def(value)
    return out


# v1alpha1's TriggerInterceptor still decodes the interceptors v1beta1 dropped (Triggers'
# pkg/apis/triggers/v1alpha1/trigger_types.go: DeprecatedGitHub, DeprecatedGitLab,
# DeprecatedBitbucket, DeprecatedCEL), strictly, as the Triggers webhook's decode shows; the
# v1beta1 types file does not describe them, so their shapes are given here.
_EVENT_INTERCEPTOR = {
    "type": "object",
    "properties": {
        "secretRef": {"$ref": "triggers:SecretRef"},
        "eventTypes": {"type": "array", "items": {"type": "string"}},
    },
}
V1ALPHA1_INTERCEPTORS = {
    "github": _EVENT_INTERCEPTOR,
    "gitlab": _EVENT_INTERCEPTOR,
    "bitbucket": _EVENT_INTERCEPTOR,
    "cel": {
        "type": "object",
        "properties": {
            "filter": {"type": "string"},
            "overlays": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"key": {"type": "string"}, "expression": {"type": "string"}},
                },
            },
        },
    },
}
V1ALPHA1 = "v1alpha1-"  # prefix of the definitions v1alpha1 kinds use where they differ


def _v1alpha1_defs(defs: dict[str, Any]) -> dict[str, Any]:
    """Copies of the definitions that lead to TriggerInterceptor, for v1alpha1 kinds, with
    the deprecated interceptors added."""

    def refs(node: Any) -> set[str]:
        if isinstance(node, dict):
            found = {node["$ref"][len("triggers:") :]} if str(node.get("$ref", "")).startswith("triggers:") else set()
            return found.union(*(refs(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(refs(v) for v in node))
        return set()

    differ = {"TriggerInterceptor"}
    while True:  # every definition that reaches one that differs, differs
        more = {name for name, node in defs.items() if name not in differ and refs(node) & differ}
        if not more:
            break
        differ |= more

    def renamed(node: Any) -> Any:
        if isinstance(node, dict):
            ref = str(node.get("$ref", ""))
            if ref.startswith("triggers:") and ref[len("triggers:") :] in differ:
                return {"$ref": f"triggers:{V1ALPHA1}{ref[len('triggers:') :]}"}
            return {k: renamed(v) for k, v in node.items()}
        if isinstance(node, list):
            return [renamed(v) for v in node]
        return node

    out = {V1ALPHA1 + name: renamed(defs[name]) for name in sorted(differ)}
    interceptor = out[V1ALPHA1 + "TriggerInterceptor"]
    interceptor["properties"] = dict(sorted({**interceptor["properties"], **V1ALPHA1_INTERCEPTORS}.items()))
    return out


def _triggers(folder: Path) -> dict[str, Any]:
    with open(folder / "triggers-v1beta1-types.json", encoding="utf-8") as fh:
        types = json.load(fh)
    defs = {
        name: _triggers_def(d)
        for name, d in sorted(types["definitions"].items())
        if not name.endswith("List") and not name.endswith("Status")
    }
    defs.update(_v1alpha1_defs(defs))
    kinds: dict[str, Any] = {}
    for crd in _load_crds(folder):
        kind = crd["spec"]["names"]["kind"]
        spec = TRIGGERS_SPEC.get(kind)
        for version in crd["spec"]["versions"]:
            if not version.get("served"):
                continue
            api = f"{crd['spec']['group']}/{version['name']}"
            # v1alpha1 is served from the same Go shapes, but for the deprecated interceptors.
            served = V1ALPHA1 + spec if spec and version["name"] == "v1alpha1" and V1ALPHA1 + spec in defs else spec
            kinds[f"{api}/{kind}"] = {
                "type": "object",
                "properties": {
                    "apiVersion": {"type": "string"},
                    "kind": {"type": "string"},
                    "metadata": {"$ref": OBJECT_META},
                    "spec": {"x-okd-decode": f"triggers:{served}"}
                    if served
                    else {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                },
            }
    return {"source": types.get("source", ""), "kinds": kinds, "defs": defs}


def derive(source: Path) -> dict[str, Any]:
    """Return {file name: JSON-able document} for every shipped schema file."""
    files: dict[str, Any] = {}
    for name, folder, tekton in (("tekton-pipeline", "tekton-pipeline", True), ("argocd", "argocd", False)):
        kinds: dict[str, Any] = {}
        for crd in _load_crds(source / folder):
            kinds.update(_crd_kinds(crd, tekton))
        files[f"{name}.json"] = {"source": _source_line(source, folder), "kinds": kinds}
    trig = _triggers(source / "tekton-triggers")
    trig["source"] = _source_line(source, "tekton-triggers") + "; " + trig["source"]
    files["tekton-triggers.json"] = trig
    return files


def _source_line(source: Path, folder: str) -> str:
    """The upstream repository and commit, as the schemas README's table names them."""
    try:
        text = (source / "README.md").read_text(encoding="utf-8")
    except OSError:
        return folder
    for line in text.splitlines():
        if line.startswith(f"| {folder}"):
            return line.rsplit("|", 2)[-2].strip()
    return folder


def render(doc: Any) -> str:
    # One key per line: a re-derivation after an upstream bump diffs readably.
    return json.dumps(doc, indent=1, sort_keys=True, separators=(",", ":")) + "\n"


def render_compact(doc: dict[str, Any]) -> str:
    """A generated file read by every worker: no indentation (a third of the reading time),
    one line per top-level entry and per schema, so that a change still shows where it is."""
    lines = []
    for key, value in sorted(doc.items()):
        if isinstance(value, dict) and key == "schemas":
            inner = ",\n".join(
                f"{json.dumps(name)}:{json.dumps(schema, sort_keys=True, separators=(',', ':'))}"
                for name, schema in sorted(value.items())
            )
            lines.append(f"{json.dumps(key)}:{{\n{inner}\n}}")
        else:
            lines.append(f"{json.dumps(key)}:{json.dumps(value, sort_keys=True, separators=(',', ':'))}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def stale_files(source: Path, data_dir: Path = DATA_DIR) -> list[str]:
    stale = []
    for name, doc in derive(source).items():
        path = data_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != render(doc):
            stale.append(name)
    return stale + stale_preconverted(data_dir)


def stale_preconverted(data_dir: Path = DATA_DIR) -> list[str]:
    """The pre-converted file, when it is not what the shipped compact schemas (and the
    installed kubernetes-validate) convert to."""
    path = data_dir / store.PRECONVERTED
    fresh = render_compact(fast.preconverted_document())
    if not path.exists() or path.read_text(encoding="utf-8") != fresh:
        return [store.PRECONVERTED]
    return []


def write_preconverted() -> None:
    """Convert from the compact files just written (nothing read before them is kept)."""
    for cached in (store._file, store._kinds_of, store._crd_node, store.k8s_defs, store._k8s_kinds, store.preconverted):
        cached.cache_clear()
    store.kind_schema.cache_clear()
    (DATA_DIR / store.PRECONVERTED).write_text(render_compact(fast.preconverted_document()), encoding="utf-8")
    print(f"wrote okd_streams/schema/data/{store.PRECONVERTED}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the shipped files differ from a fresh derivation"
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=None,
        help=f"the shared schemas folder (default: ${ENV_VAR} or ../shared/schemas)",
    )
    args = parser.parse_args(argv)
    source = args.source or default_source()
    if not (source / "tekton-pipeline").is_dir():
        print(f"derive: no schemas at {source}", file=sys.stderr)
        return 2
    if args.check:
        stale = stale_files(source)
        for name in stale:
            print(f"stale: okd_streams/schema/data/{name} (run `make schemas`)", file=sys.stderr)
        return 1 if stale else 0
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for name, doc in derive(source).items():
        (DATA_DIR / name).write_text(render(doc), encoding="utf-8")
        print(f"wrote okd_streams/schema/data/{name}")
    write_preconverted()
    return 0


if __name__ == "__main__":
    sys.exit(main())
