"""A PipelineRun `taskRunSpecs` entry for a pipeline task the Pipeline does not have.

What it does:
  Checks that every `spec.taskRunSpecs[].pipelineTaskName` of a PipelineRun (standalone
  or in a TriggerTemplate) names a task in the `tasks` or `finally` of the Pipeline it
  runs.

Why:
  The reconciler rejects the run when it starts (`taskrunSpecs defined wrong taskName`,
  `InvalidTaskRunSpecs`); a pipeline task renamed in the base breaks every stream that
  tunes it.

Fails:
```yaml
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: build-
spec:
  pipelineRef:
    name: build
  taskRunSpecs:
    - pipelineTaskName: compiler
      serviceAccountName: builder
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: build
spec:
  tasks:
    - name: compile
      taskSpec:
        steps: [{name: make, image: "alpine:3.20", script: "make"}]
```

Passes:
```yaml
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: build-
spec:
  pipelineRef:
    name: build
  taskRunSpecs:
    - pipelineTaskName: compile
      serviceAccountName: builder
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: build
spec:
  tasks:
    - name: compile
      taskSpec:
        steps: [{name: make, image: "alpine:3.20", script: "make"}]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, get, items
from okd_streams.tekton import resolve

ID = "pipelinerun-taskrunspecs"
CODE = "R022"
LEVEL = "error"
SCOPE = "unit"


def check(unit: Unit) -> Iterator[Finding]:
    for holder, base, run in resolve.run_templates(unit, "PipelineRun"):
        spec = get(run, "spec")
        if not isinstance(spec, dict) or not isinstance(spec.get("taskRunSpecs"), list):
            continue
        resolved = resolve.resolve_pipeline(unit, holder, spec, base + ("spec",))
        if not resolved.ok:
            continue
        tasks = resolve.task_names(resolved.spec or {})
        who = resolve.run_label(holder, base, run, "PipelineRun")
        for index, entry in items(spec, "taskRunSpecs"):
            name = entry.get("pipelineTaskName")
            if isinstance(name, str) and name not in tasks:
                yield Finding(holder, base + ("spec", "taskRunSpecs", index, "pipelineTaskName"),
                              f'{who} sets taskRunSpecs for pipeline task "{name}", which {resolved.label} does not '
                              f"have (tasks: {resolve.names_list(tasks)})")
