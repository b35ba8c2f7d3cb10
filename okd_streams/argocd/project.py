"""AppProject semantics (pkg/apis/application/v1alpha1 AppProject): which sources,
destinations and kinds a project permits."""

from __future__ import annotations

from collections.abc import Callable

from okd_streams.argocd.globs import argo_glob
from okd_streams.model.objects import Obj


def _patterns(project: Obj, key: str) -> list:
    value = project.spec.get(key)
    return value if isinstance(value, list) else []


def normalize_repo(url: str) -> str:
    """Argo CD's git.NormalizeGitURL, roughly: case, surrounding space, trailing .git and /."""
    url = url.strip().lower()
    url = url[:-1] if url.endswith("/") else url
    return url[:-4] if url.endswith(".git") else url


def _allowed(patterns: list[str], text: str, match: Callable[[str, str], bool]) -> bool:
    """Allow/deny lists: a `!pattern` match denies; otherwise any plain match allows."""
    if any(p.startswith("!") and match(p[1:], text) for p in patterns if isinstance(p, str)):
        return False
    return any(isinstance(p, str) and not p.startswith("!") and match(p, text) for p in patterns)


def source_permitted(project: Obj, repo_url: str) -> bool:
    patterns = [p for p in _patterns(project, "sourceRepos") if isinstance(p, str)]
    return _allowed(patterns, normalize_repo(repo_url), lambda p, t: p == "*" or argo_glob(normalize_repo(p), t))


def destination_permitted(project: Obj, server: str, name: str, namespace: str) -> bool:
    """AppProject.IsDestinationPermitted: (server or name) and namespace match one entry, none denies."""
    allow, deny = False, False
    for entry in _patterns(project, "destinations"):
        if not isinstance(entry, dict):
            continue
        ns_pattern = ns if isinstance(ns := entry.get("namespace"), str) else ""
        server_pattern = server_entry if isinstance(server_entry := entry.get("server"), str) else ""
        name_pattern = name_entry if isinstance(name_entry := entry.get("name"), str) else ""
        negated = ns_pattern.startswith("!") or server_pattern.startswith("!") or name_pattern.startswith("!")
        cluster = (server_pattern and argo_glob(server_pattern.lstrip("!"), server)) or (
            name_pattern and argo_glob(name_pattern.lstrip("!"), name)
        )
        in_namespace = argo_glob(ns_pattern.lstrip("!"), namespace)
        if negated:
            if cluster and in_namespace:
                deny = True
        elif cluster and in_namespace:
            allow = True
    return allow and not deny


def kind_permitted(project: Obj, group: str, kind: str, namespaced: bool) -> tuple[bool, str]:
    """AppProject.IsGroupKindPermitted; also names the list that decided."""

    def listed(key: str) -> bool:
        for entry in _patterns(project, key):
            if (
                isinstance(entry, dict)
                and argo_glob(str(entry.get("group", "")), group)
                and argo_glob(str(entry.get("kind", "")), kind)
            ):
                return True
        return False

    if namespaced:
        whitelist = _patterns(project, "namespaceResourceWhitelist")
        if whitelist and not listed("namespaceResourceWhitelist"):
            return False, "namespaceResourceWhitelist"
        if listed("namespaceResourceBlacklist"):
            return False, "namespaceResourceBlacklist"
        return True, ""
    if not listed("clusterResourceWhitelist"):
        return False, "clusterResourceWhitelist"
    if listed("clusterResourceBlacklist"):
        return False, "clusterResourceBlacklist"
    return True, ""
