"""Names as the API server and Tekton's webhook judge them (both asked with the oracle): a
dotted name is a valid DNS-1123 subdomain that current Tekton accepts; a name over 63
characters is Tekton's refusal alone (T001); generateName is checked by the API server."""

from __future__ import annotations

from pathlib import Path

from tests.cli import lint_json

TASK = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: {name}
spec:
  steps:
    - name: build
      image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
      script: make
"""
RUN = """\
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  generateName: {prefix}
spec:
  taskRef:
    name: build.image
"""


def errors(folder: Path) -> list[tuple[int, int, str]]:
    return [(p["line"], p["column"], p["code"]) for p in lint_json(folder) if p["level"] == "error"]


def test_a_dotted_name_and_a_valid_prefix_are_clean(tmp_path: Path) -> None:
    (tmp_path / "build.image.yaml").write_text(TASK.format(name="build.image"), encoding="utf-8")
    (tmp_path / "run.yaml").write_text(RUN.format(prefix="build-image-"), encoding="utf-8")
    assert errors(tmp_path) == []


def test_a_long_name_is_one_finding(tmp_path: Path) -> None:
    (tmp_path / "task.yaml").write_text(TASK.format(name="b" * 70), encoding="utf-8")
    assert errors(tmp_path) == [(4, 3, "T001")]


def test_an_invalid_name_is_one_finding(tmp_path: Path) -> None:
    (tmp_path / "task.yaml").write_text(TASK.format(name="Build_Image"), encoding="utf-8")
    assert errors(tmp_path) == [(4, 3, "V004")]


def test_an_invalid_generate_name(tmp_path: Path) -> None:
    (tmp_path / "build.image.yaml").write_text(TASK.format(name="build.image"), encoding="utf-8")
    (tmp_path / "run.yaml").write_text(RUN.format(prefix="build_image-"), encoding="utf-8")
    assert errors(tmp_path) == [(4, 3, "V004")]
