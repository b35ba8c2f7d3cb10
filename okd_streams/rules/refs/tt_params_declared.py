"""A `$(tt.params.x)` in a TriggerTemplate that its `spec.params` does not declare.

What it does:
  Finds every `$(tt.params.NAME)` in a TriggerTemplate's `resourcetemplates` (keys and
  values, with the Triggers webhook's own pattern) and reports each NAME the template
  does not declare in `spec.params`, listing the ones it does.

Why:
  The Triggers admission webhook rejects the TriggerTemplate (`undeclared param
  '$(tt.params.x)'`): Argo CD's sync of the stream fails and no trigger works.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from okd_streams.model.objects import Finding, Unit
from okd_streams.tekton import params as P
from okd_streams.tekton import resolve

ID = "tt-params-declared"
CODE = "R030"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False

# Tekton Triggers' paramsRegexp (pkg/apis/triggers/v1beta1/trigger_template_validation.go).
TT_PARAM = re.compile(r"\$\(tt.params.([_a-zA-Z][_a-zA-Z0-9.-]*)\)")


def uses(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    """(path, name) for every $(tt.params.name) in keys and values below `value`."""
    if isinstance(value, str):
        for match in TT_PARAM.finditer(value):
            yield path, match.group(1)
    elif isinstance(value, dict):
        for key, item in value.items():
            for match in TT_PARAM.finditer(str(key)):
                yield path + (key,), match.group(1)
            yield from uses(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from uses(item, path + (index,))


def check(unit: Unit) -> Iterator[Finding]:
    for obj in unit.of_kind("TriggerTemplate"):
        if obj.group != resolve.TRIGGERS:
            continue
        declared = P.specs(obj.spec.get("params"))
        reported: set[str] = set()
        for path, name in uses(obj.spec.get("resourcetemplates"), ("spec", "resourcetemplates")):
            if name in declared or name in reported:
                continue
            reported.add(name)
            yield Finding(
                obj,
                path,
                f'TriggerTemplate "{obj.name}" uses $(tt.params.{name}), which its spec.params '
                f"does not declare (declared: {resolve.names_list(declared)}); the Triggers webhook "
                "rejects it",
            )
