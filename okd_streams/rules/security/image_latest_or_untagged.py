"""A container image without a tag, or on the `latest` tag.

What it does:
  Reports every image of a Task step, sidecar or stepTemplate (also inside a Pipeline's,
  PipelineRun's or TaskRun's embedded spec, a TriggerTemplate, a StepAction) and of a Pod,
  workload or CronJob container that has no tag or is tagged `latest`, unless a digest
  (`@sha256:...`) pins it. An image given as `$(params.x)` is judged by the param's default.

Why:
  `quay.io/x/y` means `quay.io/x/y:latest`, and `latest` moves: two runs of the same
  stream build with different tools, a broken push breaks every stream at once, and no one
  can tell which version ran. Pin a tag at least, a digest preferably (X003).
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton.containers import images, pinned_by_digest

ID = "image-latest-or-untagged"
CODE = "X002"
LEVEL = "warning"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None
WAIVER_NEEDS_REASON = True


def check(unit: Unit) -> Iterator[Finding]:
    for obj in unit.objects:
        for path, image, owner in images(obj):
            if pinned_by_digest(image):
                continue
            if image.digest:
                yield Finding(
                    obj,
                    path,
                    f'{owner} uses image "{image.raw}" whose digest "{image.digest}" is not '
                    "algorithm:hex (sha256:64 hex digits): the image cannot be pulled; fix the digest",
                )
            elif image.tag is None:
                yield Finding(
                    obj,
                    path,
                    f'{owner} uses image "{image.raw}" without a tag, which means :latest: '
                    "pin a tag (and preferably a digest, @sha256:...)",
                )
            elif image.tag == "latest":
                yield Finding(
                    obj,
                    path,
                    f'{owner} uses image "{image.raw}" on the moving tag :latest: '
                    "pin a version tag (and preferably a digest, @sha256:...)",
                )
