"""A timeout that is not a Go duration is one mistake, one finding: the Tekton rule's (T080,
T090, T091), which says it in Tekton's words; the schema stage's pattern check (V004) at the
same key is its follow-on. Where no Tekton rule looks (a pipeline task's timeout), V004 says it."""

from __future__ import annotations

from pathlib import Path

from tests.cli import lint_json

RUNS = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: nightly
spec:
  timeouts:
    pipeline: forever
  pipelineRef:
    name: build
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: once
spec:
  timeout: forever
  taskRef:
    name: build
"""
PIPELINE = """\
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: build
spec:
  tasks:
    - name: compile
      timeout: forever
      taskSpec:
        steps:
          - name: make
            image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
            timeout: never
            script: make
"""


def errors(path: Path) -> list[tuple[int, int, str]]:
    return [(p["line"], p["column"], p["code"]) for p in lint_json(path) if p["level"] == "error"]


def test_a_run_s_bad_timeout_is_one_finding(tmp_path: Path) -> None:
    (tmp_path / "runs.yaml").write_text(RUNS, encoding="utf-8")
    assert errors(tmp_path / "runs.yaml") == [(7, 5, "T090"), (16, 3, "T091")]


def test_a_step_s_bad_timeout_is_one_finding(tmp_path: Path) -> None:
    (tmp_path / "build.yaml").write_text(PIPELINE, encoding="utf-8")
    assert errors(tmp_path / "build.yaml") == [(8, 7, "V004"), (13, 13, "T080")]
