"""The compiled fast path is at least as strict as the explaining walker and the feature gates:
an object it passes has no schema finding (so skipping the walk for it loses nothing), and
the clean objects pass it (so the walk is not run on every object)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from okd_streams.files.loader import parse_text
from okd_streams.schema import Target, beside_schemas, check_object, fast, gates

HERE = Path(__file__).resolve().parent
CASES = sorted((HERE.parent / "rules" / "schema_cases").glob("*.yaml")) + sorted((HERE / "data").rglob("*.yaml"))
TARGETS = [
    Target(),
    Target.from_config(
        {
            "tekton-feature-flags": {
                "enable-api-fields": "alpha",
                "enable-param-enum": True,
                "enable-cel-in-whenexpression": True,
            }
        }
    ),
]


def objects() -> list[tuple[str, dict]]:
    found = []
    for path in CASES:  # the project's loader: some cases hold what PyYAML refuses (a list as a key)
        for document in parse_text(path.read_text(encoding="utf-8")).documents:
            data = document.data
            if isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str):
                found.append((f"{path.parent.name}/{path.name}", data))
    return found


@pytest.mark.parametrize("target", TARGETS, ids=["default-flags", "alpha-flags"])
@pytest.mark.parametrize("name,data", objects(), ids=[name for name, _ in objects()])
def test_what_the_fast_path_passes_has_no_finding(name: str, data: dict, target: Target) -> None:
    check = fast.validator(data["apiVersion"], data["kind"], target.kubernetes, gated=gates.off(target))
    if check is None:
        return  # no schema for the kind
    # what the API server's validation code judges beyond the schemas runs on every object,
    # beside the fast path (okd_streams.schema.beside_schemas)
    beside = {raw.path for raw in beside_schemas(data)}
    issues = [i for i in check_object(data, target) if i.path not in beside]
    if check(data):
        assert issues == [], issues


def test_clean_objects_pass_the_fast_path() -> None:
    target = Target()
    for path in sorted((HERE / "data" / "clean").glob("*.yaml")):
        for data in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            check = fast.validator(data["apiVersion"], data["kind"], target.kubernetes, gated=gates.off(target))
            assert check is not None and check(data), f"{path.name}: {data['kind']}"


def test_a_closed_gate_fails_the_fast_path_and_an_open_one_passes() -> None:
    task = yaml.safe_load("""
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  params: [{name: p, type: string, enum: [a, b]}]
  steps: [{name: s, image: alpine, script: echo}]
""")
    closed, opened = Target(), Target.from_config({"tekton-feature-flags": {"enable-param-enum": True}})
    assert not fast.validator("tekton.dev/v1", "Task", "1.32", gated=gates.off(closed))(task)
    assert fast.validator("tekton.dev/v1", "Task", "1.32", gated=gates.off(opened))(task)


def test_the_default_target_s_groups_are_shipped_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's start-up does not convert them (make schemas did); another target's are."""
    from okd_streams.schema import store

    def no_conversion(*args: object, **kwargs: object) -> dict:
        raise AssertionError("converted at run time")

    monkeypatch.setattr(fast, "combined_jsonschema", no_conversion)
    fast._compiled.cache_clear()
    target = Target()
    task = {"apiVersion": "tekton.dev/v1", "kind": "Task", "metadata": {"name": "t"}, "spec": {"steps": []}}
    for api_version, kind in (("tekton.dev/v1", "Task"), ("tekton.dev/v1beta1", "Pipeline"), ("v1", "Secret")):
        check = fast.validator(api_version, kind, target.kubernetes, gates.off(target))
        assert check is not None
    assert fast.validator("tekton.dev/v1", "Task", target.kubernetes, gates.off(target))(task)
    assert store.preconverted()["kubernetes"] == target.kubernetes
    with pytest.raises(AssertionError, match="converted at run time"):
        fast._compiled(fast.together("tekton.dev/v1", "Task"), target.kubernetes, frozenset())
    fast._compiled.cache_clear()


def test_the_shipped_conversion_is_what_the_compact_schemas_convert_to() -> None:
    from okd_streams.schema import derive

    assert derive.stale_preconverted() == [], "run `make schemas`"
