"""Argo CD, offline: what Argo CD would make of argocd/ (see analysis.py for the flow).

The names below are what the rules, `okd-streams apps` and the scaffolder use; the modules
hold one job each: results (what an expansion yields), analysis (render argocd/, expand,
what an Application deploys), appset (ApplicationSet generators and templates), project
(AppProject permissions), globs (Argo CD's glob dialects), gotemplate (Go's text/template).
"""

from okd_streams.argocd.analysis import (
    Deployed,
    analyze,
    deployed,
    generate_paths,
    name_templates,
    object_key,
    object_namespace,
    path_covered,
    read,
)
from okd_streams.argocd.project import destination_permitted, kind_permitted, normalize_repo, source_permitted
from okd_streams.argocd.results import ARGOCD_DIR, GENERATE_PATHS, App, Argo, Issue

__all__ = [
    "ARGOCD_DIR",
    "GENERATE_PATHS",
    "App",
    "Argo",
    "Deployed",
    "Issue",
    "analyze",
    "deployed",
    "destination_permitted",
    "generate_paths",
    "kind_permitted",
    "name_templates",
    "normalize_repo",
    "object_key",
    "object_namespace",
    "path_covered",
    "read",
    "source_permitted",
]
