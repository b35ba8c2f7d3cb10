"""metadata.name and generateName as the API server judges them, a ClusterRoleBinding's
ServiceAccount subjects, and the few required fields Tekton's admission enforces that its CRD
schema does not mark."""

from __future__ import annotations

import re
from typing import Any

from okd_streams.schema.explain import Raw

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")

# Kinds whose names follow another rule than a DNS-1123 subdomain
# (k8s.io/kubernetes pkg/apis/*/validation).
LABEL_KINDS = {"Namespace"}
DNS1035_KINDS = {"Service"}
PATH_SEGMENT_KINDS = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}


def check(data: dict[str, Any]) -> list[Raw]:
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return [
            Raw(
                ("metadata",) if "metadata" in data else (),
                "missing-field",
                {"field": "metadata.name", "why": "every object needs a name or generateName"},
            )
        ]
    name, generate = meta.get("name"), meta.get("generateName")
    if not name and not generate:
        return [
            Raw(("metadata",), "missing-field", {"field": "name", "why": "every object needs a name or generateName"})
        ]
    kind, api = str(data.get("kind", "")), str(data.get("apiVersion", ""))
    found = []
    if isinstance(name, str) and name:  # another type is the schema's finding
        reason = _bad_name(kind, api, name)
        if reason:
            found.append(Raw(("metadata", "name"), "invalid-value", {"value": name, "why": reason}))
    if isinstance(generate, str) and generate and not name:
        # The API server names the object generateName + 5 random characters, and checks the
        # prefix as a name whose trailing '-' is allowed (apimachinery's maskTrailingDash).
        masked = generate[:-2] + "a" if len(generate) > 1 and generate.endswith("-") else generate
        reason = _bad_name(kind, api, masked)
        if reason:
            found.append(Raw(("metadata", "generateName"), "invalid-value", {"value": generate, "why": reason}))
    if kind == "ClusterRoleBinding" and api.startswith("rbac.authorization.k8s.io/"):
        found += _cluster_subjects(data.get("subjects"))
    return found


def _cluster_subjects(subjects: Any) -> list[Raw]:
    """A ServiceAccount subject of a ClusterRoleBinding must name its namespace: the binding has
    none to lend it (k8s.io/kubernetes pkg/apis/rbac/validation, ValidateRoleBindingSubject)."""
    return [
        Raw(
            ("subjects", index),
            "missing-field",
            {"field": "namespace", "why": "a ClusterRoleBinding has no namespace to lend its ServiceAccount"},
        )
        for index, subject in enumerate(subjects if isinstance(subjects, list) else [])
        if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount" and not subject.get("namespace")
    ]


def _bad_name(kind: str, api: str, name: str) -> str | None:
    if kind in PATH_SEGMENT_KINDS and api.startswith("rbac.authorization.k8s.io/"):
        if name in (".", "..") or "/" in name or "%" in name:
            return "a name may not be '.' or '..' nor contain '/' or '%'"
        return None
    if kind in LABEL_KINDS and "/" not in api:
        ok, limit, rule = DNS1123_LABEL.match(name), 63, "a DNS-1123 label"
    elif kind in DNS1035_KINDS and "/" not in api:
        ok, limit, rule = DNS1035_LABEL.match(name), 63, "a DNS-1035 label"
    else:
        ok, limit, rule = DNS1123_SUBDOMAIN.match(name), 253, "a DNS-1123 subdomain"
    if not ok:
        return (
            f"must be {rule}: lowercase letters, digits and '-'"
            + (", '.'" if "subdomain" in rule else "")
            + ", starting and ending alphanumeric"
        )
    if len(name) > limit:
        return f"must be no more than {limit} characters"
    return None  # Tekton's own limit of 63 characters is T001's (okd_streams/rules/tekton)
