"""PER_OBJECT rules are memoised by object content across units: the findings must be exactly
those of running the rule on each whole unit, positions and waivers included."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from okd_streams import rules as registry
from okd_streams.config import Config
from okd_streams.files.loader import parse_text
from okd_streams.lint import engine
from okd_streams.lint.linting import plan
from okd_streams.model.objects import Finding
from okd_streams.model.repo import SourceTree, unit_from_files
from tests.conftest import REPO

PER_OBJECT = [rule for rule in registry.RULES.values() if rule.PER_OBJECT]
CATALOG = REPO.parent / "shared" / "corpus" / "tektoncd-catalog"


def plain(rule):
    """The same rule without the PER_OBJECT flag: run on the whole unit."""
    clone = types.ModuleType(rule.__name__)
    clone.__dict__.update({**vars(rule), "PER_OBJECT": False, "APPLIES_TO": None})
    return clone


def units():
    folders = sorted(p for p in CATALOG.glob("*/*/*") if p.is_dir())[:80] if CATALOG.is_dir() else []
    tree = SourceTree(Path.cwd())
    for folder in folders + [REPO / "base", REPO / "overlays"]:
        loose = plan(folder).loose or plan(folder).files
        yield unit_from_files([tree.file(f) for f in loose], str(folder), foreign=folder.parent != REPO)


# Unit rules that look at each object by itself (containers, images, security contexts).
PER_OBJECT_OTHERS = {"X002", "X003", "X004", "X005", "X006"}


# T024 judges a `.tekton/` Task with the Pipelines-as-Code runs that inline it beside it.
WEBHOOK_WITH_CONTEXT = {"T024"}


def test_every_webhook_rule_is_per_object():
    webhook = {code for code in registry.RULES if code[0] in "TV"}  # Tekton webhook and API schemas
    assert {rule.CODE for rule in PER_OBJECT} == (webhook - WEBHOOK_WITH_CONTEXT) | PER_OBJECT_OTHERS


@pytest.mark.parametrize("rule", PER_OBJECT, ids=[r.CODE for r in PER_OBJECT])
def test_memoised_findings_equal_whole_unit_findings(rule):
    memo = engine.ObjectMemo()
    config = Config()
    for unit in units():
        memoised = sorted(engine.check_unit(unit, config, [rule], memo))
        again = sorted(engine.check_unit(unit, config, [rule], memo))  # served from the memo this time
        whole = sorted(engine.check_unit(unit, config, [plain(rule)]))
        assert memoised == whole == again, unit.label


def test_the_comparison_covers_real_findings():
    """The units above hold objects these rules report on, so the equality is not vacuous."""
    if not CATALOG.is_dir():
        pytest.skip("../shared/corpus is not beside this clone")
    memo = engine.ObjectMemo()
    found = {p.code for unit in units() for p in engine.check_unit(unit, Config(), PER_OBJECT, memo)}
    assert {"T031", "T070"} <= found


def _rule(code: str, boom: str | None = None):
    """A PER_OBJECT rule reporting every object's name, raising on the object named `boom`."""
    rule = types.ModuleType(f"fake_{code}")
    rule.ID, rule.CODE, rule.LEVEL, rule.SCOPE, rule.PER_OBJECT = f"fake-{code}", code, "error", "unit", True
    rule.FOREIGN_LEVEL, rule.APPLIES_TO, rule.WAIVER_NEEDS_REASON = None, None, False

    def check(unit):
        for obj in unit.objects:
            if obj.name == boom:
                raise ValueError(f"cannot read {boom}")
            yield Finding(obj, ("metadata", "name"), f"{code} saw {obj.name}")

    rule.check = check
    return rule


def test_a_rule_failing_on_one_object_reports_what_the_whole_unit_run_reports():
    """Findings before the failing object, then E000, in the same order; the failure is not
    remembered, and the other rules of the object are unaffected."""
    text = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n" for name in "abc")
    unit = unit_from_files([parse_text(text, "objects.yaml")], "set")
    rules = [_rule("Z901", boom="b"), _rule("Z902")]
    memo = engine.ObjectMemo()
    memoised = engine.check_unit(unit, Config(), rules, memo)
    again = engine.check_unit(unit, Config(), rules, memo)
    whole = engine.check_unit(unit, Config(), [plain(rule) for rule in rules])
    assert memoised == again == whole
    assert [(p.code, p.message.split(" ")[0]) for p in whole] == [
        ("Z901", "Z901"),
        ("E000", "rule"),
        ("Z902", "Z902"),
        ("Z902", "Z902"),
        ("Z902", "Z902"),
    ]


TASK_IN = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
  namespace: {namespace}
spec:
  steps:
    - name: make
      image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
      script: make
"""


@pytest.mark.parametrize("order", [("okd-scos", "OKD_scos"), ("OKD_scos", "okd-scos")])
def test_a_namespace_finding_is_never_served_to_another_namespace(order):
    """The memo leaves a base object's namespace out of its key (streams differ by it alone),
    except a namespace the API server refuses: that finding is this namespace's only."""
    memo = engine.ObjectMemo()
    config = Config()
    found = {}
    for namespace in order:
        document = parse_text(TASK_IN.format(namespace=namespace), f"{namespace}.yaml")
        unit = engine.Unit(namespace, [engine.Obj(document.documents[0].data, document.path, document.documents[0])])
        found[namespace] = [(p.line, p.code) for p in engine.check_unit(unit, config, [registry.get("V004")], memo)]
    assert found == {"okd-scos": [], "OKD_scos": [(5, "V004")]}
