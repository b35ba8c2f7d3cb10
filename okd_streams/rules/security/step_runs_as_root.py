"""A step or container that runs as root (runAsUser 0) without a stated reason.

What it does:
  Reports `runAsUser: 0` in any `securityContext` (a step, sidecar, stepTemplate,
  container, a pod-level `securityContext` or a Tekton `podTemplate`). Leaving the user
  unset is not reported (the image decides, and OKD's restricted SCC assigns a random
  non-root user), nor is `runAsNonRoot: false` on its own.

Why:
  Root inside the container is one kernel bug away from root on the node, and can write
  everything in the shared workspace. Most steps run fine as a non-root user; some do
  need root (rpm-ostree and buildah layering packages, for RPM scriptlets and file
  capabilities). Say so on the object: `# okd-streams: disable=X006 reason="..."`, so the
  reviewer sees why, and the rule keeps guarding every other step.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton.containers import security_contexts, where

ID = "step-runs-as-root"
CODE = "X006"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None
WAIVER_NEEDS_REASON = True


def check(unit: Unit) -> Iterator[Finding]:
    for obj in unit.objects:
        for path, context in security_contexts(obj):
            user = context.get("runAsUser")
            if type(user) is int and user == 0:  # not isinstance: True == 1 and False == 0 must not count
                yield Finding(
                    obj,
                    path + ("runAsUser",),
                    f"{where(obj, path)} runs as root (runAsUser: 0): run it as a non-root user, or, "
                    'if it needs root, waive with a reason: # okd-streams: disable=X006 reason="..."',
                )
