"""Every rule's example folder behaves as written beside it (okd_streams/rules/examples/<CODE>/).

The failing tree gives exactly the findings of expected.txt for that code, at those places and
levels; the passing tree gives none of that code (pylint's bad.py / good.py, with positions
asserted as yamllint's tests do). The trees are written as real files and checked with the real
kustomize through the same entry points users call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from okd_streams import rules as registry
from okd_streams.config import load_config
from okd_streams.lint import ruledoc
from okd_streams.lint.checking import check_repository
from okd_streams.lint.linting import lint_paths
from okd_streams.problem import Problem
from tests.conftest import write_tree

CODES = list(registry.RULES)


def findings(root: Path, files: dict[str, str], repository: bool, monkeypatch) -> list[Problem]:
    write_tree(root, files)
    monkeypatch.chdir(root)
    if repository:
        (root / "base").mkdir(exist_ok=True)
        return check_repository(root, load_config(root, rule_code=registry.code_of), progress=False).problems
    return lint_paths([root], load_config(root, rule_code=registry.code_of), progress=False).problems


def of_code(problems: list[Problem], code: str) -> list[ruledoc.Expected]:
    return sorted(ruledoc.Expected(p.path, p.line, p.column, p.level, p.code) for p in problems if p.code == code)


def test_every_rule_has_an_example_folder_and_every_folder_a_rule():
    assert ruledoc.codes() == CODES


@pytest.mark.parametrize("code", CODES)
def test_failing_tree_gives_the_expected_findings(code, tmp_path, monkeypatch):
    example = ruledoc.example(code)
    assert example.expected, f"{code}: expected.txt lists no finding"
    assert {e.code for e in example.expected} == {code}, f"{code}: expected.txt names another code"
    found = of_code(findings(tmp_path, example.bad, example.repository, monkeypatch), code)
    assert found == sorted(example.expected), "expected.txt should read:\n" + "".join(f"{e}\n" for e in found)


@pytest.mark.parametrize("code", CODES)
def test_passing_tree_gives_none(code, tmp_path, monkeypatch):
    example = ruledoc.example(code)
    assert example.good != example.bad, f"{code}: good.diff changes nothing"
    assert of_code(findings(tmp_path, example.good, example.repository, monkeypatch), code) == []


# --- good.diff: applied strictly, as `diff -ruN bad good` writes it ---------------------------

TREE = {"a.yaml": "one\ntwo\nthree\n", "gone.yaml": "x\n"}


def test_a_diff_changes_makes_and_removes_files():
    diff = (
        "diff -ruN bad/a.yaml good/a.yaml\n--- bad/a.yaml\t2026-01-01 00:00:00\n+++ good/a.yaml\t2026-01-01\n"
        "@@ -2 +2,2 @@\n-two\n+2\n+2b\n"
        "--- bad/gone.yaml\n+++ good/gone.yaml\n@@ -1 +0,0 @@\n-x\n"
        "--- /dev/null\n+++ good/new/b.yaml\n@@ -0,0 +1 @@\n+b\n"
    )
    assert ruledoc.apply_diff(TREE, diff) == {"a.yaml": "one\n2\n2b\nthree\n", "new/b.yaml": "b\n"}


@pytest.mark.parametrize(
    "diff",
    [
        "--- bad/a.yaml\n+++ good/a.yaml\n@@ -1 +1 @@\n-two\n+2\n",  # not what line 1 holds
        "--- bad/a.yaml\n+++ good/a.yaml\n@@ -2,2 +2,2 @@\n-two\n+2\n",  # shorter than its header
        "--- bad/a.yaml\n+++ good/a.yaml\n@@ -3 +3 @@\n-three\n+3\n\\ No newline at end of file\n",
        "--- bad/a.yaml\n@@ -1 +1 @@\n-one\n+1\n",
    ],
)
def test_a_diff_that_does_not_fit_is_an_error(diff):
    with pytest.raises(ValueError):
        ruledoc.apply_diff(TREE, diff)
