"""The schema stage's issues of an object, worked out once per unit: the schema family's rules
report them, and a rule about to say a field is missing asks first whether it is there under a
misspelt name or with the wrong type (one finding per mistake: "unknown field parms; did you
mean params?", not also "the run does not set param revision")."""

from __future__ import annotations

from okd_streams import schema
from okd_streams.model.objects import Obj, Unit, items
from okd_streams.tekton.pac import is_pac_run

_DEFAULT = schema.Target()
TRIGGERS = "triggers.tekton.dev"
TEMPLATES = ("spec", "resourcetemplates")  # the objects a TriggerTemplate creates on each event


def issues_of(unit: Unit, obj: Obj) -> list[schema.SchemaIssue]:
    target = unit.target or _DEFAULT
    return unit.memo(("schema", id(obj)), lambda: schema.check_object(obj.data, target))


def template_issues(unit: Unit, obj: Obj) -> list[tuple[int, dict, list[schema.SchemaIssue]]]:
    """(index, template, its issues) for each object a TriggerTemplate creates; [] for others."""
    if obj.group != TRIGGERS or obj.kind != "TriggerTemplate":
        return []

    def check() -> list[tuple[int, dict, list[schema.SchemaIssue]]]:
        target = unit.target or _DEFAULT
        return [(index, data, schema.check_object(data, target)) for index, data in items(obj.data, *TEMPLATES)]

    return unit.memo(("schema templates", id(obj)), check)


def dropped(obj: Obj, issue: schema.SchemaIssue, in_template: bool = False) -> bool:
    """Whether an unknown field is dropped on its way to the cluster rather than refused there:
    in a PipelineRun Pipelines-as-Code handles (it decodes the file into Tekton's Go types and
    submits those), or in an object a TriggerTemplate creates where the API server prunes it
    (Triggers asks for no field validation); not where Tekton's webhook decodes it strictly."""
    if issue.kind != "unknown-field":
        return False
    return is_pac_run(obj) or (in_template and not issue.decoded)


def given_wrongly(unit: Unit, obj: Obj, path: tuple, field: str) -> bool:
    """Whether `field` of the mapping at `path` in `obj` is there under a misspelt name that
    the cluster refuses (the schema stage's unknown field, "did you mean `field`?") or with a
    value of the wrong type: that error is the finding to give, not that `field` is missing.
    A misspelt field that is only dropped leaves `field` missing indeed, and both are said."""
    if _explained(obj, issues_of(unit, obj), path, field, in_template=False):
        return True
    if path[: len(TEMPLATES)] == TEMPLATES and len(path) > len(TEMPLATES):
        index, inner = path[len(TEMPLATES)], path[len(TEMPLATES) + 1 :]
        return any(
            i == index and _explained(obj, issues, inner, field, in_template=True)
            for i, _, issues in template_issues(unit, obj)
        )
    return False


def _explained(obj: Obj, issues: list[schema.SchemaIssue], path: tuple, field: str, in_template: bool) -> bool:
    return any(
        (
            issue.kind == "unknown-field"
            and issue.suggestion == field
            and issue.path[:-1] == path
            and not dropped(obj, issue, in_template)
        )
        or (issue.kind == "wrong-type" and issue.path == (*path, field))
        for issue in issues
    )
