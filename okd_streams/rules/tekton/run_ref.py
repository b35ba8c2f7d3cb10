"""A PipelineRun without exactly one of pipelineRef/pipelineSpec, or a TaskRun without exactly one of taskRef/taskSpec.

What it does:
  Checks that each PipelineRun has exactly one of `spec.pipelineRef` and
  `spec.pipelineSpec`, and each TaskRun exactly one of `spec.taskRef` and
  `spec.taskSpec`; a reference needs a `name` (a valid Kubernetes name) or a
  `resolver`, and `params` only with a `resolver`.

Why:
  Tekton's webhook rejects the run ("expected exactly one, got both", "expected exactly
  one, got neither"): it would not know what to run.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.rules.tekton._refs import ref_problems
from okd_streams.tekton.pipeline import describe, tekton_objects
from okd_streams.tekton.schema_issues import given_wrongly

ID = "run-ref"
CODE = "T071"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("PipelineRun", "TaskRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False

FIELDS = {"PipelineRun": ("pipelineRef", "pipelineSpec"), "TaskRun": ("taskRef", "taskSpec")}


def check(unit: Unit) -> Iterator[Finding]:
    for obj in tekton_objects(unit, *FIELDS):
        ref_field, spec_field = FIELDS[obj.kind]
        spec = obj.spec
        label = describe(obj)
        ref, inline = spec.get(ref_field), spec.get(spec_field)
        for wanted in (ref_field, spec_field):
            if spec.get(wanted) is None:
                other = next(
                    (
                        k
                        for k in spec
                        if isinstance(k, str) and k.lower() == wanted.lower() and k != wanted and spec[k] is not None
                    ),
                    None,
                )
                if other:
                    # Go's JSON decoding matches field names ignoring case, so Tekton reads it.
                    yield Finding(
                        obj,
                        ("spec", other),
                        f"{label} spells {wanted} as {other}; Tekton accepts it "
                        f"(field names are matched ignoring case) but write {wanted}",
                        level="warning",
                    )
                    ref = spec[other] if wanted == ref_field else ref
                    inline = spec[other] if wanted == spec_field else inline
        if ref is not None and inline is not None:
            yield Finding(
                obj, ("spec", spec_field), f"{label} sets both {ref_field} and {spec_field}; give exactly one"
            )
        elif ref is None and inline is None:
            if any(given_wrongly(unit, obj, ("spec",), field) for field in (ref_field, spec_field)):
                continue  # misspelt or mistyped: the schema stage's finding (V001, V002)
            yield Finding(
                obj,
                ("spec",) if "spec" in obj.data else (),
                f"{label} has neither {ref_field} nor {spec_field}; give exactly one",
            )
        elif isinstance(ref, dict):
            if obj.kind == "TaskRun" and (
                ref.get("apiVersion") or ref.get("kind") not in (None, "", "Task", "ClusterTask")
            ):
                continue  # a custom task reference: its controller validates it
            yield from ref_problems(obj, ("spec", ref_field), ref, label, ref_field)
