"""kustomize precision (issue 17): what kustomize did decides, not what the built objects look like."""

from __future__ import annotations

from pathlib import Path

import pytest

from okd_streams.config import Config
from okd_streams.lint import linting
from okd_streams.problem import Problem
from tests.conftest import write_tree

TASK = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: template
spec:
  steps:
    - name: run
      image: alpine:3.20
      script: echo hi
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: args
  labels:
    change-args: "true"
data:
  a: b
"""


RENAME = '  - target: {kind: Task, name: template}\n    patch: "- {op: replace, path: /metadata/name, value: build}"\n'


def lint(root: Path, monkeypatch) -> list[Problem]:
    monkeypatch.chdir(root)
    return linting.lint_paths([root], Config(), progress=False, cache=False).problems


def found(problems: list[Problem], code: str) -> list[tuple[str, int, str]]:
    return [(p.path, p.line, p.level) for p in problems if p.code == code]


def test_a_patch_renaming_what_it_selects_applied_and_a_wrong_name_is_still_reported(tmp_path, monkeypatch):
    write_tree(
        tmp_path,
        {
            "template.yaml": TASK,
            "kustomization.yaml": "resources: [template.yaml]\npatches:\n"
            + RENAME
            + '  - target: {kind: Task, name: nosuch}\n    patch: "- {op: replace, path: /spec/x, value: x}"\n',
        },
    )
    assert found(lint(tmp_path, monkeypatch), "K002") == [("kustomization.yaml", 5, "error")]


DELETE = (
    "    patch: |-\n      $patch: delete\n      apiVersion: tekton.dev/v1\n      kind: Task\n"
    "      metadata:\n        name: any\n"
)


def test_a_patch_deleting_what_it_selects_applied_and_a_wrong_name_is_still_reported(tmp_path, monkeypatch):
    # The deleted object takes the probe's mark with it: the delete is probed without itself.
    write_tree(
        tmp_path,
        {
            "template.yaml": TASK,
            "delete-nosuch.yaml": "$patch: delete\napiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: any\n",
            "kustomization.yaml": "resources: [template.yaml]\npatches:\n"
            + "  - target: {kind: Task, name: ^templ.*$}\n"
            + DELETE
            + "  - target: {kind: Task, name: nosuch}\n    path: delete-nosuch.yaml\n",
        },
    )
    assert found(lint(tmp_path, monkeypatch), "K002") == [("kustomization.yaml", 10, "error")]


def test_a_patch_relabelling_what_it_selects_applied_and_a_label_nothing_has_is_still_reported(tmp_path, monkeypatch):
    write_tree(
        tmp_path,
        {
            "args.yaml": CONFIGMAP,
            "kustomization.yaml": "resources: [args.yaml]\npatches:\n"
            '  - target: {kind: ConfigMap, labelSelector: "change-args==true"}\n'
            "    patch: |-\n      apiVersion: v1\n      kind: ConfigMap\n      metadata:\n        name: args\n"
            '        labels:\n          change-args: ""\n'
            '  - target: {kind: ConfigMap, labelSelector: "other==true"}\n'
            '    patch: "- {op: add, path: /data/x, value: y}"\n',
        },
    )
    assert found(lint(tmp_path, monkeypatch), "K002") == [("kustomization.yaml", 11, "error")]


def test_a_later_layer_patching_an_object_by_the_name_a_base_patch_replaced(tmp_path, monkeypatch):
    # kustomize matches the overlay's target against the object's original name too
    write_tree(
        tmp_path,
        {
            "base/template.yaml": TASK,
            "base/kustomization.yaml": "resources: [template.yaml]\npatches:\n" + RENAME,
            "overlay/kustomization.yaml": "resources: [../base]\npatches:\n"
            '  - target: {kind: Task, name: template}\n    patch: "- {op: add, path: /spec/description, value: x}"\n'
            '  - target: {kind: Task, name: biuld}\n    patch: "- {op: add, path: /spec/description, value: y}"\n',
        },
    )
    assert found(lint(tmp_path / "overlay", monkeypatch), "K002") == [("kustomization.yaml", 5, "error")]


@pytest.mark.parametrize(
    "remote",
    [
        "https://github.com/tektoncd/catalog/task/git-clone/0.9?ref=main",
        "github.com/tektoncd/catalog//task/git-clone?ref=v1",
    ],
)
def test_a_remote_resource_offline_is_named_and_the_local_objects_are_still_checked(tmp_path, monkeypatch, remote):
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # never the network, even where there is one
    write_tree(
        tmp_path,
        {
            "kustomization.yaml": f"resources:\n  - {remote}\n  - template.yaml\n"
            "patches:\n"
            '  - target: {kind: Task, name: git-clone}\n    patch: "- {op: add, path: /spec/description, value: x}"\n',
            "template.yaml": TASK.replace("echo hi", "echo $(params.nope)"),
        },
    )
    problems = lint(tmp_path, monkeypatch)
    found_remote = [p for p in problems if p.code == "K001"]
    assert [(p.path, p.line, p.level) for p in found_remote] == [("kustomization.yaml", 2, "warning")]
    assert remote in found_remote[0].message
    assert "could not be fetched" in found_remote[0].message
    assert found(problems, "T020") == [("template.yaml", 9, "error")]  # the local Task is checked
    # a target that may name a remote object is not called wrong
    assert found(problems, "K002") == []


BINDING = """\
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: nightly
spec:
  params:
    - name: release
      value: "4.15"
"""

LISTENER = """\
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: listener
spec:
  serviceAccountName: pipeline
  triggers:
    - name: nightly
      bindings:
        - ref: nightly
        - ref: elsewhere
      template:
        spec:
          params:
            - name: release
          resourcetemplates: []
"""

NAME_REFERENCE = """\
nameReference:
  - kind: TriggerBinding
    fieldSpecs:
      - {kind: EventListener, path: spec/triggers/bindings/ref}
"""


def test_a_reference_left_behind_by_the_builds_name_prefix_is_an_error_naming_both_names(tmp_path, monkeypatch):
    write_tree(
        tmp_path,
        {
            "kustomization.yaml": "namePrefix: team-a-\nresources: [nightly.yaml, listener.yaml]\n",
            "nightly.yaml": BINDING,
            "listener.yaml": LISTENER,
        },
    )
    problems = [p for p in lint(tmp_path, monkeypatch) if p.code == "R003"]
    assert [(p.path, p.line, p.level) for p in problems] == [
        ("listener.yaml", 10, "error"),
        ("listener.yaml", 11, "warning"),  # a binding named nowhere in the build may be on the cluster
    ]
    assert '"nightly"' in problems[0].message and '"team-a-nightly"' in problems[0].message
    assert "nameReference" in problems[0].message and "spec/triggers/bindings/ref" in problems[0].message


def test_with_the_name_reference_configuration_the_renamed_reference_resolves(tmp_path, monkeypatch):
    write_tree(
        tmp_path,
        {
            "kustomization.yaml": "namePrefix: team-a-\nresources: [nightly.yaml, listener.yaml]\n"
            "configurations: [namereference.yaml]\n",
            "namereference.yaml": NAME_REFERENCE,
            "nightly.yaml": BINDING,
            "listener.yaml": LISTENER,
        },
    )
    assert found(lint(tmp_path, monkeypatch), "R003") == [("listener.yaml", 11, "warning")]


def test_loose_files_stay_an_open_set(tmp_path, monkeypatch):
    write_tree(tmp_path, {"listener.yaml": LISTENER})
    assert {level for _, _, level in found(lint(tmp_path, monkeypatch), "R003")} == {"warning"}


def test_a_task_ref_left_behind_by_the_builds_name_suffix_is_an_error(tmp_path, monkeypatch):
    pipeline = (
        "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: build\nspec:\n  tasks:\n"
        "    - name: run\n      taskRef:\n        name: template\n"
    )
    write_tree(
        tmp_path,
        {
            "kustomization.yaml": "nameSuffix: -v2\nresources: [template.yaml, build.yaml]\n",
            "template.yaml": TASK,
            "build.yaml": pipeline,
        },
    )
    problems = [p for p in lint(tmp_path, monkeypatch) if p.code == "R001" or "renames" in p.message]
    assert [(p.path, p.line, p.level) for p in problems] == [("build.yaml", 9, "error")]
    assert '"template-v2"' in problems[0].message


def test_a_target_kustomize_cannot_be_asked_about_is_a_warning(tmp_path, monkeypatch):
    # `transformers:` files may name more files than okd-streams follows: no copy of the build is made
    write_tree(
        tmp_path,
        {
            "template.yaml": TASK,
            "prefix.yaml": "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata:\n  name: prefix\n"
            "prefix: p-\nfieldSpecs:\n  - path: metadata/name\n",
            "kustomization.yaml": "resources: [template.yaml]\ntransformers: [prefix.yaml]\npatches:\n"
            '  - target: {kind: Task, name: nosuch}\n    patch: "- {op: add, path: /spec/x, value: x}"\n',
        },
    )
    assert found(lint(tmp_path, monkeypatch), "K002") == [("kustomization.yaml", 4, "warning")]
