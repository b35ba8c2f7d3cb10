"""A volume that mounts a path of the node (hostPath).

What it does:
  Reports every `volumes` entry with a `hostPath`, in a Task (or an embedded task spec),
  a Tekton `podTemplate`, a TriggerTemplate, a Pod, workload or CronJob.

Why:
  A hostPath volume hands a build step the node's filesystem: `/var/run/docker.sock` or
  `/var/lib/kubelet` is root on the node, and files written there outlive the run and leak
  to the next pod scheduled on that node. Use a workspace (a PVC or `volumeClaimTemplate`),
  an `emptyDir`, or a device plugin for devices such as `/dev/kvm`
  (`devices.kubevirt.io/kvm` in the step's limits). Waive with a reason when unavoidable.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get
from okd_streams.tekton.containers import volumes, where

ID = "host-path-volume"
CODE = "X005"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None
WAIVER_NEEDS_REASON = True


def check(unit: Unit) -> Iterator[Finding]:
    for obj in unit.objects:
        for path, volume in volumes(obj):
            if "hostPath" not in volume:
                continue
            name = volume.get("name") if isinstance(volume.get("name"), str) else "?"
            host = get(volume, "hostPath", "path")
            shown = f" ({host})" if isinstance(host, str) else ""
            yield Finding(
                obj,
                path + ("hostPath",),
                f'volume "{name}" of {where(obj, path)} mounts a path of the node{shown}: use a workspace, '
                "an emptyDir or a device plugin, or waive with a reason",
            )
