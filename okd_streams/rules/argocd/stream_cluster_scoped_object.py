"""A stream that renders a cluster-scoped object.

What it does:
  Reports every cluster-scoped object (ClusterRole, ClusterRoleBinding, Namespace,
  ClusterTriggerBinding, CustomResourceDefinition, SecurityContextConstraints, ...) a
  stream renders. The list of cluster-scoped kinds is okd_streams/model/kinds.py.

Why:
  A stream lives in its own namespace and Argo CD creates that namespace itself
  (CreateNamespace=true). A cluster-scoped object has no namespace: two streams would
  manage the same one, deleting one stream would delete it for all, and the streams'
  AppProject refuses it.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.schema.kinds import is_cluster_scoped

ID = "stream-cluster-scoped-object"
CODE = "A007"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    if unit.stream is None or not unit.rendered:
        return
    for obj in unit.objects:
        if is_cluster_scoped(obj.group, obj.kind):
            yield Finding(
                obj,
                ("kind",),
                f"stream {unit.stream} renders {obj.label()}, a cluster-scoped object: "
                "it belongs to no stream namespace, every stream would manage the same one, and the "
                "AppProject okd-streams permits no cluster-scoped kind but Namespace. Have the cluster "
                "admin create it out of band (and list it in the README prerequisites), or use the "
                "namespaced kind (Role, RoleBinding, Task, TriggerBinding)",
            )
