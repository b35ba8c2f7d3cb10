"""A kustomization that kustomize cannot build.

What it does:
  Runs the real kustomize on every stream (and, in `lint`, on every kustomization no
  other one includes) and reports its error at the kustomization file, on the line that
  names what failed when that can be found: a missing resource or patch, a patch whose
  target does not exist, a YAML error in a file it reads, a cycle, a timeout.

Why:
  Argo CD runs the same build; a stream that does not build is never synced, and the
  failure shows only in the Argo CD UI, after merge.

Fails:
```yaml
# kustomization.yaml
resources:
  - tasks/does-not-exist.yaml
```

Passes:
```yaml
# kustomization.yaml
resources: []
```
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from okd_streams.model import Finding, Unit

ID = "kustomize-build"
CODE = "K001"
LEVEL = "error"
SCOPE = "unit"

_QUOTED = re.compile(r"['\"`]([^'\"`]+)['\"`]")


def _line_naming(kustomization: str, error: str) -> int:
    """The first line of the kustomization that mentions a path or name the error quotes."""
    try:
        lines = Path(kustomization).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    tokens = set()
    for quoted in _QUOTED.findall(error):
        tokens.add(quoted.rstrip("/").split("/")[-1])
        tokens.add(quoted)
    tokens.discard("")
    for number, line in enumerate(lines, start=1):
        if any(token in line for token in tokens if len(token) > 2):
            return number
    return 1


def check(unit: Unit) -> Iterator[Finding]:
    if unit.build_error is None:
        return
    where = unit.kustomization or unit.label
    line = _line_naming(where, unit.build_error) if where.endswith((".yaml", ".yml", "Kustomization")) else 1
    yield Finding(None, (), f"kustomize build failed: {unit.build_error}", file=where, line=line)
