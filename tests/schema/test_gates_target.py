"""Feature flags change the verdict both ways; the target parser says what is wrong."""

import pytest
import yaml

from okd_streams.schema import Target, TargetError, check_object
from okd_streams.schema.gates import GATES

ENUM = """
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  params: [{name: p, enum: [a, b], default: a}]
  steps: [{name: s, image: alpine, script: echo}]
"""
CEL = """
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks: [{name: a, taskRef: {name: t}, when: [{cel: "'a' == 'a'"}]}]
"""
PIP = """
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks: [{name: a, pipelineRef: {name: other}}]
"""
STDOUT = """
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  steps: [{name: s, image: alpine, script: echo, stdoutConfig: {path: /tmp/x}}]
"""
MATRIX = """
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks: [{name: a, taskRef: {name: t}, matrix: {params: [{name: x, value: [a, b]}]}}]
"""

CASES = [
    (ENUM, ("spec", "params", 0, "enum"), "enable-param-enum", {"enable-param-enum": True}),
    (
        CEL,
        ("spec", "tasks", 0, "when", 0, "cel"),
        "enable-cel-in-whenexpression",
        {"enable-cel-in-whenexpression": "true"},
    ),
    (PIP, ("spec", "tasks", 0, "pipelineRef"), "enable-api-fields", {"enable-api-fields": "alpha"}),
    (STDOUT, ("spec", "steps", 0, "stdoutConfig"), "enable-api-fields", {"enable-api-fields": "alpha"}),
]


@pytest.mark.parametrize("text,path,flag,on", CASES, ids=[c[2] + str(c[1][-1]) for c in CASES])
def test_gate_both_ways(text: str, path: tuple, flag: str, on: dict) -> None:
    data = yaml.safe_load(text)
    [issue] = check_object(data, Target())
    assert (issue.kind, issue.path, issue.flag) == ("feature-gated", path, flag)
    assert flag in issue.message
    assert check_object(data, Target.from_config({"tekton-feature-flags": on})) == []


def test_beta_fields_need_beta() -> None:
    data = yaml.safe_load(MATRIX)
    assert check_object(data, Target()) == []  # Tekton's default is beta
    stable = Target.from_config({"tekton-feature-flags": {"enable-api-fields": "stable"}})
    [issue] = check_object(data, stable)
    assert (issue.path, issue.flag_value) == (("spec", "tasks", 0, "matrix"), "beta")


def test_every_gate_has_a_source() -> None:
    assert all(g.source and g.flag for g in GATES)


def test_target_defaults_and_errors() -> None:
    t = Target.from_config({"kubernetes": "1.31", "argocd": "3.x"})
    assert t.kubernetes == "1.31" and t.flag("enable-api-fields") == "beta"
    assert t.flag("enable-param-enum") is False and t.flag("enable-step-actions") is True
    for bad, words in [
        ({"kubernets": "1.32"}, "unknown key 'kubernets'"),
        ({"kubernetes": "0.9"}, "target.kubernetes"),
        ({"tekton-feature-flags": {"enable-api-fields": "gamma"}}, "gamma"),
        ({"tekton-feature-flags": {"enable-param-enum": "yes"}}, "true or false"),
        ({"argocd": "three"}, "target.argocd"),
        ([], "mapping"),
    ]:
        with pytest.raises(TargetError, match=words):
            Target.from_config(bad)  # type: ignore[arg-type]


def test_enum_on_a_step_action_param_needs_no_flag() -> None:
    """Tekton checks enable-param-enum on Task and Pipeline params only: a StepAction with an
    enum param is admitted with the flag off (asked with the oracle)."""
    step_action = """
apiVersion: tekton.dev/v1beta1
kind: StepAction
metadata: {name: sa}
spec:
  params: [{name: p, enum: [a, b], default: a}]
  image: alpine
  script: echo
"""
    assert check_object(yaml.safe_load(step_action), Target()) == []
