"""What the rules of the schema family share: each object checked once against its API schema
(okd_streams.schema), its issues then reported by kind, one rule per kind."""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams import schema
from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.tekton.pac import filled_in_by_pac, is_pac_run

_DEFAULT = schema.Target()


def issues_of(unit: Unit, obj: Obj) -> list[schema.SchemaIssue]:
    """The schema issues of one object, worked out once per unit for all the family's rules."""
    target = unit.target or _DEFAULT
    return unit.memo(("schema", id(obj)), lambda: schema.check_object(obj.data, target))


# Mistakes a Tekton rule reports in Tekton's own words: (kind of issue, field, the list whose
# item lacks or has it) -> the rule. The schema family leaves them to it: one finding per mistake.
REPORTED_BETTER = {
    ("missing-field", "value", "results"): "T031",  # a pipeline result must be taken from task results
}


def findings(unit: Unit, kind: str) -> Iterator[Finding]:
    for obj in unit.objects:
        if obj.doc is not None and not obj.doc.decodes:
            continue  # refused before any schema applies: Y001 says why, once
        for issue in issues_of(unit, obj):
            if issue.kind != kind or _reported_better(obj, issue):
                continue
            if kind == "invalid-value" and filled_in_by_pac(obj, get(obj.data, *issue.path)):
                continue  # a name or duration PaC completes: judged once it is filled in, on the cluster
            if kind == "unknown-field" and is_pac_run(obj):
                yield Finding(obj, issue.path, issue.message + PAC_DROPS, level="warning")
            else:
                yield Finding(obj, issue.path, issue.message)


# Pipelines-as-Code reads a PipelineRun it handles into Tekton's Go types (client-go's universal
# deserializer, which ignores unknown fields) and submits those: the field never reaches the
# cluster. Not refused, but a field that does nothing, so a warning.
PAC_DROPS = (
    "; Pipelines-as-Code drops it when it reads the PipelineRun (it decodes the file into Tekton's "
    "types and submits those), so it does nothing"
)


def _reported_better(obj: Obj, issue: schema.SchemaIssue) -> bool:
    container = issue.path[-2] if len(issue.path) >= 2 and isinstance(issue.path[-1], int) else None
    return obj.api_version.startswith("tekton.dev/") and (issue.kind, issue.field, container) in REPORTED_BETTER
