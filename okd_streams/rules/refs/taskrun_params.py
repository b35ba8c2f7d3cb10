"""A TaskRun whose params do not fit its Task.

What it does:
  Checks the params of every TaskRun (standalone or in a TriggerTemplate) against the
  Task it runs (in the same unit, or its inline `taskSpec`), as the TaskRun reconciler
  does: every param without a default is set; each value has the declared type (as in
  Tekton, a string holding a `$(...)` variable is not checked against an array or object
  param); object values carry every declared key their default does not supply; a
  literal value is in the param's `enum`.

Why:
  Tekton checks these only when the TaskRun is created; it fails at once with `invalid
  input params for task`.

Fails:
```yaml
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  generateName: compile-
spec:
  taskRef:
    name: compile
  params:
    - name: flags
      value: -O2
---
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: compile
spec:
  params:
    - name: flags
      type: array
  steps:
    - name: make
      image: "alpine:3.20"
      command: [make]
      args: ["$(params.flags[*])"]
```

Passes:
```yaml
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  generateName: compile-
spec:
  taskRef:
    name: compile
  params:
    - name: flags
      value: [-O2]
---
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: compile
spec:
  params:
    - name: flags
      type: array
  steps:
    - name: make
      image: "alpine:3.20"
      command: [make]
      args: ["$(params.flags[*])"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get
from okd_streams.tekton import binding, resolve

ID = "taskrun-params"
CODE = "R023"
LEVEL = "error"
SCOPE = "unit"


def check(unit: Unit) -> Iterator[Finding]:
    for holder, base, run in resolve.run_templates(unit, "TaskRun"):
        spec = get(run, "spec")
        if not isinstance(spec, dict):
            continue
        resolved = resolve.resolve_task(unit, holder, spec, base + ("spec",))
        if not resolved.ok:
            continue
        who = resolve.run_label(holder, base, run, "TaskRun")
        args = binding.run_args(run, base, lenient=True)
        for issue in binding.check(args, get(resolved.spec, "params"), who, resolved.label):
            if issue.kind == "extra":
                continue
            path = issue.arg.value_path if issue.arg and issue.arg.value_path else base + ("spec", "params")
            yield Finding(holder, path, issue.message)
