"""K012: two components of one stream set the same field differently, through the real CLI on a copy
of this repository with a new `openstack` Component beside `hpc` (real kustomize, real merge keys)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from okd_streams.cli import main
from tests.rules.component_repo import PATCH, check_json, openstack_repo

HPC = "overlays/hpc/patch-okd-coreos.yaml"
# openstack's own task, run before the release metadata as hpc's is: both extend one runAfter.
TASKS = """  tasks:
    - name: openstack-report
      runAfter:
        - cosa-build-baseos
      taskSpec:
        steps:
          - name: report
            image: registry.access.redhat.com/ubi9/ubi-minimal:9.5
            script: echo report
    - name: cosa-generate-release-meta
      runAfter:
        - cosa-build-baseos
        - cosa-build-extensions
        - cosa-buildextend
"""
RUN_AFTER_LINE = 17  # `runAfter:` of cosa-generate-release-meta in the patch below PATCH_HEAD + TASKS


def _repo(tmp_path: Path, body: str, listed: list[str] | None = None, annotations: str = "") -> Path:
    metadata = "metadata:\n  name: openstack\n  annotations:\n    okd-streams.io/requires: os\n" + annotations
    return openstack_repo(tmp_path, body, listed, metadata)


def test_two_components_extending_one_run_after_differently_warn_at_the_later(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path, TASKS + "        - openstack-report\n", ["scos", "hpc", "openstack"])
    code, problems = check_json(repo, monkeypatch, capsys)
    assert code == 0  # a warning
    assert [(p["path"], p["line"], p["column"], p["level"], p["code"]) for p in problems] == [
        (PATCH, RUN_AFTER_LINE, 7, "warning", "K012")
    ]
    assert problems[0]["message"] == (
        "components set spec.tasks[cosa-generate-release-meta].runAfter of Pipeline okd-coreos differently: "
        f'"hpc" ({HPC}:39) sets [..., "hpc-layer"], and "openstack" sets [..., "openstack-report"] here, '
        "which silently wins (it is listed later in components:); make them agree, or set the value in one place"
    )
    assert problems[0]["stream"] == "okd-scos"


def test_listed_the_other_way_round_the_warning_is_at_hpc(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path, TASKS + "        - openstack-report\n", ["scos", "openstack", "hpc"])
    _, problems = check_json(repo, monkeypatch, capsys)
    assert [(p["path"], p["line"], p["code"]) for p in problems] == [(HPC, 39, "K012")]
    assert f'"openstack" ({PATCH}:{RUN_AFTER_LINE}) sets [..., "openstack-report"]' in problems[0]["message"]


def test_a_param_default_set_twice_differently_names_both_values(tmp_path, monkeypatch, capsys):
    body = "  params:\n    - name: variant\n      default: okd-c9s-openstack\n"
    _, problems = check_json(_repo(tmp_path, body, ["scos", "openstack"]), monkeypatch, capsys)
    assert [(p["path"], p["line"], p["column"], p["code"]) for p in problems] == [(PATCH, 9, 7, "K012")]
    message = problems[0]["message"]
    assert message.startswith("components set spec.params[variant].default of Pipeline okd-coreos differently:")
    assert '"scos" (overlays/scos/patch-okd-coreos.yaml:12) sets "okd-c9s"' in message
    assert '"openstack" sets "okd-c9s-openstack" here' in message


@pytest.mark.parametrize(
    "body",
    [
        "  params:\n    - name: variant\n      default: okd-c9s\n",  # the same value twice
        TASKS + "        - hpc-layer\n        - openstack-report\n",  # keeps hpc's item: extends it
    ],
    ids=["same-value", "superset-list"],
)
def test_agreeing_components_pass(body, tmp_path, monkeypatch, capsys):
    _, problems = check_json(_repo(tmp_path, body, ["scos", "hpc", "openstack"]), monkeypatch, capsys)
    assert [p for p in problems if p["code"] == "K012"] == []


def test_the_streams_own_patch_deciding_is_not_reported(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path, TASKS + "        - openstack-report\n", ["scos", "hpc", "openstack"])
    stream = repo / "streams" / "okd-scos" / "kustomization.yaml"
    stream.write_text(
        stream.read_text()
        + "patches:\n  - patch: |-\n      apiVersion: tekton.dev/v1\n      kind: Pipeline\n      metadata:\n"
        "        name: okd-coreos\n      spec:\n        tasks:\n          - name: cosa-generate-release-meta\n"
        "            runAfter: [cosa-build-baseos, cosa-build-extensions, cosa-buildextend, hpc-layer,"
        " openstack-report]\n"
    )
    _, problems = check_json(repo, monkeypatch, capsys)
    assert [p for p in problems if p["code"] == "K012"] == []


def test_a_component_requiring_the_earlier_one_refines_it(tmp_path, monkeypatch, capsys):
    repo = _repo(
        tmp_path,
        TASKS + "        - openstack-report\n",
        ["scos", "hpc", "openstack"],
        annotations="    okd-streams.io/requires: os, hpc\n",
    )
    repo.joinpath("overlays/openstack/kustomization.yaml").write_text(
        repo.joinpath("overlays/openstack/kustomization.yaml")
        .read_text()
        .replace("    okd-streams.io/requires: os\n", "", 1)
    )
    _, problems = check_json(repo, monkeypatch, capsys)
    assert [p for p in problems if p["code"] == "K012"] == []


def test_a_waiver_in_the_later_patch_silences_it(tmp_path, monkeypatch, capsys):
    body = "  # okd-streams: disable=K012\n" + TASKS + "        - openstack-report\n"
    _, problems = check_json(_repo(tmp_path, body, ["scos", "hpc", "openstack"]), monkeypatch, capsys)
    assert [p for p in problems if p["code"] == "K012"] == []


def test_a_component_no_stream_uses_is_judged_through_its_probe(tmp_path, monkeypatch, capsys):
    body = "  params:\n    - name: variant\n      default: okd-c9s\n"  # fine on scos, not on fcos
    repo = _repo(tmp_path, body)
    code, problems = check_json(repo, monkeypatch, capsys)
    assert code == 0
    assert [(p["path"], p["line"], p["code"], p["stream"]) for p in problems] == [
        (PATCH, 9, "K012", "overlays/openstack (probe via okd-fcos)")
    ]
    assert '"fcos" (overlays/fcos/patch-okd-coreos.yaml:12) sets "default"' in problems[0]["message"]
    assert main(["lint", "overlays/openstack", "--format", "json"]) == 0
    linted = [p for p in json.loads(capsys.readouterr().out) if p["level"] != "info"]
    assert [(p["path"], p["line"], p["code"]) for p in linted] == [(PATCH, 9, "K012")]


def test_two_os_layers_are_one_k011_error_not_a_warning_per_field(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path, "  params:\n    - name: variant\n      default: okd-c9s\n", ["scos", "fcos"])
    code, problems = check_json(repo, monkeypatch, capsys)
    assert code == 1
    assert [p["code"] for p in problems if p["stream"] == "okd-scos"] == ["K011"]
