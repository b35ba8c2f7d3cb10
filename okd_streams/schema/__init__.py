"""The schema stage: each object checked against its API schema as the cluster checks it.

Plain data in (a YAML document as parsed), small issues out, each with a path into the
object that the caller maps to file:line:col. Imports nothing else of okd_streams: the stage
sits between loading and rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from okd_streams.schema import batch, context, fast, gates, metadata, names, secret, store
from okd_streams.schema.explain import Raw, explain
from okd_streams.schema.target import DEFAULT_FLAGS, Target, TargetError

__all__ = [
    "DEFAULT_FLAGS",
    "SchemaIssue",
    "Target",
    "TargetError",
    "check_document_shape",
    "check_object",
    "describe_sources",
]

KINDS = ("unknown-field", "wrong-type", "missing-field", "invalid-value", "feature-gated", "not-an-object")


@dataclass(frozen=True, order=True)
class SchemaIssue:
    """One mistake. ``path`` points at the offending key (unknown field: the path includes
    that key) or value; ``()`` is the whole document."""

    path: tuple[Any, ...]
    kind: str
    message: str
    field: str = ""  # the field concerned (unknown, missing or gated), if one
    suggestion: str = ""  # for an unknown field: the known field most likely meant
    # ... and whether it sits where a webhook's Go decoder reads the object (a CRD keeps unknown
    # fields there), rather than where the API server's structural schema prunes them
    decoded: bool = False
    flag: str = ""  # for feature-gated: the Tekton flag that would allow it
    flag_value: str = ""  # ... and the value it needs


def check_document_shape(data: Any) -> list[SchemaIssue]:
    """A manifest document must be a mapping with string keys (or empty)."""
    if data is None:
        return []
    if not isinstance(data, dict):
        what = context.yaml_type(data)
        return [SchemaIssue((), "not-an-object", f"a manifest document must be a mapping (an object), not {what}")]
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        return [
            SchemaIssue(
                (bad[0],),
                "not-an-object",
                f"a manifest document's keys must be strings, not {context.yaml_type(bad[0])} ({bad[0]!r})",
            )
        ]
    return []


def check_object(data: Any, target: Target | None = None) -> list[SchemaIssue]:
    """Issues of one object (a YAML document), sorted by path; [] for kinds without a schema."""
    target = target or Target()
    shape = check_document_shape(data)
    if shape or not isinstance(data, dict) or not data:
        return shape
    api, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str):
        return []  # not a Kubernetes object we can place; other stages say so
    found = store.kind_schema(api, kind, target.kubernetes)
    if found is None:
        return []
    _origin, root = found
    raws: list[Raw] = []
    check = fast.validator(api, kind, target.kubernetes, gated=gates.off(target))
    valid = check is not None and check(data)  # the common case: no schema finding, no gate closed
    if not valid:
        raws = explain(data, root, store.Resolver(target.kubernetes))
    named = {r.path for r in raws}
    raws += [r for r in beside_schemas(data) if r.path not in named]
    if not valid:
        raws += gates.check(data, target)
    issues = _one_per_mistake({_issue(data, r) for r in raws})
    return sorted(issues, key=lambda i: (tuple(str(p) for p in i.path), i.kind))


def beside_schemas(data: dict[str, Any]) -> list[Raw]:
    """What the API server's validation code refuses that no schema says (names, the rest of
    the metadata, Jobs and CronJobs, Secrets by type): judged on every object, beside the
    compiled schema."""
    meta = data.get("metadata")
    judged = names.check(data) + (metadata.check(data, meta) if isinstance(meta, dict) else [])
    return judged + batch.check(data) + secret.check(data)


def _one_per_mistake(issues: set[SchemaIssue]) -> list[SchemaIssue]:
    """A misspelt required field is one mistake: keep the unknown field that names the
    missing one, drop the "missing" finding on its parent."""
    meant = {(i.path[:-1], i.suggestion) for i in issues if i.kind == "unknown-field"}
    return [i for i in issues if not (i.kind == "missing-field" and (i.path, i.field) in meant)]


def _issue(data: dict[str, Any], raw: Raw) -> SchemaIssue:
    f = raw.facts
    path = raw.path
    if raw.kind == "unknown-field":
        where = context.location(data, path[:-1])
        hint = context.suggest(f["field"], f["known"]) or ""
        msg = f'unknown field "{f["field"]}" in {where}' + (f'; did you mean "{hint}"?' if hint else "")
        return SchemaIssue(path, raw.kind, msg, field=f["field"], suggestion=hint, decoded=bool(f.get("decoded")))
    if raw.kind == "wrong-type":
        msg = (
            f"{context.location(data, path)} must be "
            f"{context.expected_words(f['expected'])}, not {context.yaml_type(f['value'])}"
        )
        if "string" in f["expected"] and isinstance(f["value"], (bool, int, float)):
            # y, n, on, off, 1e3 ... unquoted: Kubernetes' YAML reader takes them as booleans and numbers
            msg += "; put the value in quotes to make it text"
        return SchemaIssue(path, raw.kind, msg)
    if raw.kind == "missing-field":
        msg = f'{context.location(data, path)} is missing the required field "{f["field"]}"'
        if f.get("why"):
            msg += f" ({f['why']})"
        return SchemaIssue(path, raw.kind, msg, field=f["field"])
    if raw.kind == "invalid-value":  # a key judged (a label's, a data key): its text is the field
        return SchemaIssue(path, raw.kind, _invalid(data, path, f), field=str(f["value"]) if f.get("key") else "")
    gate: gates.Gate = f["gate"]
    value = gate.value if isinstance(gate.value, str) else str(gate.value).lower()
    msg = f"{gate.what} ({context.location(data, path)}) needs the Tekton feature flag {gate.flag}: {value}"
    return SchemaIssue(path, raw.kind, msg, field=gate.field, flag=gate.flag, flag_value=value)


def _invalid(data: dict[str, Any], path: tuple[Any, ...], f: dict[str, Any]) -> str:
    where = context.location(data, path)
    value = f["value"]
    if "enum" in f:
        allowed = ", ".join(str(v) for v in f["enum"])
        return f"{where} is {value!r}; it must be one of: {allowed}"
    if f.get("format") == "duration":
        return f"{where} is {value!r}, not a Go duration such as 1h30m, 90s or 0"
    if f.get("format") == "quantity":
        return f"{where} is {value!r}, not a Kubernetes quantity such as 500m, 2, 1Gi"
    if f.get("format") == "int32":
        return f"{where} is {value}, beyond a 32-bit integer"
    if f.get("key"):
        return f"{context.location(data, path[:-1])} has the key {value!r}: {f['why']}"
    if f.get("why"):
        return f"{where} is {value!r}: {f['why']}"
    return f"{where} is {value!r}, which does not match {f.get('pattern')}"


def describe_sources() -> str:
    """The schema sources and versions the stage checks against (for ``explain``)."""
    lines = ["Schemas checked against:"]
    for name, source in store.sources().items():
        lines.append(f"  {name}: {source}")
    try:
        from importlib.metadata import version

        kv = version("kubernetes-validate")
    except Exception:  # noqa: BLE001 - a description, never a failure
        kv = "?"
    lines.append(
        f"  core kinds: kubernetes-validate {kv} (strict schemas, Kubernetes "
        f"{', '.join(store.k8s_versions()[:1])} to {store.k8s_versions()[-1]})"
    )
    lines.append(f"  compiled validator: {fast.ENGINE}")
    return "\n".join(lines)
