"""K003: a patch entry that matches no item of a name-keyed Tekton list, through the real CLI on a copy
of this repository with a new `openstack` Component in okd-scos (real kustomize, real merge keys)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from okd_streams.cli import main
from tests.rules.component_repo import PATCH, PATCH_HEAD, check_json, openstack_repo


def _repo(tmp_path: Path, patch_body: str) -> Path:
    return openstack_repo(tmp_path, patch_body, ["scos", "openstack"])


@pytest.mark.parametrize(
    "entry",
    [
        '    - name: upload-bootimage\n      type: string\n      default: "false"\n',  # a full param
        '    - name: upload-bootimage\n      default: "false"\n',  # an override without type
    ],
    ids=["with-type", "without-type"],
)
def test_a_misspelt_param_override_is_an_error_at_the_entry(entry, tmp_path, monkeypatch, capsys):
    code, problems = check_json(_repo(tmp_path, "  params:\n" + entry), monkeypatch, capsys)
    assert code == 1
    assert [(p["path"], p["line"], p["column"], p["code"]) for p in problems] == [(PATCH, 8, 7, "K003")]
    assert 'the patch entry "upload-bootimage" matches no param of Pipeline okd-coreos' in problems[0]["message"]
    assert problems[0]["message"].endswith('did you mean "upload-bootimages"?')


def test_a_patch_entry_for_a_missing_task_is_one_error_with_the_task_meant(tmp_path, monkeypatch, capsys):
    body = "  tasks:\n    - name: cosa-upload-bootimage\n      runAfter:\n        - cosa-test\n"
    code, problems = check_json(_repo(tmp_path, body), monkeypatch, capsys)
    assert code == 1
    assert [(p["path"], p["line"], p["column"], p["code"]) for p in problems] == [(PATCH, 8, 7, "K003")]
    assert problems[0]["message"] == (
        'the patch entry "cosa-upload-bootimage" matches no task of Pipeline okd-coreos, so it adds an '
        'incomplete task; did you mean "cosa-upload-bootimages"?'
    )  # and not also T070 "has neither taskRef nor taskSpec" at the same place


def test_a_misspelt_nested_override_names_its_task(tmp_path, monkeypatch, capsys):
    body = "  tasks:\n    - name: cosa-init\n      params:\n        - name: varient\n"
    code, problems = check_json(_repo(tmp_path, body), monkeypatch, capsys)
    assert code == 1
    assert [(p["line"], p["code"]) for p in problems] == [(10, "K003")]  # not also R011, V003 there
    assert 'matches no param value of task "cosa-init" of Pipeline okd-coreos' in problems[0]["message"]
    assert problems[0]["message"].endswith('did you mean "variant"?')


def test_a_complete_param_value_is_left_to_the_tasks_declarations(tmp_path, monkeypatch, capsys):
    body = "  tasks:\n    - name: cosa-init\n      params:\n        - name: variants\n          value: x\n"
    _, problems = check_json(_repo(tmp_path, body), monkeypatch, capsys)
    assert [(p["line"], p["code"]) for p in problems] == [(10, "R011")]  # Task cosa-init declares no such param


def test_complete_new_items_and_true_overrides_pass(tmp_path, monkeypatch, capsys):
    body = (
        "  params:\n"
        "    - name: upload-bootimages\n"  # an override: matches
        '      default: "false"\n'
        "    - name: openstack-image-format\n"  # new, typed and used
        "      type: string\n"
        "      description: Disk format of the OpenStack image.\n"
        "      default: qcow2\n"
        "  tasks:\n"
        "    - name: openstack-report\n"  # new and complete
        "      runAfter:\n"
        "        - cosa-test\n"
        "      taskSpec:\n"
        "        steps:\n"
        "          - name: report\n"
        "            image: registry.access.redhat.com/ubi9/ubi-minimal:9.5\n"
        "            script: echo $(params.openstack-image-format)\n"
    )
    _, problems = check_json(_repo(tmp_path, body), monkeypatch, capsys)
    assert [p for p in problems if p["code"] == "K003"] == []


def test_a_new_item_named_like_an_old_one_can_be_waived_with_a_reason(tmp_path, monkeypatch, capsys):
    body = (
        '  # okd-streams: disable=K003 reason="a second bucket, on purpose"\n'
        "  params:\n"
        "    - name: s3-bucket-names\n"
        "      type: string\n"
        "      description: Another bucket.\n"
        "      default: x\n"
        "  tasks:\n"
        "    - name: cosa-upload-bootimages\n"
        "      params:\n"
        "        - name: bucket-name\n"
        "          value: $(params.s3-bucket-names)\n"
    )
    _, problems = check_json(_repo(tmp_path, body), monkeypatch, capsys)
    assert [p for p in problems if p["code"] in ("K003", "X000")] == []
    without = body.replace('  # okd-streams: disable=K003 reason="a second bucket, on purpose"\n', "")
    (tmp_path / PATCH).write_text(PATCH_HEAD + without)
    code, problems = check_json(tmp_path, monkeypatch, capsys)
    assert code == 1
    assert [(p["line"], p["code"]) for p in problems] == [(8, "K003")]
    assert 'adds a new param beside "s3-bucket-name"; did you mean "s3-bucket-name"?' in problems[0]["message"]


def test_a_list_kustomize_replaces_whole_is_not_judged(tree, monkeypatch, capsys):
    """Without merge keys (no openapi) kustomize replaces the list: an entry there matches nothing
    by design, so no K003 (what the replacement dropped is other rules' to say)."""
    root = tree(
        {
            "kustomization.yaml": "resources: [pipeline.yaml]\npatches:\n  - path: patch.yaml\n",
            "pipeline.yaml": (
                "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: p\nspec:\n  params:\n"
                "    - name: images\n      type: string\n  tasks:\n    - name: t\n      taskSpec:\n"
                "        steps: [{name: s, image: 'alpine:3', script: 'echo $(params.images)'}]\n"
            ),
            "patch.yaml": (
                "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: p\nspec:\n  params:\n"
                "    - name: image\n      type: string\n"
            ),
        }
    )
    monkeypatch.chdir(root)
    main(["lint", "--no-cache", "--format", "json", "."])
    assert [p for p in json.loads(capsys.readouterr().out) if p["code"] == "K003"] == []
