"""A container image pinned by tag only, not by digest.

What it does:
  Reports every image (in the same places as X002) that has a version tag but no
  `@sha256:...` digest. Untagged and `latest` images are X002's, not reported twice.

Why:
  A tag can be pushed again: the image that runs tomorrow may not be the one reviewed
  today, and a compromised registry account can replace it. A digest names exactly one
  image; keep the tag next to it for humans (`image:v1.2@sha256:...`). This is advice
  (info): many registries and update bots work with tags.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton.containers import images, pinned_by_digest

ID = "image-not-digest-pinned"
CODE = "X003"
LEVEL = "info"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None
WAIVER_NEEDS_REASON = True


def check(unit: Unit) -> Iterator[Finding]:
    for obj in unit.objects:
        for path, image, owner in images(obj):
            if pinned_by_digest(image) or image.digest or image.tag in (None, "latest"):
                continue
            yield Finding(
                obj,
                path,
                f'{owner} uses image "{image.raw}" pinned by tag only: add its digest '
                f'("{image.name}:{image.tag}@sha256:...") so a re-pushed tag cannot change what runs',
            )
