"""What the rules of the schema family share: each object checked once against its API schema
(okd_streams.schema), its issues then reported by kind, one rule per kind. The objects a
TriggerTemplate creates on each event (its resourcetemplates) are checked too, at their place
in the TriggerTemplate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams import schema
from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.schema import context
from okd_streams.tekton.pac import filled_in_by_pac
from okd_streams.tekton.schema_issues import TEMPLATES, dropped, issues_of, template_issues

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
            if issue.kind != kind or _reported_better(obj.api_version, issue):
                continue
            if kind == "invalid-value" and filled_in_by_pac(obj, issue.field or get(obj.data, *issue.path)):
                continue  # a name or duration PaC completes: judged once it is filled in, on the cluster
            message = issue.message
            claim = obj.claim(issue.path) if obj.provenance else None
            if claim is not None and claim.doc is not obj.doc:
                # A value another file gave (a patch, a card value, a kustomization's namespace)
                # may have gone to several objects: said without naming one, so that the
                # report, per place and message, keeps it once.
                message = message.replace(f" of {context.object_words(obj.data)}", "", 1)
            if dropped(obj, issue):
                yield Finding(obj, issue.path, message + PAC_DROPS, level="warning")
            else:
                yield Finding(obj, issue.path, message)
        yield from _template_findings(unit, obj, kind)


# Pipelines-as-Code reads a PipelineRun it handles into Tekton's Go types (client-go's universal
# deserializer, which ignores unknown fields) and submits those: the field never reaches the
# cluster. Not refused, but a field that does nothing, so a warning.
PAC_DROPS = (
    "; Pipelines-as-Code drops it when it reads the PipelineRun (it decodes the file into Tekton's "
    "types and submits those), so it does nothing"
)


def _template_findings(unit: Unit, obj: Obj, kind: str) -> Iterator[Finding]:
    """Triggers creates each template with the dynamic client, its `$(tt.params.x)` filled in,
    and no field validation asked: the API server's default then drops a field its structural
    schema prunes (a warning: the field does nothing), and refuses anything else the schema
    or the webhook refuses (an error: every event fails to create the object)."""
    for index, template, issues in template_issues(unit, obj):
        for issue in issues:
            if issue.kind != kind or _reported_better(str(template.get("apiVersion")), issue):
                continue
            if kind == "invalid-value" and _filled_in_by_triggers(issue.field or get(template, *issue.path)):
                continue  # its value comes with the event
            path = (*TEMPLATES, index, *issue.path)
            message = f"TriggerTemplate {obj.name} creates this {template.get('kind')} on each event: {issue.message}"
            if dropped(obj, issue, in_template=True):
                yield Finding(obj, path, message + TRIGGERS_DROPS, level="warning")
            else:
                yield Finding(obj, path, message)


TRIGGERS_DROPS = "; the API server drops the field when Triggers creates it, so it does nothing"


def _filled_in_by_triggers(value: Any) -> bool:
    return isinstance(value, str) and "$(" in value


def _reported_better(api_version: str, issue: schema.SchemaIssue) -> bool:
    container = issue.path[-2] if len(issue.path) >= 2 and isinstance(issue.path[-1], int) else None
    return api_version.startswith("tekton.dev/") and (issue.kind, issue.field, container) in REPORTED_BETTER
