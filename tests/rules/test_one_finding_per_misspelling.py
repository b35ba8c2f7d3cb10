"""A field misspelt or given the wrong type is one mistake: the schema stage's finding (V001
"did you mean", V002), not also the rule that then misses the field (a param not set, a
workspace not bound, a step without image, a pipeline task without taskRef). Where the
misspelt field is only dropped (a run Pipelines-as-Code handles), it is missing indeed when
the run starts, and both are said."""

from __future__ import annotations

from pathlib import Path

from tests.cli import lint_json

MISSPELT = """\
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  params:
    - name: revision
  tasks:
    - name: fetch
      taskSpec:
        params:
          - name: revision
        steps:
          - name: git
            imag: registry.access.redhat.com/ubi9/ubi-minimal:9.4
            script: echo $(params.revision)
      parms:
        - name: revision
          value: $(params.revision)
    - name: build
      taskRf:
        name: build
      runAfter: [fetch]
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: tr
spec:
  taskRef:
    name: build
  worspaces:
    - name: src
      emptyDir: {}
---
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  workspaces:
    - name: src
  steps:
    - name: make
      image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
      script: make
"""
MISTYPED = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: r
spec:
  params:
    revision: abc
  workspaces: src
  pipelineSpec:
    params:
      - name: revision
    workspaces:
      - name: src
    tasks:
      - name: fetch
        workspaces:
          - name: src
            workspace: src
        params:
          - name: revision
            value: $(params.revision)
        taskSpec:
          params:
            - name: revision
          workspaces:
            - name: src
          steps: notalist
"""
NAMES_AND_SOURCES = """\
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  workspaces:
    - nam: src
  tasks:
    - nme: a
      taskSpec:
        steps:
          - name: s
            image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
            script: echo
    - name: b
      when:
        - input: x
          operatr: in
          valus: [x]
      taskRef:
        name: t
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: r
spec:
  pipelineRef:
    name: p
  workspaces:
    - name: src
      emptydir: {}
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - name: t
      bindings:
        - name: revision
          value: $(body.after)
      templat:
        ref: tt
---
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spc:
  steps:
    - name: s
      image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
      script: echo
"""
PAC = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: on-push
  annotations:
    pipelinesascode.tekton.dev/on-event: "[push]"
spec:
  parms:
    - name: revision
      value: abc
  pipelineSpec:
    params:
      - name: revision
    tasks:
      - name: fetch
        taskSpec:
          steps:
            - name: git
              image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
              script: echo $(params.revision)
"""


def findings(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    (tmp_path / "tree.yaml").write_text(text, encoding="utf-8")
    found = lint_json(tmp_path / "tree.yaml")
    return [
        (p["line"], p["column"], p["code"], p["level"])
        for p in found
        if p["level"] != "info" and p["code"] not in ("S002", "S003")  # one object per file, named after it
    ]


def test_each_misspelt_field_is_one_finding(tmp_path: Path) -> None:
    assert findings(tmp_path, MISSPELT) == [
        (15, 13, "V001", "error"),  # imag: not also T080 "has no image"
        (17, 7, "V001", "error"),  # parms: not also R010 "does not set param"
        (21, 7, "V001", "error"),  # taskRf: not also T070 "neither taskRef nor taskSpec"
        (32, 3, "V001", "error"),  # worspaces: not also R024 "does not bind workspace"
    ]


def test_each_mistyped_field_is_one_finding(tmp_path: Path) -> None:
    assert findings(tmp_path, MISTYPED) == [
        (6, 3, "V002", "error"),  # params as a mapping: not also R020
        (8, 3, "V002", "error"),  # workspaces as a string: not also R021
        (27, 11, "V002", "error"),  # steps as a string: not also T080 "has no steps"
    ]


def test_each_misspelt_name_source_template_and_spec_is_one_finding(tmp_path: Path) -> None:
    assert findings(tmp_path, NAMES_AND_SOURCES) == [
        (7, 7, "V001", "error"),  # nam: not also T060 "workspace has no name"
        (9, 7, "V001", "error"),  # nme: not also T002 "pipeline task has no name"
        (18, 11, "V001", "error"),  # operatr: not also T050 "has operator ''"
        (19, 11, "V001", "error"),  # valus: not also T050 "has no values"
        (32, 7, "V001", "error"),  # emptydir: not also T062 "has no volume source"
        (44, 7, "V001", "error"),  # templat: not also R003 "has no template"
        (51, 1, "V001", "error"),  # spc: not also T080 "Task has no spec"
    ]


def test_a_dropped_field_leaves_the_param_missing(tmp_path: Path) -> None:
    assert findings(tmp_path, PAC) == [(7, 1, "R020", "error"), (8, 3, "V001", "warning")]
