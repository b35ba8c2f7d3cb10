"""Precision on real Tekton trees (issue 17): each construct Tekton accepts gives no error, and the
true case beside it still gives one. Small real trees, linted as `okd-streams lint` does."""

from __future__ import annotations

import textwrap
from pathlib import Path

from okd_streams.config import Config
from okd_streams.lint import linting
from tests.conftest import write_tree


def lint(root: Path, files: dict[str, str], code: str | None = None) -> list[tuple[str, str, str]]:
    """(path:line:col, level, message) of the problems with `code` in the tree `files`."""
    write_tree(root, {path: textwrap.dedent(text) for path, text in files.items()})
    report = linting.lint_paths([root], Config(), progress=False, cache=False)
    return [
        (f"{Path(p.path).resolve().relative_to(root.resolve())}:{p.line}:{p.column}", p.level, p.message)
        for p in report.problems
        if code is None or p.code == code
    ]


STEPS = """\
  steps:
    - name: run
      image: "alpine:3.20@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a"
      script: "true"
"""


# --- S001: a version Tekton no longer serves is not "deprecated" ---------------------------------


def test_an_unserved_tekton_version_is_an_error_saying_the_api_server_rejects_it(tmp_path):
    found = lint(
        tmp_path,
        {
            "old.yaml": "apiVersion: tekton.dev/v1alpha1\nkind: Task\nmetadata:\n  name: old\nspec:\n" + STEPS,
            "beta.yaml": "apiVersion: tekton.dev/v1beta1\nkind: Task\nmetadata:\n  name: beta\nspec:\n" + STEPS,
            "gone.yaml": "apiVersion: tekton.dev/v1alpha1\nkind: PipelineResource\nmetadata:\n  name: gone\n"
            "spec:\n  type: git\n",
        },
        "S001",
    )
    by_file = {where.partition(":")[0]: (level, message) for where, level, message in found}
    assert by_file["old.yaml"][0] == "error"
    assert "no longer serves" in by_file["old.yaml"][1] and "deprecated" not in by_file["old.yaml"][1]
    assert by_file["old.yaml"][1].endswith("write it as tekton.dev/v1")
    assert by_file["gone.yaml"][0] == "error" and "PipelineResource was removed" in by_file["gone.yaml"][1]
    assert by_file["beta.yaml"] == (
        "warning",
        "Task uses tekton.dev/v1beta1; write it as tekton.dev/v1 (v1beta1 is deprecated)",
    )


def test_kinds_without_a_v1_are_left_alone_in_a_served_version(tmp_path):
    files = {
        "custom.yaml": "apiVersion: tekton.dev/v1beta1\nkind: CustomRun\nmetadata:\n  name: custom\n"
        "spec:\n  customRef: {apiVersion: example.dev/v1, kind: Example}\n",
        "policy.yaml": "apiVersion: tekton.dev/v1alpha1\nkind: VerificationPolicy\nmetadata:\n  name: policy\n"
        'spec:\n  resources:\n    - pattern: "https://github.com/tektoncd/catalog.git"\n'
        "  authorities:\n    - name: key\n      key: {secretRef: {name: key, namespace: tekton}}\n",
    }
    assert lint(tmp_path, files, "S001") == []


# --- R031: an unbound TriggerTemplate param in a name the API server validates ---------------------

NIGHTLY = """\
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: nightly
spec:
  serviceAccountName: nightly
  triggers:
    - name: nightly
      bindings:
        - ref: nightly
      template:
        ref: nightly
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: nightly
spec:
  params:
    - name: stream
      value: $(body.stream)
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: nightly
spec:
  params:
    - name: stream
    - name: release
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: nightly-$(tt.params.release)-
      spec:
        pipelineRef: {name: build}
        params:
          - {name: stream, value: $(tt.params.stream)}
"""


def test_an_unbound_param_in_generate_name_is_one_error_naming_the_field(tmp_path):
    found = lint(tmp_path / "bad", {"nightly.yaml": NIGHTLY}, "R031")
    assert [(where, level) for where, level, _ in found] == [("nightly.yaml:9:7", "error")]
    assert '"release"' in found[0][2] and "metadata.generateName of resource template 1 (PipelineRun)" in found[0][2]
    bound = NIGHTLY.replace(
        "      value: $(body.stream)\n", "      value: $(body.stream)\n    - {name: release, value: $(body.release)}\n"
    )
    assert lint(tmp_path / "good", {"nightly.yaml": bound}, "R031") == []
    in_spec = NIGHTLY.replace("nightly-$(tt.params.release)-", "nightly-").replace(
        "$(tt.params.stream)}", "$(tt.params.stream)}\n          - {name: release, value: $(tt.params.release)}"
    )
    found = lint(tmp_path / "spec", {"nightly.yaml": in_spec}, "R031")
    assert [level for _, level, _ in found] == ["warning"], found  # elsewhere: a warning, as before


# --- R021: workspaces bound to an embedded pipelineSpec are propagated, not ignored ------------

EMBEDDED_RUN = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: embedded
spec:
  workspaces:
    - name: shared
      emptyDir: {}
  pipelineSpec:
    tasks:
      - name: write
        taskSpec:
""" + textwrap.indent(STEPS.replace('script: "true"', "script: echo hi > $(workspaces.shared.path)/x"), "          ")


def test_a_workspace_propagated_into_an_embedded_pipeline_spec_is_not_called_ignored(tmp_path):
    assert lint(tmp_path / "used", {"embedded.yaml": EMBEDDED_RUN}, "R021") == []
    unused = EMBEDDED_RUN.replace("$(workspaces.shared.path)/x", "/tmp/x")
    found = lint(tmp_path / "unused", {"embedded.yaml": unused}, "R021")
    assert [level for _, level, _ in found] == ["info"] and "ignores" not in found[0][2]
    assert "propagates" in found[0][2]


# --- T020: object keys a pipeline task supplies (appendPipelineTaskParams) ---------------------

GITREPO_RUN = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: clone
spec:
  params:
    - name: gitrepo
      value: {url: "https://github.com/okd-project/okd", commit: abc123}
  pipelineSpec:
    tasks:
      - name: clone
        params:
          - name: gitrepo
            value: {branch: main, url: $(params.gitrepo.url)}
        taskSpec:
""" + textwrap.indent(STEPS.replace('script: "true"', "script: echo $(params.gitrepo.branch)"), "          ")


def test_an_object_key_the_pipeline_task_supplies_is_declared_for_an_inline_task_spec(tmp_path):
    assert lint(tmp_path / "good", {"clone.yaml": GITREPO_RUN}, "T020") == []
    nobody = GITREPO_RUN.replace("gitrepo.branch)", "gitrepo.tag)")
    found = lint(tmp_path / "bad", {"clone.yaml": nobody}, "T020")  # a key nobody supplies: still an error
    assert [(where, level) for where, level, _ in found] == [("clone.yaml:19:17", "error")]
    assert 'has no key "tag" (keys: branch, commit, url)' in found[0][2]


def test_a_pipeline_object_param_does_not_take_the_pipeline_tasks_keys(tmp_path):
    """A Pipeline's own declaration stays what its taskSpec is checked against (Tekton's
    webhook rejects the Pipeline: non-existent variable)."""
    pipeline = (
        "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: clone\nspec:\n  params:\n"
        "    - {name: gitrepo, type: object, properties: {url: {type: string}, commit: {type: string}}}\n"
        "  tasks:\n    - name: clone\n      params:\n"
        "        - {name: gitrepo, value: {branch: main, url: $(params.gitrepo.url)}}\n      taskSpec:\n"
        + textwrap.indent(STEPS.replace('script: "true"', "script: echo $(params.gitrepo.branch)"), "        ")
    )
    assert [level for _, level, _ in lint(tmp_path, {"clone.yaml": pipeline}, "T020")] == ["error"]


# --- R013: Pipelines-as-Code inlines its .tekton/ Tasks ------------------------------------------

PAC_RUN = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pull-request
  annotations:
    pipelinesascode.tekton.dev/on-event: "[pull_request]"
spec:
  workspaces:
    - {name: source, emptyDir: {}}
  pipelineSpec:
    workspaces:
      - name: source
    tasks:
      - name: check
        taskRef: {name: make-check}
        workspaces:
          - {name: source, workspace: source}
"""
MAKE_CHECK = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: make-check\nspec:\n" + STEPS


def test_a_pac_run_binding_a_workspace_its_local_task_does_not_declare_is_valid(tmp_path):
    files = {".tekton/pull-request.yaml": PAC_RUN, ".tekton/tasks/make-check.yaml": MAKE_CHECK}
    assert lint(tmp_path / "pac", files, "R013") == []
    by_ref = PAC_RUN.partition("  pipelineSpec:")[0] + "  pipelineRef: {name: ci}\n"
    pipeline = "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: ci\nspec:\n"
    pipeline += "  workspaces:\n    - name: source\n  tasks:"
    pipeline += PAC_RUN.partition("    tasks:")[2].replace("\n  ", "\n")
    files = {".tekton/pull-request.yaml": by_ref, ".tekton/ci.yaml": pipeline, ".tekton/make-check.yaml": MAKE_CHECK}
    assert lint(tmp_path / "pac-pipeline", files, "R013") == []  # PaC inlines the Pipeline and its Tasks


def test_a_plain_pipeline_binding_a_workspace_its_task_does_not_declare_is_still_an_error(tmp_path):
    plain = PAC_RUN.replace('  annotations:\n    pipelinesascode.tekton.dev/on-event: "[pull_request]"\n', "")
    files = {".tekton/pull-request.yaml": plain, ".tekton/make-check.yaml": MAKE_CHECK}
    found = lint(tmp_path / "plain", files, "R013")
    assert [(where, level) for where, level, _ in found] == [(".tekton/pull-request.yaml:15:14", "error")]
    assert 'binds workspace "source", which Task "make-check" does not declare' in found[0][2]
    outside = {"ci/pull-request.yaml": PAC_RUN, "ci/make-check.yaml": MAKE_CHECK}  # PaC reads only .tekton/
    assert [level for _, level, _ in lint(tmp_path / "outside", outside, "R013")] == ["error"]


def test_a_local_task_pac_inlines_may_use_the_workspaces_its_pipeline_task_binds(tmp_path):
    """T024: once PaC embeds it, a workspace the pipeline task binds is declared for it."""
    uses = MAKE_CHECK.replace('script: "true"', "script: ls $(workspaces.source.path)")
    files = {".tekton/pull-request.yaml": PAC_RUN, ".tekton/make-check.yaml": uses}
    assert lint(tmp_path / "pac", files, "T024") == []
    unbound = PAC_RUN.replace("        workspaces:\n          - {name: source, workspace: source}\n", "")
    files = {".tekton/pull-request.yaml": unbound, ".tekton/make-check.yaml": uses}
    assert [level for _, level, _ in lint(tmp_path / "unbound", files, "T024")] == ["warning"]
    outside = {"ci/pull-request.yaml": PAC_RUN, "ci/make-check.yaml": uses}  # PaC reads only .tekton/
    assert [level for _, level, _ in lint(tmp_path / "outside", outside, "T024")] == ["warning"]


# --- R001/R011: a reference means the nearest definition; an ambiguity is a warning naming both ----


def _task(name: str, *params: str) -> str:
    declared = "".join(f"    - name: {p}\n" for p in params)
    return f"apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: {name}\nspec:\n  params:\n{declared}" + STEPS


X_RUN = """\
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: x-run
spec:
  taskRef: {name: x}
  params:
    - {name: a, value: "1"}
    - {name: b, value: "2"}
"""


def test_a_test_beside_a_rendered_version_is_checked_against_that_version(tmp_path):
    """task/x/0.2 is rendered through its kustomization; its loose test must still mean 0.2, not 0.1."""
    files = {
        "task/x/0.1/x.yaml": _task("x", "a"),
        "task/x/0.2/x.yaml": _task("x", "a", "b"),
        "task/x/0.2/kustomization.yaml": "resources:\n  - x.yaml\n",
        "task/x/0.2/tests/run.yaml": X_RUN,
    }
    assert lint(tmp_path, files, "R011") == []  # params a and b: both declared by 0.2
    assert lint(tmp_path, files, "R001") == []
    # The same test next to 0.1 still means 0.1, and param b is extra there.
    files["task/x/0.1/tests/run.yaml"] = X_RUN
    (tmp_path / "task/x/0.2/tests/run.yaml").unlink()
    del files["task/x/0.2/tests/run.yaml"]
    found = lint(tmp_path, files, "R011")
    assert [(where, level) for where, level, _ in found] == [("task/x/0.1/tests/run.yaml:9:8", "info")], found


def test_two_equally_near_definitions_are_a_warning_naming_both(tmp_path):
    pipeline = (
        "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: build\nspec:\n  tasks:\n"
        "    - name: clone\n      taskRef: {name: git-clone}\n      params:\n        - {name: url, value: x}\n"
    )
    files = {
        "pipelines/build.yaml": pipeline,
        "tasks/git-clone.yaml": _task("git-clone", "url"),
        "tests/golden/git-clone.yaml": _task("git-clone", "golden"),
    }
    found = lint(tmp_path, files, "R001")
    assert [(where, level) for where, level, _ in found] == [("pipelines/build.yaml:8:17", "warning")]
    assert "tasks/git-clone.yaml" in found[0][2] and "tests/golden/git-clone.yaml" in found[0][2]
    assert lint(tmp_path, files, "R011") == []  # checked against neither: no guess
    # Beside the pipeline, one definition is nearest: no ambiguity, and it is the one checked.
    (tmp_path / "tasks/git-clone.yaml").unlink()
    del files["tasks/git-clone.yaml"]
    files["pipelines/git-clone.yaml"] = _task("git-clone", "url")
    assert lint(tmp_path / "near", files, "R001") == []
