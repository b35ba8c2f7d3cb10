"""Pipelines-as-Code fills `{{ name }}` placeholders in the `.tekton/` files before it reads
them (its templates package): a name or a timeout holding one is not known until then, so
it is not judged; the same value anywhere else is what the cluster gets, and is."""

from __future__ import annotations

from pathlib import Path

from tests.cli import lint_json

RUN = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: "{{{{ repo_name }}}}-on-push"
{annotations}spec:
  timeouts:
    pipeline: "{{{{ timeout }}}}"
  pipelineSpec:
    tasks:
      - name: build
        taskSpec:
          steps:
            - name: make
              image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
              script: make
"""
PAC = '  annotations:\n    pipelinesascode.tekton.dev/on-event: "[push]"\n'
LABELS = '  labels:\n    okd.io/repo: "{{ repo_owner }}"\n    "{{ repo_name }}": pushed\n'  # a value, a key


def problems(folder: Path) -> list[tuple[int, int, str]]:
    return [(p["line"], p["column"], p["code"]) for p in lint_json(folder) if p["level"] != "info"]


def test_placeholders_in_a_pac_run_are_not_judged(tmp_path: Path) -> None:
    (tmp_path / ".tekton").mkdir()
    (tmp_path / ".tekton" / "push.yaml").write_text(RUN.format(annotations=PAC + LABELS), encoding="utf-8")
    assert problems(tmp_path) == []  # no V004 on the name or the timeout, no T090, no S003


def test_placeholders_in_any_tekton_folder_file_are_not_judged(tmp_path: Path) -> None:
    (tmp_path / ".tekton").mkdir()
    (tmp_path / ".tekton" / "push.yaml").write_text(RUN.format(annotations=LABELS), encoding="utf-8")
    assert problems(tmp_path) == []


def test_the_same_values_elsewhere_are_what_the_cluster_gets(tmp_path: Path) -> None:
    (tmp_path / "push.yaml").write_text(RUN.format(annotations=LABELS), encoding="utf-8")
    assert problems(tmp_path) == [(4, 3, "V004"), (6, 5, "V004"), (7, 5, "V004"), (10, 5, "T090")]
