"""The fast path: one compiled JSON Schema validator per (apiVersion, kind), cached.

The compact schema becomes a standard JSON Schema (draft 2020-12) that is at least as strict
as the explaining walker: case-sensitive everywhere (a case variant that Go's decoder accepts
just takes the slow path, which accepts it), so "valid here" always means "no finding there".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from okd_streams.schema import gates, store
from okd_streams.schema.explain import DURATION, QUANTITY
from okd_streams.schema.target import Target

Validator = Callable[[Any], bool]
ENGINE = "jsonschema-rs"  # on the catalog: compiles ~30x and validates ~50x faster than fastjsonschema


def _key(ref: str) -> str:
    # A JSON pointer segment: keep it free of "/" and "~" rather than escape them.
    return ref.replace("/", "_").replace("~", "_")


class _Converter:
    """Compact schema nodes to JSON Schema. `gated`: (container, field) pairs the target's feature
    flags leave off: the field is dropped from that container's properties, so an object using it
    is not valid here and takes the slow path, where okd_streams.schema.gates names the flag."""

    def __init__(self, resolver: store.Resolver, gated: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.resolver = resolver
        self.defs: dict[str, Any] = {}
        self.gated = gated
        self.containers = {container for container, _ in gated}

    def ref(self, ref: str, ci: bool, container: str = "") -> dict[str, Any]:
        for prefix in (store.K8S_PREFIX, store.K8S_LOCAL):
            if ref.startswith(prefix):
                ref = "k8s:" + ref[len(prefix) :]
        container = container if container in self.containers else ""
        key = _key(ref) + ("~go" if ci else "") + (f"@{container}" if container else "")
        if key not in self.defs:
            self.defs[key] = True  # placeholder: references may be recursive
            node = self.resolver.resolve(ref)
            self.defs[key] = self.node(node, ci, quantity=ref.endswith("resource.Quantity"), container=container)
        return {"$ref": f"#/$defs/{key}"}

    def node(self, node: Any, ci: bool = False, quantity: bool = False, container: str = "") -> Any:
        """``ci``: below a Go decode, where "required" is not enforced. ``container``: the list
        (or reference) this mapping is an item of, for the feature gates."""
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self.ref(node["$ref"], ci, container)
        if "x-okd-decode" in node:
            return self.ref(node["x-okd-decode"], True, container)
        out: dict[str, Any] = {}
        if node.get("x-kubernetes-int-or-string"):
            out["type"] = ["integer", "string", "null"]
        elif "type" in node:
            t = node["type"]
            out["type"] = sorted({t, "null"} if isinstance(t, str) else set(t) | {"null"})
        for key in ("oneOf", "anyOf"):
            if key in node and "type" not in out:
                out[key] = [self.node(b, ci, quantity) for b in node[key]]
                if quantity:
                    out[key] = [
                        {**b, "pattern": QUANTITY.pattern} if b.get("type") == ["null", "string"] else b
                        for b in out[key]
                    ]
        if "enum" in node:
            out["enum"] = list(node["enum"]) + [None]
        if node.get("format") == "duration":
            out["pattern"] = DURATION.pattern
        elif "pattern" in node:
            out["pattern"] = node["pattern"]
        if "required" in node and not ci:
            out["required"] = list(node["required"])
        props = node.get("properties")
        if props:
            out["properties"] = {
                k: self._property(k, v, ci, container) for k, v in props.items() if (container, k) not in self.gated
            }
        addl = node.get("additionalProperties")
        if isinstance(addl, dict):
            out["additionalProperties"] = self.node(addl, ci)
        elif addl is False or (props and addl is None and not node.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        if isinstance(node.get("items"), dict):
            out["items"] = self.node(node["items"], ci, container=container)
        if node.get("format") == "int32":
            out["maximum"], out["minimum"] = 2**31 - 1, -(2**31)
        return out

    def _property(self, name: str, node: Any, ci: bool, parent: str) -> Any:
        # A list's items, and a taskRef/pipelineRef mapping, are the containers gates name; the
        # spec of a kind whose spec has gates of its own is SPEC.
        container = gates.SPEC if parent.startswith("<root:") and name == "spec" else gates.SAME_LIST.get(name, name)
        return self.node(node, ci, container=container if container in self.containers else "")


def to_jsonschema(root: dict[str, Any], resolver: store.Resolver) -> dict[str, Any]:
    conv = _Converter(resolver)
    schema = conv.node(root)
    if "$ref" in schema:
        schema = {"allOf": [schema]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$defs"] = conv.defs
    return schema


def combined_jsonschema(
    kinds: tuple[str, ...], resolver: store.Resolver, gated: frozenset[tuple[str, str]] = frozenset()
) -> dict[str, Any]:
    """One schema for several kinds ("apiVersion/kind"), each object checked against its own
    kind's branch: the kinds share their definitions (a PipelineRun's pipelineSpec is a
    Pipeline's spec), so compiling them together costs a fraction of compiling each alone."""
    conv = _Converter(resolver, gated)
    branches = []
    inlined = False  # a CRD's schema (Tekton, Argo CD) repeats its types; Kubernetes' refer to them
    for key in kinds:
        api_version, _, kind = key.rpartition("/")
        found = store.kind_schema(api_version, kind, resolver.k8s_version)
        if found is None:
            continue
        inlined = inlined or found[0] != "k8s"
        name = "kind:" + _key(key)
        conv.defs[name] = conv.node(found[1], container=gates.root(api_version, kind))
        branches.append(
            {
                "if": {
                    "properties": {"apiVersion": {"const": api_version}, "kind": {"const": kind}},
                    "required": ["apiVersion", "kind"],
                },
                "then": {"$ref": f"#/$defs/{name}"},
            }
        )
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "allOf": branches, "$defs": conv.defs}
    return share_repeats(schema) if inlined else schema


# A CRD's schema inlines every type: a Task's step, sidecar and stepTemplate each repeat the
# container's fields, and the Task spec comes again in a Pipeline's and a run's embedded
# taskSpec. Each subschema of at least SHARE_MIN values that occurs twice or more becomes one
# definition the others point to: a Tekton group then compiles in half the time, an Argo CD
# group in a fifteenth, and their shipped JSON shrinks alike (paid by every worker that checks
# such an object).
SHARE_MIN = 40
_SUBSCHEMA_MAPS = ("properties", "$defs", "patternProperties")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMAS = ("items", "additionalProperties", "if", "then", "else", "not", "contains")


def _subschemas(node: dict[str, Any]) -> Iterator[Any]:
    """The schemas directly inside `node` (as `share_repeats` rewrites them)."""
    for keyword, value in node.items():
        if keyword in _SUBSCHEMA_MAPS and isinstance(value, dict):
            yield from value.values()
        elif keyword in _SUBSCHEMA_LISTS and isinstance(value, list):
            yield from value
        elif keyword in _SUBSCHEMAS:
            yield value


class _Shapes:
    """Equal JSON values get equal numbers, worked out bottom-up once per node (no subtree is
    serialised again for each node above it); with each value's size, in values."""

    def __init__(self) -> None:
        self.numbers: dict[tuple, int] = {}
        self.of: dict[int, tuple[int, int]] = {}  # id(value) -> (number, size)

    def shape(self, value: Any) -> tuple[int, int]:
        found = self.of.get(id(value))
        if found is not None:
            return found
        if isinstance(value, dict):
            parts = [(key, self.shape(item)) for key, item in value.items()]
            form: tuple = ("{", tuple(sorted((key, number) for key, (number, _) in parts)))
            size = 1 + sum(size for _, (_, size) in parts)
        elif isinstance(value, list):
            items = [self.shape(item) for item in value]
            form, size = ("[", tuple(number for number, _ in items)), 1 + sum(size for _, size in items)
        else:  # 1, 1.0 and True are equal in Python, not in a schema
            form, size = ("=", type(value).__name__, value), 1
        number = self.numbers.setdefault(form, len(self.numbers))
        self.of[id(value)] = found = (number, size)
        return found


def share_repeats(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each repeated large subschema moved to `$defs` ("shared:N", numbered in
    the order met) and referenced: the same instances valid, in fewer compiled nodes."""
    shapes = _Shapes()
    seen: Counter[int] = Counter()

    def count(node: Any) -> None:
        if not isinstance(node, dict):
            return
        number, size = shapes.shape(node)
        if size >= SHARE_MIN:
            seen[number] += 1
            if seen[number] > 1:
                return  # its insides were counted the first time; they are shared with it
        for sub in _subschemas(node):
            count(sub)

    names: dict[int, str] = {}
    defs: dict[str, Any] = {}

    def rewrite(node: Any, top: bool = False) -> Any:
        if not isinstance(node, dict):
            return node
        number = shapes.shape(node)[0]
        if not top and seen.get(number, 0) > 1:
            name = names.get(number)
            if name is None:
                name = names[number] = f"shared:{len(names)}"
                defs[name] = rewrite(node, top=True)
            return {"$ref": f"#/$defs/{name}"}
        out: dict[str, Any] = {}
        for keyword, value in node.items():
            if keyword in _SUBSCHEMA_MAPS and isinstance(value, dict):
                out[keyword] = {key: rewrite(sub, top=keyword == "$defs") for key, sub in value.items()}
            elif keyword in _SUBSCHEMA_LISTS and isinstance(value, list):
                out[keyword] = [rewrite(sub) for sub in value]
            elif keyword in _SUBSCHEMAS:
                out[keyword] = rewrite(value)
            else:
                out[keyword] = value
        return out

    count(schema)
    shared = rewrite(schema, top=True)
    shared["$defs"] = {**shared.get("$defs", {}), **defs}
    return shared


# Core kinds a stream or a Tekton repository commonly holds, compiled together on first use of
# any of them (they share PodSpec, ObjectMeta, PolicyRule...); any other core kind alone.
CORE_TOGETHER = (
    "v1/ConfigMap",
    "v1/Secret",
    "v1/ServiceAccount",
    "v1/Namespace",
    "v1/PersistentVolumeClaim",
    "v1/PersistentVolume",
    "v1/Service",
    "v1/Pod",
    "v1/LimitRange",
    "v1/ResourceQuota",
    "batch/v1/CronJob",
    "batch/v1/Job",
    "apps/v1/Deployment",
    "apps/v1/StatefulSet",
    "apps/v1/DaemonSet",
    "rbac.authorization.k8s.io/v1/Role",
    "rbac.authorization.k8s.io/v1/RoleBinding",
    "rbac.authorization.k8s.io/v1/ClusterRole",
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
    "networking.k8s.io/v1/Ingress",
)


# Tekton's kinds that come together (a Task beside its samples' runs and Pipelines), per version.
TEKTON_TOGETHER = ("Task", "Pipeline", "TaskRun", "PipelineRun")


def together(api_version: str, kind: str) -> tuple[str, ...]:
    """The kinds compiled with this one (compiling several at once shares their definitions;
    compiling kinds nobody uses is waste): Tekton's four main kinds of one version, every
    Triggers or Argo CD kind of one version, the common core kinds, or the kind alone."""
    key = f"{api_version}/{kind}"
    if api_version.startswith("tekton.dev/"):
        return tuple(f"{api_version}/{k}" for k in TEKTON_TOGETHER) if kind in TEKTON_TOGETHER else (key,)
    crds = store.crd_kind_names(api_version)
    if key in crds:
        return tuple(sorted(k for k in crds if k.rpartition("/")[0] == api_version))
    return CORE_TOGETHER if key in CORE_TOGETHER else (key,)


def compile_rs(schema: dict[str, Any]) -> Validator:
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema).is_valid


def _group_key(kinds: tuple[str, ...], k8s_version: str, gated: frozenset[tuple[str, str]]) -> str:
    return " ".join([",".join(kinds), k8s_version, ",".join(sorted(f"{a}.{b}" for a, b in gated))])


def preconverted_groups() -> list[tuple[tuple[str, ...], str, frozenset[tuple[str, str]]]]:
    """The groups shipped converted: what Tekton repositories and streams hold, for the
    default target (any other target's are converted when first needed)."""
    target = Target()
    tekton_gates = gates.off(target)
    step_action_gates = _step_action_gates(tekton_gates)
    return [
        (together("tekton.dev/v1", "Task"), target.kubernetes, tekton_gates),
        (together("tekton.dev/v1beta1", "Task"), target.kubernetes, tekton_gates),
        (together("tekton.dev/v1beta1", "StepAction"), target.kubernetes, step_action_gates),
        (together("tekton.dev/v1alpha1", "StepAction"), target.kubernetes, step_action_gates),
        (together("triggers.tekton.dev/v1beta1", "EventListener"), target.kubernetes, frozenset()),
        (together("argoproj.io/v1alpha1", "Application"), target.kubernetes, frozenset()),
        (CORE_TOGETHER, target.kubernetes, frozenset()),
    ]


def preconverted_document() -> dict[str, Any]:
    """What `make schemas` writes to store.PRECONVERTED, from the shipped compact schemas and
    kubernetes-validate's definitions."""
    version = Target().kubernetes
    return {
        "kubernetes": version,
        "k8s-kinds": store.k8s_kinds_of(version),
        "schemas": {
            _group_key(*group): combined_jsonschema(group[0], store.Resolver(group[1]), group[2])
            for group in preconverted_groups()
        },
    }


@cache
def _compiled(kinds: tuple[str, ...], k8s_version: str, gated: frozenset[tuple[str, str]]) -> Validator | None:
    schema = store.preconverted().get("schemas", {}).get(_group_key(kinds, k8s_version, gated))
    if not isinstance(schema, dict):
        schema = combined_jsonschema(kinds, store.Resolver(k8s_version), gated)
    try:
        return compile_rs(schema)
    except Exception:  # noqa: BLE001 - no compiled path is only slower, never wrong
        return None


def _step_action_gates(gated: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    return gated - {("params", "enum")}  # as okd_streams.schema.gates.check


def validator(
    api_version: str, kind: str, k8s_version: str, gated: frozenset[tuple[str, str]] = frozenset()
) -> Validator | None:
    """The compiled check of an object of this kind: True means no finding of any kind, feature
    gates included (`gated`: okd_streams.schema.gates.off(target))."""
    if store.kind_schema(api_version, kind, k8s_version) is None:
        return None
    if not api_version.startswith("tekton.dev/"):
        gated = frozenset()  # only Tekton's webhook has feature gates
    elif kind == "StepAction":
        gated = _step_action_gates(gated)
    return _compiled(together(api_version, kind), k8s_version, gated)
