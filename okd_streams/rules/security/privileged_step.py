"""A step or container that runs privileged, with all or admin capabilities, or in the node's namespaces.

What it does:
  Reports `securityContext.privileged: true`, `capabilities.add` naming `ALL` or
  `SYS_ADMIN`, and a pod spec or Tekton `podTemplate` with `hostNetwork`, `hostPID` or
  `hostIPC` set to true, in any Tekton object (steps, sidecars, stepTemplate, embedded
  specs, TriggerTemplates) and any Pod, workload or CronJob. `allowPrivilegeEscalation:
  true` is not reported: it is Kubernetes' default when unset, and only matters with
  setuid binaries; the restricted Pod Security level covers it.

Why:
  A privileged container gets every device and capability of the node: a compromised
  build step (a poisoned package, a malicious test) owns the node and every secret on it.
  Most builds need far less (buildah runs unprivileged with `--isolation chroot`, cosa uses
  `/dev/kvm` through a device plugin). When a step truly needs it, waive the finding on the
  object with the reason: `# okd-streams: disable=X004 reason="..."`.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get
from okd_streams.tekton.containers import pod_specs, security_contexts, where

ID = "privileged-step"
CODE = "X004"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None
WAIVER_NEEDS_REASON = True

ADMIN_CAPABILITIES = {"ALL", "SYS_ADMIN"}


def check(unit: Unit) -> Iterator[Finding]:
    for obj in unit.objects:
        for path, context in security_contexts(obj):
            owner = where(obj, path)
            if context.get("privileged") is True:
                yield Finding(
                    obj,
                    path + ("privileged",),
                    f"{owner} runs privileged (securityContext.privileged: true): it gets every device "
                    "and capability of the node; drop it, or waive with a reason",
                )
            added = get(context, "capabilities", "add")
            for index, capability in enumerate(added if isinstance(added, list) else []):
                if isinstance(capability, str) and capability.upper().removeprefix("CAP_") in ADMIN_CAPABILITIES:
                    yield Finding(
                        obj,
                        path + ("capabilities", "add", index),
                        f'{owner} adds capability "{capability}", as good as privileged: add only the '
                        "capabilities the step needs (for example SETFCAP), or waive with a reason",
                    )
        for path, spec in pod_specs(obj):
            for key in ("hostNetwork", "hostPID", "hostIPC"):
                if spec.get(key) is True:
                    yield Finding(
                        obj,
                        path + (key,),
                        f"{where(obj, path)} shares the node's {key[4:]} namespace ({key}: true): a step "
                        "can see and reach the node's processes or network; remove it, or waive with a "
                        "reason",
                    )
