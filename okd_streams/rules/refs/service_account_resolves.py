"""A serviceAccountName that names no ServiceAccount among the objects checked together.

What it does:
  Looks up the ServiceAccount named by an EventListener's or Trigger's
  `serviceAccountName`, by a PipelineRun's `taskRunTemplate.serviceAccountName` (v1beta1:
  `serviceAccountName`) and by a TaskRun's `serviceAccountName` (standalone runs and the
  runs a TriggerTemplate creates). In a rendered stream a missing ServiceAccount is an
  error (the stream must be self-contained); in a lint set a warning. `default` (made by
  Kubernetes) and `pipeline` (made by OpenShift Pipelines) exist in every namespace and
  are never reported. A ServiceAccount the build itself renamed (namePrefix/nameSuffix)
  while these fields kept the old name is an error everywhere: kustomize renames none of
  them unless `configurations:` says so.

Why:
  An EventListener whose ServiceAccount is missing never becomes ready, and a run whose
  ServiceAccount is missing cannot create its pods; both fail only on the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.tekton import renames, resolve

ID = "service-account-resolves"
CODE = "R004"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _check(unit: Unit, obj: Obj, path: tuple, name: Any, who: str) -> Iterator[Finding]:
    if not isinstance(name, str) or not name or resolve.has_variable(name):
        return
    if name in resolve.WELL_KNOWN_SERVICE_ACCOUNTS:
        return
    if resolve.find(unit, "ServiceAccount", name, resolve.CORE, obj.namespace) is not None:
        return
    target = renames.renamed(unit, "ServiceAccount", name, resolve.CORE, obj.namespace)
    if target is not None:
        yield renames.dangling(obj, path, who, "ServiceAccount", name, target)
        return
    if resolve.unresolved_level(unit) == "error":
        yield Finding(
            obj,
            path,
            f'{who} uses ServiceAccount "{name}", which this stream does not contain; a '
            "stream must be self-contained: add the ServiceAccount (base/rbac) or fix the name",
        )
    else:
        yield Finding(
            obj,
            path,
            f'{who} uses ServiceAccount "{name}", which is not among the checked objects; it '
            "must exist in the namespace on the cluster",
            level="warning",
        )


def check(unit: Unit) -> Iterator[Finding]:
    for kind in ("EventListener", "Trigger"):
        for obj in unit.of_kind(kind):
            if obj.group == resolve.TRIGGERS:
                path: tuple[str, ...] = ("spec", "serviceAccountName")
                yield from _check(unit, obj, path, get(obj.data, *path), f'{kind} "{obj.name}"')
    for holder, base, run in resolve.run_templates(unit, "PipelineRun"):
        who = resolve.run_label(holder, base, run, "PipelineRun")
        for path in (("spec", "taskRunTemplate", "serviceAccountName"), ("spec", "serviceAccountName")):
            yield from _check(unit, holder, base + path, get(run, *path), who)
    for holder, base, run in resolve.run_templates(unit, "TaskRun"):
        who = resolve.run_label(holder, base, run, "TaskRun")
        path = ("spec", "serviceAccountName")
        yield from _check(unit, holder, base + path, get(run, *path), who)
