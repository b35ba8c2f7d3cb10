"""The shipped schemas are what `make schemas` derives from ../shared/schemas today."""

import pytest

from okd_streams.schema import derive


def test_shipped_schemas_are_current() -> None:
    source = derive.default_source()
    if not (source / "tekton-pipeline").is_dir():
        pytest.skip(f"no shared schemas at {source}")
    stale = derive.stale_files(source)
    assert not stale, f"stale schema files {stale}: run `make schemas`"


def test_derived_kinds_cover_what_is_served() -> None:
    source = derive.default_source()
    if not (source / "tekton-pipeline").is_dir():
        pytest.skip(f"no shared schemas at {source}")
    files = derive.derive(source)
    tekton = files["tekton-pipeline.json"]["kinds"]
    for key in (
        "tekton.dev/v1/Task",
        "tekton.dev/v1beta1/Task",
        "tekton.dev/v1/PipelineRun",
        "tekton.dev/v1beta1/StepAction",
        "tekton.dev/v1beta1/CustomRun",
    ):
        assert key in tekton
    assert "argoproj.io/v1alpha1/ApplicationSet" in files["argocd.json"]["kinds"]
    trig = files["tekton-triggers.json"]["kinds"]
    assert "triggers.tekton.dev/v1alpha1/EventListener" in trig
    assert "triggers.tekton.dev/v1beta1/TriggerTemplate" in trig
    assert '"description":"' not in derive.render(tekton)  # a field, never prose
