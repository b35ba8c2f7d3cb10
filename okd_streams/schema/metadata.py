"""What the API server checks in every object's metadata besides its name, and in the keys of a
ConfigMap or Secret: no OpenAPI schema says it, the validation code does (apimachinery's
ValidateObjectMetaAccessor, run for core kinds and custom resources alike; ValidateConfigMap,
ValidateSecret).

- `metadata.namespace` of a namespaced object is a DNS-1123 label (the namespace of a
  cluster-scoped object is cleared before it is validated, so it is not judged);
- each label key and annotation key is a qualified name: an optional DNS-1123 subdomain
  prefix and '/', then a name of at most 63 letters, digits, '-', '_' and '.', starting and
  ending alphanumeric (annotation keys are lower-cased first);
- each label value is empty or such a name, at most 63 characters;
- annotations add up to at most 256 KiB, keys and values;
- the keys of a ConfigMap's `data` and `binaryData` and of a Secret's `data` and `stringData`
  are letters, digits, '-', '_' and '.', at most 253 characters, not '.' or '..', not
  starting with '..'; one key is not in both `data` and `binaryData`.

A namespace or label value holding `${` is filled in by envsubst before it is applied, and
not judged.
"""

from __future__ import annotations

import re
from typing import Any

from okd_streams.schema.explain import Raw
from okd_streams.schema.kinds import group_of, is_cluster_scoped
from okd_streams.schema.names import DNS1123_LABEL, DNS1123_SUBDOMAIN

_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DATA_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
ANNOTATIONS_LIMIT = 256 * 1024
# `namespace: ${TEST_NAMESPACE}`: a file filled in by envsubst before it is applied; its value
# is not known here (Tekton's own repositories do this).
_ENVSUBST = "${"

_DATA_FIELDS = {"ConfigMap": ("data", "binaryData"), "Secret": ("data", "stringData")}


def check(data: dict[str, Any], meta: dict[str, Any]) -> list[Raw]:
    """Issues of an object's namespace, labels and annotations, and of its data keys."""
    kind = data.get("kind")
    found = _labels(meta.get("labels")) + _annotations(meta.get("annotations"))
    if not (isinstance(kind, str) and is_cluster_scoped(group_of(data.get("apiVersion")), kind)):
        found = _namespace(meta.get("namespace")) + found
    if isinstance(kind, str) and kind in _DATA_FIELDS and data.get("apiVersion") == "v1":
        found += _data_keys(data, _DATA_FIELDS[kind])
    return found


def _namespace(namespace: Any) -> list[Raw]:
    if namespace_judged_fine(namespace):
        return []
    why = "a namespace is a DNS-1123 label: at most 63 lowercase letters, digits and '-', alphanumeric at each end"
    return [Raw(("metadata", "namespace"), "invalid-value", {"value": namespace, "why": why})]


def namespace_judged_fine(namespace: Any) -> bool:
    """Whether `namespace` gives no finding whatever the object (a memo of findings may then
    leave it out of its key: streams differ by namespace alone)."""
    if not isinstance(namespace, str) or not namespace or _ENVSUBST in namespace:
        return True
    return bool(DNS1123_LABEL.match(namespace)) and len(namespace) <= 63


def _labels(labels: Any) -> list[Raw]:
    found = []
    for key, value in labels.items() if isinstance(labels, dict) else ():
        if isinstance(key, str) and (bad_key := qualified_name_problem(key)):
            found.append(_key(("metadata", "labels", key), "a label key", bad_key))
        elif isinstance(value, str) and _ENVSUBST not in value and (bad_value := label_value_problem(value)):
            found.append(Raw(("metadata", "labels", key), "invalid-value", {"value": value, "why": bad_value}))
    return found


def _annotations(annotations: Any) -> list[Raw]:
    if not isinstance(annotations, dict):
        return []
    found = []
    size = 0
    for key, value in annotations.items():
        if isinstance(key, str):
            size += len(key.encode("utf-8", "surrogatepass"))
            if bad_key := qualified_name_problem(key.lower()):
                found.append(_key(("metadata", "annotations", key), "an annotation key", bad_key))
        if isinstance(value, str):
            size += len(value.encode("utf-8", "surrogatepass"))
    if size > ANNOTATIONS_LIMIT:
        why = f"annotations may add up to {ANNOTATIONS_LIMIT} bytes, keys and values, and these are {size}"
        found.append(Raw(("metadata", "annotations"), "invalid-value", {"value": "...", "why": why}))
    return found


def _data_keys(data: dict[str, Any], fields: tuple[str, str]) -> list[Raw]:
    found = []
    seen: set[str] = set()
    for field in fields:
        entries = data.get(field)
        if not isinstance(entries, dict):
            continue
        for key in entries:
            if not isinstance(key, str):
                continue
            why = data_key_problem(key)
            if why is None and field == "binaryData" and key in seen:
                why = "the same key is in data too"
            if why:
                found.append(_key((field, key), f"a {field} key", why))
            seen.add(key)
    return found


def _key(path: tuple[str, ...], what: str, why: str) -> Raw:
    return Raw(path, "invalid-value", {"value": path[-1], "key": True, "why": f"{what} {why}"})


def qualified_name_problem(text: str) -> str | None:
    """Why `text` is not a qualified name (apimachinery's IsQualifiedName), or None."""
    prefix, slash, name = text.rpartition("/")
    if slash and ("/" in prefix or not prefix):
        return "is an optional DNS subdomain prefix and '/', then a name: one '/' at most, after a prefix"
    if slash and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        return "prefix (before '/') must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'"
    if not name:
        return "needs a name (after the prefix and '/', if any)"
    if len(name) > 63:
        return "name (after the prefix and '/', if any) must be no more than 63 characters"
    if not _NAME.match(name):
        return "name must be letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
    return None


def label_value_problem(value: str) -> str | None:
    """Why `value` is not a label value (apimachinery's IsValidLabelValue), or None."""
    if len(value) > 63:
        return "a label value must be no more than 63 characters"
    if value and not _NAME.match(value):
        return (
            "a label value must be empty or letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit"
        )
    return None


def data_key_problem(key: str) -> str | None:
    """Why `key` is not a ConfigMap or Secret key (apimachinery's IsConfigMapKey), or None."""
    if len(key) > 253:
        return "must be no more than 253 characters"
    if not _DATA_KEY.match(key):
        return "must be letters, digits, '-', '_' and '.'"
    if key in (".", "..") or key.startswith(".."):
        return "must not be '.' or '..', nor start with '..'"
    return None
