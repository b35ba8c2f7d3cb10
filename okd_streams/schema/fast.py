"""The fast path: one compiled JSON Schema validator per (apiVersion, kind), cached.

The compact schema becomes a standard JSON Schema (draft 2020-12) that is at least as strict
as the explaining walker: case-sensitive everywhere (a case variant that Go's decoder accepts
just takes the slow path, which accepts it), so "valid here" always means "no finding there".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from okd_streams.schema import store
from okd_streams.schema.explain import DURATION, QUANTITY

Validator = Callable[[Any], bool]
ENGINE = "jsonschema-rs"  # measured faster than fastjsonschema on the catalog; see README


def _key(ref: str) -> str:
    # A JSON pointer segment: keep it free of "/" and "~" rather than escape them.
    return ref.replace("/", "_").replace("~", "_")


class _Converter:
    def __init__(self, resolver: store.Resolver) -> None:
        self.resolver = resolver
        self.defs: dict[str, Any] = {}

    def ref(self, ref: str, ci: bool) -> dict[str, Any]:
        for prefix in (store.K8S_PREFIX, store.K8S_LOCAL):
            if ref.startswith(prefix):
                ref = "k8s:" + ref[len(prefix):]
        key = _key(ref) + ("~go" if ci else "")
        if key not in self.defs:
            self.defs[key] = True  # placeholder: references may be recursive
            node = self.resolver.resolve(ref)
            self.defs[key] = self.node(node, ci, quantity=ref.endswith("resource.Quantity"))
        return {"$ref": f"#/$defs/{key}"}

    def node(self, node: Any, ci: bool = False, quantity: bool = False) -> Any:
        """``ci``: below a Go decode, where "required" is not enforced."""
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self.ref(node["$ref"], ci)
        if "x-okd-decode" in node:
            return self.ref(node["x-okd-decode"], True)
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
                    out[key] = [{**b, "pattern": QUANTITY.pattern} if b.get("type") ==
                                ["null", "string"] else b for b in out[key]]
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
            out["properties"] = {k: self.node(v, ci) for k, v in props.items()}
        addl = node.get("additionalProperties")
        if isinstance(addl, dict):
            out["additionalProperties"] = self.node(addl, ci)
        elif addl is False or (props and addl is None
                               and not node.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        if isinstance(node.get("items"), dict):
            out["items"] = self.node(node["items"], ci)
        if node.get("format") == "int32":
            out["maximum"], out["minimum"] = 2 ** 31 - 1, -(2 ** 31)
        return out


def to_jsonschema(root: dict[str, Any], resolver: store.Resolver) -> dict[str, Any]:
    conv = _Converter(resolver)
    schema = conv.node(root)
    if "$ref" in schema:
        schema = {"allOf": [schema]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$defs"] = conv.defs
    return schema


def compile_rs(schema: dict[str, Any]) -> Validator:
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema).is_valid  # type: ignore[no-any-return]


def compile_fast(schema: dict[str, Any]) -> Validator:
    import fastjsonschema

    check = fastjsonschema.compile(schema, use_formats=False)

    def is_valid(data: Any) -> bool:
        try:
            check(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return is_valid


@lru_cache(maxsize=None)
def validator(api_version: str, kind: str, k8s_version: str, engine: str = ENGINE
              ) -> Validator | None:
    found = store.kind_schema(api_version, kind, k8s_version)
    if found is None:
        return None
    schema = to_jsonschema(found[1], store.Resolver(k8s_version))
    try:
        return compile_rs(schema) if engine == "jsonschema-rs" else compile_fast(schema)
    except Exception:  # noqa: BLE001 - no compiled path is only slower, never wrong
        return None
