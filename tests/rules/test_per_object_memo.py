"""PER_OBJECT rules are memoised by object content across units: the findings must be exactly
those of running the rule on each whole unit, positions and waivers included."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from okd_streams import engine
from okd_streams import rules as registry
from okd_streams.config import Config
from okd_streams.linting import plan
from okd_streams.repo import SourceTree, unit_from_files
from tests.conftest import REPO

PER_OBJECT = [rule for rule in registry.RULES.values() if getattr(rule, "PER_OBJECT", False)]
CATALOG = REPO.parent / "shared" / "corpus" / "tektoncd-catalog"


def plain(rule):
    """The same rule without the PER_OBJECT flag: run on the whole unit."""
    clone = types.ModuleType(rule.__name__)
    clone.__dict__.update({k: v for k, v in vars(rule).items() if k != "PER_OBJECT"})
    return clone


def units():
    folders = sorted(p for p in CATALOG.glob("*/*/*") if p.is_dir())[:80] if CATALOG.is_dir() else []
    tree = SourceTree(Path.cwd())
    for folder in folders + [REPO / "base", REPO / "overlays"]:
        loose = plan(folder).loose or plan(folder).files
        yield unit_from_files([tree.file(f) for f in loose], str(folder), foreign=folder.parent != REPO)


def test_every_webhook_rule_is_per_object():
    assert {rule.CODE for rule in PER_OBJECT} == {code for code in registry.RULES if code.startswith("T")}


@pytest.mark.parametrize("rule", PER_OBJECT, ids=[r.CODE for r in PER_OBJECT])
def test_memoised_findings_equal_whole_unit_findings(rule):
    engine._PER_OBJECT_MEMO.clear()
    config = Config()
    for unit in units():
        memoised = sorted(engine.check_unit(unit, config, [rule]))
        again = sorted(engine.check_unit(unit, config, [rule]))  # served from the memo this time
        whole = sorted(engine.check_unit(unit, config, [plain(rule)]))
        assert memoised == whole == again, unit.label


def test_the_comparison_covers_real_findings():
    """The units above hold objects these rules report on, so the equality is not vacuous."""
    if not CATALOG.is_dir():
        pytest.skip("../shared/corpus is not beside this clone")
    engine._PER_OBJECT_MEMO.clear()
    found = {p.code for unit in units() for p in engine.check_unit(unit, Config(), PER_OBJECT)}
    assert {"T031", "T070"} <= found
