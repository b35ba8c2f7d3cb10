"""Every rule documents itself, and its documented examples behave as documented.

The Fails example must make the rule report; the Passes example must not (pylint's
bad.py / good.py pattern). Examples are written as real files and checked with the real
kustomize through the same entry points users call.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from okd_streams import rules as registry
from okd_streams.config import Config
from okd_streams.lint import ruledoc
from okd_streams.lint.checking import check_repository
from okd_streams.lint.linting import lint_paths
from tests.conftest import write_tree

RULES = list(registry.RULES.values())


def codes_reported(root: Path, files: dict[str, str], monkeypatch) -> list[str]:
    write_tree(root, files)
    monkeypatch.chdir(root)
    if any(path.startswith("streams/") for path in files):
        (root / "base").mkdir(exist_ok=True)
        report = check_repository(root, Config(), progress=False)
    else:
        report = lint_paths([root], Config(), progress=False)
    return [p.code for p in report.problems]


@pytest.mark.parametrize("rule", RULES, ids=[r.CODE for r in RULES])
def test_rule_is_documented(rule):
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.ID), rule.ID
    assert re.fullmatch(r"[A-Z]\d{3}", rule.CODE), rule.CODE
    assert rule.LEVEL in ("error", "warning", "info")
    assert rule.SCOPE in ("unit", "file", "repo")
    doc = ruledoc.parse(rule)
    assert doc.summary and doc.summary.endswith("."), f"{rule.CODE}: summary line"
    for section in ruledoc.SECTIONS:
        assert doc.sections.get(section), f"{rule.CODE}: missing section {section}"
    assert doc.example("Fails"), f"{rule.CODE}: no yaml example under Fails"
    assert doc.example("Passes"), f"{rule.CODE}: no yaml example under Passes"


@pytest.mark.parametrize("rule", RULES, ids=[r.CODE for r in RULES])
def test_failing_example_is_reported(rule, tmp_path, monkeypatch):
    files = ruledoc.parse(rule).example("Fails")
    assert rule.CODE in codes_reported(tmp_path, files, monkeypatch)


@pytest.mark.parametrize("rule", RULES, ids=[r.CODE for r in RULES])
def test_passing_example_is_clean(rule, tmp_path, monkeypatch):
    files = ruledoc.parse(rule).example("Passes")
    assert rule.CODE not in codes_reported(tmp_path, files, monkeypatch)
