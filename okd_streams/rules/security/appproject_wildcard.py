"""An Argo CD AppProject open to any source repository, cluster, namespace or cluster-scoped kind.

What it does:
  Reports `*` in an AppProject's `sourceRepos` and `sourceNamespaces`, a `destinations`
  entry whose `server`, `name` or `namespace` is `*`, and a `clusterResourceWhitelist`
  entry allowing every group and kind, in every YAML file of the repository (argocd/ is no
  stream: its objects are checked as files).

Why:
  The AppProject is the boundary of what the streams' Applications may deploy, and
  where. With wildcards, anyone who can change an Application (or the ApplicationSet's
  template) can sync any repository into any namespace of any cluster, cluster-admin
  RoleBindings included. Name this repository, the stream namespaces (a prefix glob such as
  `okd-*` is fine) and the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.documents import objects
from okd_streams.model.objects import FileContext, Finding, Obj, get, items

ID = "appproject-wildcard"
CODE = "X008"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "file"  # every file of the repository: argocd/ and files no stream renders too
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = True
context_key = None  # findings depend on the file alone


def _stars(obj: Obj, key: str, what: str) -> Iterator[Finding]:
    values = get(obj.spec, key)
    for index, value in enumerate(values if isinstance(values, list) else []):
        if value == "*":
            yield Finding(obj, ("spec", key, index), f'{obj.label()} allows "*" {what}: name the ones the streams use')


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    for document in objects(yaml_file):
        obj = Obj(document.data, yaml_file.path, document)
        if obj.kind != "AppProject" or obj.group != "argoproj.io":
            continue
        yield from _stars(obj, "sourceRepos", "source repositories")
        yield from _stars(obj, "sourceNamespaces", "Application namespaces")
        for index, destination in items(obj.spec, "destinations"):
            for key in ("server", "name", "namespace"):
                if destination.get(key) == "*":
                    yield Finding(
                        obj,
                        ("spec", "destinations", index, key),
                        f'{obj.label()} destination {index + 1} allows any {key} ("*"): name the '
                        f"{'cluster' if key != 'namespace' else 'namespaces (okd-* is fine)'}",
                    )
        for index, entry in items(obj.spec, "clusterResourceWhitelist"):
            if entry.get("group") == "*" and entry.get("kind") == "*":
                yield Finding(
                    obj,
                    ("spec", "clusterResourceWhitelist", index),
                    f"{obj.label()} lets Applications create every cluster-scoped kind (group and kind "
                    '"*"), ClusterRoleBindings included: list the kinds the streams need',
                )
