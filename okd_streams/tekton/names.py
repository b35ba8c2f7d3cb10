"""Kubernetes name formats (k8s.io/apimachinery/pkg/util/validation) as Tekton applies them."""

from __future__ import annotations

import re

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = re.compile(rf"^{_LABEL}$")
DNS1123_SUBDOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def dns1123_label_problem(name: str) -> str | None:
    """Why `name` is not a DNS-1123 label (≤63 chars, lower-case alphanumerics and '-'), or None."""
    if not name:
        return "must not be empty"
    if len(name) > 63:
        return f"is {len(name)} characters long; at most 63 are allowed"
    if not DNS1123_LABEL.match(name):
        return "must consist of lower-case letters, digits and '-', and start and end with a letter or digit"
    return None


def dns1123_subdomain_problem(name: str) -> str | None:
    if not name:
        return "must not be empty"
    if len(name) > 253:
        return f"is {len(name)} characters long; at most 253 are allowed"
    if not DNS1123_SUBDOMAIN.match(name):
        return "must consist of lower-case letters, digits, '-' and '.', and start and end with a letter or digit"
    return None


def qualified_name_problem(name: str) -> str | None:
    """`IsQualifiedName`: an optional DNS-subdomain prefix and '/', then a name of ≤63 chars
    of alphanumerics, '-', '_' and '.', starting and ending with an alphanumeric."""
    parts = name.split("/")
    if len(parts) > 2:
        return "may contain at most one '/'"
    if len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return "has an empty prefix before '/'"
        if dns1123_subdomain_problem(prefix):
            return f'has a prefix "{prefix}" that is not a DNS-1123 subdomain'
    if not name:
        return "must not be empty"
    if len(name) > 63:
        return f"is {len(name)} characters long; at most 63 are allowed"
    if not _QUALIFIED_NAME.match(name):
        return "must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit"
    return None
