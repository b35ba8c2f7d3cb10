"""A PipelineRun or TaskRun workspace binding without exactly one volume source, or bound twice.

What it does:
  Checks each entry of `spec.workspaces` in PipelineRuns and TaskRuns: it needs exactly
  one of `persistentVolumeClaim` (with `claimName`), `volumeClaimTemplate`, `emptyDir`,
  `configMap` (with `name`), `secret` (with `secretName`), `projected` (with `sources`)
  or `csi` (with `driver`), and each workspace name may be bound once. An empty
  `emptyDir:` (null) counts as no source; write `emptyDir: {}`.

Why:
  Tekton's webhook rejects the run (`WorkspaceBinding.Validate`: "expected exactly one,
  got both", "expected exactly one, got neither"; "workspace "src" provided by
  pipelinerun more than once").
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get, items
from okd_streams.tekton.pipeline import describe, tekton_objects
from okd_streams.tekton.schema_issues import given_wrongly

ID = "workspace-bindings"
CODE = "T062"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("PipelineRun", "TaskRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

SOURCES = ("persistentVolumeClaim", "volumeClaimTemplate", "emptyDir", "configMap", "secret", "projected", "csi")
REQUIRED = {
    "persistentVolumeClaim": "claimName",
    "configMap": "name",
    "secret": "secretName",
    "projected": "sources",
    "csi": "driver",
}


def check(unit: Unit) -> Iterator[Finding]:
    for obj in tekton_objects(unit, "PipelineRun", "TaskRun"):
        label = describe(obj)
        seen: dict[str, int] = {}
        for index, binding in items(obj.data, "spec", "workspaces"):
            at = ("spec", "workspaces", index)
            name = found if isinstance(found := binding.get("name"), str) else ""
            key = name.lower() if obj.kind == "TaskRun" else name
            if key in seen:
                yield Finding(
                    obj,
                    at + ("name",),
                    f'workspace "{name}" is bound twice in {label} (workspaces[{seen[key]}] and workspaces[{index}])',
                )
            else:
                seen[key] = index
            given = [source for source in SOURCES if binding.get(source) is not None]
            if len(given) > 1:
                yield Finding(
                    obj,
                    at + (given[1],),
                    f'workspace "{name}" of {label} has {len(given)} volume sources '
                    f"({', '.join(given)}); give exactly one",
                )
                continue
            if not given and any(given_wrongly(unit, obj, at, source) for source in SOURCES):
                continue  # a source misspelt or mistyped: the schema stage's finding (V001, V002)
            if not given:
                hint = (
                    "; `emptyDir:` with no value counts as none, write `emptyDir: {}`" if "emptyDir" in binding else ""
                )
                yield Finding(
                    obj,
                    at,
                    f'workspace "{name}" of {label} has no volume source; give one of {", ".join(SOURCES)}{hint}',
                )
                continue
            source = given[0]
            field = REQUIRED.get(source)
            if field and not get(binding, source, field):
                yield Finding(obj, at + (source,), f'workspace "{name}" of {label}: {source} needs `{field}`')
