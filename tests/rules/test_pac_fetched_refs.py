"""Pipelines-as-Code fetches the Tasks (and the Pipeline) a run's annotations name, from
Artifact Hub, a URL or a file of the repository, and inlines them (its matcher's
`pipelinesascode.tekton.dev/task`, `task-N` and `pipeline` annotations): such a reference need
not exist on the cluster, so R001 and R002 only note it instead of warning that it must."""

from __future__ import annotations

from pathlib import Path

import pytest

from okd_streams.model.objects import Obj, Unit
from okd_streams.tekton import pac
from tests.cli import lint_json


def run_with(annotations: dict[str, str]) -> Obj:
    data = {
        "apiVersion": "tekton.dev/v1",
        "kind": "PipelineRun",
        "metadata": {
            "name": "on-push",
            "annotations": {"pipelinesascode.tekton.dev/on-event": "[push]", **annotations},
        },
    }
    return Obj(data, ".tekton/on-push.yaml")


@pytest.mark.parametrize(
    "annotations,names,others",
    [
        ({"pipelinesascode.tekton.dev/task": "[git-clone, pylint:0.2]"}, {"git-clone", "pylint"}, ()),
        ({"pipelinesascode.tekton.dev/task-1": "git-clone"}, {"git-clone"}, ()),
        ({"pipelinesascode.tekton.dev/task": "[mycatalog://golang-build:0.3]"}, {"golang-build"}, ()),
        (
            {"pipelinesascode.tekton.dev/task": "[https://example.com/t.yaml, .tekton/tasks/lint.yaml]"},
            set(),
            ("https://example.com/t.yaml", ".tekton/tasks/lint.yaml"),
        ),
        ({"pipelinesascode.tekton.dev/pipeline": "build-pipeline"}, set(), ()),  # a Pipeline, not a Task
        ({"pipelinesascode.tekton.dev/tasks": "git-clone"}, set(), ()),  # not an annotation PaC reads
    ],
)
def test_what_the_annotations_fetch(annotations: dict, names: set, others: tuple) -> None:
    run = run_with(annotations)
    assert pac.fetched(Unit("u", [run]), run, "Task") == (frozenset(names), others)


def test_the_pipeline_annotation() -> None:
    run = run_with({"pipelinesascode.tekton.dev/pipeline": "https://example.com/pipeline.yaml"})
    assert pac.fetched(Unit("u", [run]), run, "Pipeline") == (frozenset(), ("https://example.com/pipeline.yaml",))


RUN = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: on-push
  annotations:
    pipelinesascode.tekton.dev/on-event: "[push]"
    pipelinesascode.tekton.dev/task: "[git-clone]"
    pipelinesascode.tekton.dev/task-1: "[https://example.com/tasks/lint.yaml]"
spec:
  pipelineSpec:
    tasks:
      - name: fetch
        taskRef:
          name: git-clone
      - name: lint
        taskRef:
          name: lint
"""


def findings(path: Path) -> list[tuple[int, int, str, str]]:
    return [(p["line"], p["column"], p["code"], p["level"]) for p in lint_json(path) if p["code"] == "R001"]


def test_a_repository_file_named_after_the_task_is_named() -> None:
    run = run_with(
        {"pipelinesascode.tekton.dev/task": "[task/a/0.1/a.yaml, task/git-clone/0.1/git-clone.yaml, ci/b.yaml]"}
    )
    note = pac.fetched_note(Unit("u", [run]), run, "Task", "git-clone")
    assert note is not None and "from task/git-clone/0.1/git-clone.yaml " in note
    note = pac.fetched_note(Unit("u", [run]), run, "Task", "lint")
    assert note is not None and "task/a/0.1/a.yaml, task/git-clone/0.1/git-clone.yaml or 1 more" in note


def test_tasks_pac_fetches_are_noted(tmp_path: Path) -> None:
    (tmp_path / ".tekton").mkdir()
    (tmp_path / ".tekton" / "on-push.yaml").write_text(RUN, encoding="utf-8")
    assert findings(tmp_path) == [(14, 11, "R001", "info"), (17, 11, "R001", "info")]


def test_without_the_annotations_they_must_be_on_the_cluster(tmp_path: Path) -> None:
    (tmp_path / ".tekton").mkdir()
    text = "".join(line for line in RUN.splitlines(keepends=True) if "/task" not in line)
    (tmp_path / ".tekton" / "on-push.yaml").write_text(text, encoding="utf-8")
    assert findings(tmp_path) == [(12, 11, "R001", "warning"), (15, 11, "R001", "warning")]


PIPELINE = """\
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: build
spec:
  tasks:
    - name: fetch
      taskRef:
        name: git-clone
"""
REFERENCING_RUN = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: on-push
  annotations:
    pipelinesascode.tekton.dev/on-event: "[push]"
    pipelinesascode.tekton.dev/task: "git-clone"
spec:
  pipelineRef:
    name: build
"""


def test_a_tekton_folder_pipeline_a_pac_run_references_gets_the_run_s_tasks(tmp_path: Path) -> None:
    (tmp_path / ".tekton").mkdir()
    (tmp_path / ".tekton" / "build.yaml").write_text(PIPELINE, encoding="utf-8")
    (tmp_path / ".tekton" / "on-push.yaml").write_text(REFERENCING_RUN, encoding="utf-8")
    assert findings(tmp_path) == [(9, 9, "R001", "info")]


def test_a_name_pac_fills_in_is_noted(tmp_path: Path) -> None:
    (tmp_path / ".tekton").mkdir()
    text = RUN.replace("name: lint", 'name: "{{ linter }}"')
    (tmp_path / ".tekton" / "on-push.yaml").write_text(text, encoding="utf-8")
    assert findings(tmp_path) == [(14, 11, "R001", "info"), (17, 11, "R001", "info")]
    found = lint_json(tmp_path)
    assert not [p for p in found if p["code"] == "T071" or p["level"] == "error"]
