"""A value the object's API schema does not allow: outside an enum, a malformed duration, quantity or name.

What it does:
  Reports a value of the right type that the schema still refuses: a value outside the
  field's enum (`concurrencyPolicy: Sometimes`), a duration Go cannot parse
  (`timeout: forever`), a Kubernetes quantity that is not one (`memory: 2 GB`), a number
  beyond a 32-bit integer, a value that does not match the field's pattern, an object
  name or generateName the API server refuses (upper case, an underscore), and the rest of
  the metadata it judges for every kind, custom resources included: a namespace that is not
  a DNS-1123 label, a label key or annotation key that is not a qualified name
  (`example.com/name`), a label value that is not (`app: my app`, or over 63 characters),
  annotations over 256 KiB, a ConfigMap or Secret data key it refuses (`my key`); and in a
  CronJob a schedule robfig/cron does not parse (`30 25 * * *`), a time zone not in the IANA
  database, a name over 52 characters, and a Job's `restartPolicy: Always`; a Secret's data
  value that is not base64, a `.dockerconfigjson` that is not JSON. A namespace set by
  a kustomization's `namespace:` field is reported once, at that field; a stream card value
  the build copies (a schedule) is the card rule's (C001).
  A value that is filled in later is not judged: a `{{ repo_name }}` placeholder
  Pipelines-as-Code replaces in a `.tekton/` file, a `$(tt.params.x)` in an object a
  TriggerTemplate creates. A timeout that is not a Go duration is reported by the Tekton
  rule for it (T080, T090, T091).

Why:
  The API server or Tekton's webhook rejects the object, and the stream does not sync.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.rules.schema._shared import findings

ID = "invalid-value"
CODE = "V004"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = None  # every kind with a schema: Tekton, Triggers, Argo CD and core kinds
WAIVER_NEEDS_REASON = False


def check(unit: Unit) -> Iterator[Finding]:
    yield from findings(unit, "invalid-value")
