"""A taskRef or pipelineRef resolved remotely, which cannot be checked offline.

What it does:
  Notes (once per reference) every `taskRef` / `pipelineRef` that uses a resolver (git,
  bundles, hub, cluster, http or a custom one) or a v1beta1 `bundle`, in pipeline tasks,
  PipelineRuns, TaskRuns and the runs a TriggerTemplate creates. Nothing behind such a
  reference is checked: not the params passed to it, not its results or workspaces.

Why:
  okd-streams checks a stream offline, from the repository alone. Knowing which parts of
  a Pipeline it could not check tells a reviewer where to look by hand. It is never an
  error.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj, Unit, get
from okd_streams.tekton import resolve

ID = "remote-ref-unchecked"
CODE = "R005"
LEVEL = "info"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False


def _note(obj: Obj, data: dict, base: tuple, key: str, who: str) -> Iterator[Finding]:
    ref = resolve.read_ref(data, (key,), "Task" if key == "taskRef" else "Pipeline")
    if ref is None or not ref.remote:
        return
    how = "a v1beta1 bundle" if ref.remote == "bundle" else f"the {ref.remote} resolver"
    what = "Task" if key == "taskRef" else "Pipeline"
    path = base + (key, "bundle" if ref.remote == "bundle" else "resolver")
    yield Finding(
        obj,
        path,
        f"{who} runs a {what} fetched by {how} at run time; okd-streams cannot check it "
        "offline (its params, results and workspaces are not checked)",
    )


def check(unit: Unit) -> Iterator[Finding]:
    for site in resolve.pipeline_sites(unit):
        for task in resolve.site_tasks(site):
            for key in ("taskRef", "pipelineRef"):
                yield from _note(task.obj, task.data, task.path, key, task.label)
    for kind, key in (("PipelineRun", "pipelineRef"), ("TaskRun", "taskRef")):
        for holder, base, run in resolve.run_templates(unit, kind):
            spec = get(run, "spec")
            if isinstance(spec, dict):
                yield from _note(holder, spec, base + ("spec",), key, resolve.run_label(holder, base, run, kind))
