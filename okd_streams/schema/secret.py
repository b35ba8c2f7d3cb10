"""What the API server's validation of a Secret refuses by its `type` (k8s.io/kubernetes
pkg/apis/core/validation, ValidateSecret), which no schema says. `stringData` counts as `data`:
the API server merges it in before it validates.

- kubernetes.io/basic-auth: a `username` or a `password` key (either may be empty);
- kubernetes.io/ssh-auth: a non-empty `ssh-privatekey`;
- kubernetes.io/tls: `tls.crt` and `tls.key`;
- kubernetes.io/dockerconfigjson: `.dockerconfigjson`, holding JSON; kubernetes.io/dockercfg:
  `.dockercfg`, holding JSON;
- kubernetes.io/service-account-token: the annotation naming its ServiceAccount.

A `data` value is base64 (the API server's JSON decoder refuses anything else); one that is not
is reported too, unless it is a placeholder to replace (`<BASE64_TOKEN>`, `{{ token }}`, `${TOKEN}`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from okd_streams.schema.explain import Raw

_REQUIRED = {
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
}
_JSON_KEYS = (".dockerconfigjson", ".dockercfg")
SERVICE_ACCOUNT_NAME = "kubernetes.io/service-account.name"
# A sample Secret's value written to be replaced: `<BASE64_ENCODED_ID>`, `{{ token }}`, `${TOKEN}`.
_PLACEHOLDER = re.compile(r"<[^<>]+>|{{|\$\{")


def check(data: dict[str, Any]) -> list[Raw]:
    if data.get("apiVersion") != "v1" or data.get("kind") != "Secret":
        return []
    encoded = _mapping(data.get("data"))
    plain = _mapping(data.get("stringData"))
    found: list[Raw] = []
    decoded: dict[str, bytes | None] = {}  # key -> its bytes; None where base64 is not
    for key, value in encoded.items():
        if not isinstance(value, str):
            continue  # the schema's finding
        if _PLACEHOLDER.search(value):
            decoded[key] = None  # a value to fill in before applying (`<BASE64_TOKEN>`): not judged
            continue
        try:
            # Go's base64 decoder skips line ends (a certificate folded over lines), nothing else
            decoded[key] = base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
        except (binascii.Error, ValueError):
            decoded[key] = None
            why = "a Secret's data value is base64 (put plain text under stringData instead)"
            found.append(Raw(("data", key), "invalid-value", {"value": "<redacted>", "why": why}))
    for key, value in plain.items():
        if isinstance(value, str):
            decoded[key] = value.encode("utf-8", "surrogatepass")
    kind = data.get("type")
    if not isinstance(kind, str):
        return found
    return found + _by_type(data, kind, decoded)


def _by_type(data: dict[str, Any], kind: str, decoded: dict[str, bytes | None]) -> list[Raw]:
    where = "stringData" if "stringData" in data and "data" not in data else "data"
    at = (where,) if where in data else ()
    why = f"a Secret of type {kind} needs it"
    if kind == "kubernetes.io/basic-auth":
        if "username" in decoded or "password" in decoded:
            return []
        return [Raw(at, "missing-field", {"field": "username", "why": f"{why}, or a password"})]
    if kind == "kubernetes.io/service-account-token":
        meta = data.get("metadata")
        annotations = meta.get("annotations") if isinstance(meta, dict) else None
        if annotations is not None and not isinstance(annotations, dict):
            return []  # annotations of the wrong type: the schema's finding, the one to fix first
        if isinstance(annotations, dict) and annotations.get(SERVICE_ACCOUNT_NAME):
            return []
        path = ("metadata", "annotations") if isinstance(annotations, dict) else ("metadata",)
        return [Raw(path, "missing-field", {"field": SERVICE_ACCOUNT_NAME, "why": why})]
    found = []
    for key in _REQUIRED.get(kind, ()):
        if key not in decoded:
            found.append(Raw(at, "missing-field", {"field": key, "why": why}))
        elif key == "ssh-privatekey" and decoded[key] == b"":
            found.append(Raw((_holder(data, key), key), "invalid-value", {"value": "", "why": f"{why} not empty"}))
        elif key in _JSON_KEYS and (content := decoded[key]) is not None and not _is_json_object(content):
            why_json = f"a Secret of type {kind} holds a JSON object there"
            found.append(Raw((_holder(data, key), key), "invalid-value", {"value": "<redacted>", "why": why_json}))
    return found


def _holder(data: dict[str, Any], key: str) -> str:
    """Where `key` is written: stringData wins, as the API server merges it over data."""
    return "stringData" if key in _mapping(data.get("stringData")) else "data"


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _is_json_object(content: bytes) -> bool:
    try:
        return isinstance(json.loads(content), dict)
    except (ValueError, RecursionError):
        return False
