"""Derived views rules share through their unit (Unit.view / Unit.memo), and the shortcuts
rules take before their regular expressions: the same answers as computing afresh."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from okd_streams import rules as registry
from okd_streams.config import Config
from okd_streams.files.loader import parse_text
from okd_streams.lint import engine
from okd_streams.model.objects import FileContext, Obj
from okd_streams.model.repo import unit_from_files
from okd_streams.tekton import resolve
from okd_streams.tekton.pipeline import pipeline_specs, task_specs

TASK = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: {name}
spec:
  steps:
    - name: build
      image: alpine:3.20
"""
PIPELINE = """\
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: ci
spec:
  tasks:
    - name: build
      taskRef:
        name: build
"""


def unit_of(*texts: str):
    files = [parse_text(text, f"file{i}.yaml") for i, text in enumerate(texts)]
    return unit_from_files(files, "set")


def test_a_view_is_computed_once_and_shared():
    unit = unit_of(TASK.format(name="build"), PIPELINE)
    assert task_specs(unit) is task_specs(unit)
    assert [site.label for site in task_specs(unit)] == ['Task "build"']
    assert resolve.pipeline_sites(unit) is resolve.pipeline_sites(unit)
    task = next(iter(resolve.site_tasks(pipeline_specs(unit)[0])))
    assert resolve.resolve_pipeline_task(unit, task) is resolve.resolve_pipeline_task(unit, task)


def test_objects_added_after_the_unit_was_made_are_seen():
    unit = unit_of(TASK.format(name="one"))
    assert len(task_specs(unit)) == 1
    unit.objects.append(Obj(parse_text(TASK.format(name="two")).documents[0].data, "two.yaml"))
    assert [site.label for site in task_specs(unit)] == ['Task "one"', 'Task "two"']


def test_a_view_that_fails_is_not_kept_and_fails_where_it_would():
    unit = unit_of(TASK.format(name="build"))
    calls = []

    def fragile(unit):
        yield "first"
        raise ValueError("hostile input")

    with pytest.raises(ValueError):
        for item in unit.view(fragile):
            assert item == "first"  # the items before the error, then the error
            calls.append("seen")
    assert "seen" in calls
    assert all(key[0] is not fragile for key in unit._views)  # not kept: asked again, computed again


def x001(text: str) -> list[int]:
    yaml_file = parse_text(textwrap.dedent(text), "tasks/example.yaml")
    problems = engine.check_files([yaml_file], FileContext(root=Path(".")), Config(), rules=[registry.get("X001")])
    return [p.line for p in problems if p.code == "X001"]


def test_stringdata_is_found_under_a_key_written_with_an_escape():
    """The text holds no "stringData", yet the key reads stringData: X001 still walks it."""
    assert x001("""\
        apiVersion: triggers.tekton.dev/v1beta1
        kind: TriggerTemplate
        metadata:
          name: t
        spec:
          resourcetemplates:
            - apiVersion: v1
              kind: Secret
              metadata:
                name: token
              "string\\x44ata":
                token: hunter2
        """) == [11]
    assert (
        x001("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: plain
        data:
          key: value
        """)
        == []
    )
