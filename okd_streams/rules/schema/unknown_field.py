"""A field the object's API schema does not have: a misspelling, or a field of another version.

What it does:
  Checks every object against the schema of its apiVersion and kind, as the cluster does when
  Argo CD applies it: Tekton Pipelines, Tekton Triggers and Argo CD objects against schemas
  derived from their own CRDs and Go types (`make schemas`), core kinds (CronJob, Role,
  ConfigMap...) against Kubernetes' strict schemas (the `kubernetes-validate` package, for the
  Kubernetes version of the target in `.okd-streams.yaml`). Reports a field that the schema
  does not know, with the known field most likely meant. Field names are matched exactly, as
  the API server's structural schemas match them; where the CRD keeps unknown fields and the
  object is decoded only by Tekton's or Triggers' webhook (Go's encoding/json), a field that
  differs only in case is what Go accepts, and is not reported. In a PipelineRun that
  Pipelines-as-Code handles (it carries `pipelinesascode.tekton.dev/` annotations) an unknown
  field is a warning: PaC decodes the file into Tekton's types, which drops it, and submits
  those, so the field does nothing rather than being refused. The objects a TriggerTemplate
  creates on each event (`resourcetemplates`) are checked at their place in it: Triggers
  creates them without asking for field validation, so a field the API server prunes is
  dropped (a warning: it does nothing), while one inside an embedded spec, which Tekton's
  webhook decodes strictly, fails every event (an error).

Why:
  The API server (strict field validation) or the admission webhook rejects the object, so
  Argo CD's sync of the whole stream fails. A misspelled field is the most common mistake
  in YAML, and nothing else in okd-streams sees it: every other rule reads the fields it
  knows and skips the rest.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.rules.schema._shared import findings

ID = "unknown-field"
CODE = "V001"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None  # every kind with a schema: Tekton, Triggers, Argo CD and core kinds
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    yield from findings(unit, "unknown-field")
