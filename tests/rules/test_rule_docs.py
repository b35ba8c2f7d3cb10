"""Every rule documents itself: a code, an id, a level, a scope and a docstring with a summary
line, "What it does" and "Why" (its examples: tests/rules/test_rule_examples.py)."""

from __future__ import annotations

import re

import pytest

from okd_streams import rules as registry
from okd_streams.lint import ruledoc

RULES = list(registry.RULES.values())


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
