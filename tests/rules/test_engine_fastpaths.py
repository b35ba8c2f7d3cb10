"""Shortcuts the engine and the shared helpers take must not change any finding: a PER_OBJECT
rule's APPLIES_TO names every kind it reads, and the recursive container scan finds what the
iterative walk finds, in the same order."""

from __future__ import annotations

import copy

import pytest

from okd_streams import rules as registry
from okd_streams.model.objects import Obj, Unit
from okd_streams.tekton import containers
from okd_streams.tekton.pipeline import VERSIONS
from tests.rules.test_per_object_memo import units

GATED = [rule for rule in registry.RULES.values() if rule.APPLIES_TO is not None]
KINDS = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun", "StepAction", "Pod", "")


def test_only_per_object_rules_are_gated():
    assert GATED and all(rule.PER_OBJECT for rule in GATED)


def _tekton_objects():
    for unit in units():
        for obj in unit.objects:
            if obj.kind in KINDS and obj.api_version in VERSIONS:
                yield obj


@pytest.mark.parametrize("rule", GATED, ids=[r.CODE for r in GATED])
def test_a_gated_rule_finds_nothing_on_other_objects(rule):
    """Each Tekton object, relabelled as every kind (and apiVersion) outside APPLIES_TO: the rule,
    run on it alone, finds nothing there, so the engine may skip it."""
    checked = 0
    for obj in _tekton_objects():
        for kind in KINDS:
            for version in VERSIONS + ("tekton.dev/v1alpha1", "v1"):
                if kind in rule.APPLIES_TO and version in VERSIONS:
                    continue
                data = copy.copy(obj.data)
                data["kind"], data["apiVersion"] = kind, version
                alone = Unit("x", [Obj(data, obj.file, obj.doc)])
                assert list(rule.check(alone)) == [], (rule.CODE, kind, version, obj.label())
                checked += 1
    assert checked


def _nested(depth: int, listy: bool) -> dict:
    data: object = {
        "steps": [{"name": "s", "securityContext": {"privileged": True}}],
        "volumes": [{"hostPath": {}}],
        "hostPID": True,
    }
    for level in range(depth):
        if listy and level % 3 == 0:
            data = [data, {"stepTemplate": {"image": "x"}}]
        else:
            data = {"k": data, "securityContext": {}, "containers": [{"image": "y"}], 3: {"hostIPC": True}}
    return {"apiVersion": "v1", "kind": "Pod", "spec": data}


def _signature(scan) -> tuple:
    return (
        [(c.path, id(c.data), c.role) for c in scan.containers],
        [(p, id(v)) for p, v in scan.security_contexts],
        [(p, id(v)) for p, v in scan.pod_specs],
        [(p, id(v)) for p, v in scan.volumes],
    )


def _deep_call(frames: int, obj: Obj):
    return _deep_call(frames - 1, obj) if frames else containers._scan(obj)


@pytest.mark.parametrize("depth", [0, 3, 150, 399, 400, 401, 450])
@pytest.mark.parametrize("listy", [False, True])
def test_scan_equals_the_iterative_walk(depth, listy):
    obj = Obj(_nested(depth, listy), "f.yaml")
    expected = _signature(containers._scan_iteratively(obj))
    containers._SCANS.pop(obj, None)
    assert _signature(containers._scan(obj)) == expected
    containers._SCANS.pop(obj, None)
    assert _signature(_deep_call(800, obj)) == expected  # too deep for recursion: redone iteratively
