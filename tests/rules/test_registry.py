"""The rule registry holds every rule once, in code order, each keeping the rule contract."""

from __future__ import annotations

import types

import pytest

from okd_streams import rules as registry
from okd_streams.rules import contract


def test_the_registry_lists_rules_sorted_by_code_with_unique_codes_and_ids():
    codes = [rule.CODE for rule in registry._MODULES]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    assert len({rule.ID for rule in registry._MODULES}) == len(codes)
    assert list(registry.RULES) == codes


@pytest.mark.parametrize("rule", registry._MODULES, ids=[rule.CODE for rule in registry._MODULES])
def test_every_rule_keeps_the_contract(rule):
    assert contract.problems(rule) == []


def _module(**constants: object) -> types.ModuleType:
    module = types.ModuleType("okd_streams.rules.fake")
    module.__dict__.update(
        {
            "ID": "fake-rule",
            "CODE": "Z001",
            "LEVEL": "error",
            "FOREIGN_LEVEL": None,
            "SCOPE": "unit",
            "PER_OBJECT": False,
            "APPLIES_TO": None,
            "WAIVER_NEEDS_REASON": False,
            "check": lambda unit: iter(()),
            **constants,
        }
    )
    return module


@pytest.mark.parametrize(
    "constants,problem",
    [
        ({"CODE": "z1"}, "CODE 'z1' is not a letter and 3 digits"),
        ({"ID": "Fake_Rule"}, "ID 'Fake_Rule' is not kebab-case"),
        ({"LEVEL": "fatal"}, "LEVEL 'fatal' is not one of error, warning, info"),
        ({"SCOPE": "file"}, "SCOPE 'file' needs a function check_file"),
        ({"APPLIES_TO": ("Task",)}, "APPLIES_TO must be None, or a tuple of kinds for a PER_OBJECT rule"),
        ({"PER_OBJECT": 1}, "PER_OBJECT must be True or False, and True only for a unit rule"),
    ],
)
def test_a_broken_rule_is_refused_at_registration(constants, problem):
    with pytest.raises(TypeError, match="okd_streams.rules.fake: " + problem.replace("(", r"\(").replace(")", r"\)")):
        contract.validate([_module(**constants)])


def test_a_missing_constant_or_a_code_used_twice_is_refused():
    incomplete = _module()
    del incomplete.WAIVER_NEEDS_REASON
    assert contract.problems(incomplete) == ["does not define WAIVER_NEEDS_REASON"]
    with pytest.raises(TypeError, match="CODE Z001 is used by more than one rule"):
        contract.validate([_module(), _module(ID="other-rule")])
