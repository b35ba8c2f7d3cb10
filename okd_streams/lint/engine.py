"""Run rules over units and files and turn their findings into Problems.

The engine owns everything rules should not care about: levels (rule default, foreign
tree, configuration), `# okd-streams: disable=CODE` directives, ignored paths, and
de-duplication of the same finding seen through several streams sharing a base file.
"""

from __future__ import annotations

import json
import marshal
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from types import ModuleType

from okd_streams import rules as registry
from okd_streams.config import Config
from okd_streams.errors import ConfigError
from okd_streams.files.loader import YamlFile
from okd_streams.model.objects import Finding, Obj, Unit
from okd_streams.problem import Problem
from okd_streams.schema.metadata import namespace_judged_fine

INTERNAL = ("E000", "internal-error")


def _level(rule: ModuleType, finding: Finding, foreign: bool, config: Config) -> str:
    level = finding.level or rule.LEVEL
    foreign_level = rule.FOREIGN_LEVEL
    relaxed = config.conventions == "relaxed" or (foreign and config.conventions != "strict")
    if foreign_level and relaxed and finding.level is None:
        level = foreign_level
    configured = config.rules.get(rule.CODE)
    if configured and configured.level:
        level = configured.level
    return level


def _to_problem(
    rule: ModuleType, finding: Finding, stream: str | None, foreign: bool, config: Config
) -> Problem | None:
    level = _level(rule, finding, foreign, config)
    if level == "off":
        return None
    if finding.obj is not None:
        disabled = finding.obj.disabled_at(finding.path)
        if rule.CODE in disabled or rule.ID in disabled:
            return None
        path, line, column = finding.obj.at(finding.path)
    else:
        path, line, column = finding.file or "", finding.line, finding.column
    if config.ignored(rule.CODE, path):
        return None
    if config.overrides:
        level = config.level_at(rule.CODE, path) or level
        if level == "off":
            return None
    return Problem(path, max(1, line), max(1, column), rule.CODE, level, rule.ID, finding.message, stream)


def _internal(rule: ModuleType, where: str, stream: str | None, last: str | None = None) -> Problem:
    # A rule crashing on odd input is our bug; the user still gets every other finding.
    last = last or _last_error()
    return Problem(
        where,
        1,
        1,
        INTERNAL[0],
        "error",
        INTERNAL[1],
        f"rule {rule.CODE} ({rule.ID}) failed on this input: {last}; please report it",
        stream,
    )


def selected_rules(scope: str, only: Iterable[str] | None = None) -> list[ModuleType]:
    if only is None:
        return list(_scope_rules(scope))
    return [rule for rule in (registry.get(code) for code in only) if rule.SCOPE == scope]


@cache  # the registry is fixed when the package is imported; asked for every unit and file
def _scope_rules(scope: str) -> tuple[ModuleType, ...]:
    return tuple(rule for rule in registry.RULES.values() if rule.SCOPE == scope)


class ObjectMemo:
    """PER_OBJECT rules' findings by (unit flags, object content), for one run: 200 streams
    rendering the same base Task are checked once. An entry is (codes of the rules run, their
    non-empty findings by code). Bounded: a run over a huge tree keeps the last MAX contents."""

    MAX = 10_000

    def __init__(self) -> None:
        self.entries: dict[tuple, tuple[set[str], dict[str, list[Finding]]]] = {}


# The apiVersions whose objects a rule's APPLIES_TO kinds name (okd_streams.tekton.pipeline.VERSIONS).
TEKTON_VERSIONS = ("tekton.dev/v1", "tekton.dev/v1beta1")


class _Failed(str):
    """A rule that raised on one object: the last line of its traceback."""


def _last_error() -> _Failed:
    import traceback  # only when a rule failed

    return _Failed(traceback.format_exc().strip().splitlines()[-1])


def _fingerprint(obj: Obj) -> bytes | str:
    """The object's content without its namespace (the one thing streams change in a base object),
    unless the namespace itself is a finding (okd_streams.schema.metadata)."""
    cached = getattr(obj, "_fingerprint", None)
    if cached is None:
        data = obj.data
        metadata = data.get("metadata")
        if isinstance(metadata, dict) and "namespace" in metadata and namespace_judged_fine(metadata["namespace"]):
            data = {**data, "metadata": {k: v for k, v in metadata.items() if k != "namespace"}}
        try:  # marshal format 2 has no back-references: equal bytes are equal, same-typed data
            cached = marshal.dumps(data, 2)
        except ValueError:  # a type marshal does not know, or too deep
            try:
                cached = json.dumps(data, sort_keys=True, default=str)
            except (TypeError, ValueError):
                cached = repr(data)
        obj._fingerprint = cached  # type: ignore[attr-defined]  # kept on the object: read by getattr above
    return cached


class _UnitPlan:
    """The unit rules a configuration runs, sorted out once (not per unit and per object):
    in order, with whether each runs object by object; and for the PER_OBJECT ones, which run
    on an object of each Tekton kind (APPLIES_TO) and which have nothing to find there."""

    def __init__(self, rules: list[ModuleType]) -> None:
        self.flagged = [(rule, rule.PER_OBJECT) for rule in rules]
        self.per_object = [(rule, rule.CODE, rule.APPLIES_TO) for rule, flag in self.flagged if flag]
        self.codes = frozenset(code for _, code, _ in self.per_object)
        self._by_kind: dict[str | None, tuple[list[tuple[ModuleType, str]], frozenset[str]]] = {}

    def for_kind(self, tekton_kind: str | None) -> tuple[list[tuple[ModuleType, str]], frozenset[str]]:
        """(the rules to run on an object of `tekton_kind`, the codes with nothing to find on it)."""
        found = self._by_kind.get(tekton_kind)
        if found is None:
            run = [
                (rule, code)
                for rule, code, applies_to in self.per_object
                if applies_to is None or tekton_kind in applies_to
            ]
            found = self._by_kind[tekton_kind] = (run, self.codes - {code for _, code in run})
        return found


# What a configuration runs, by `_selection`: pure functions of immutable inputs (the rule
# modules and the levels set), remembered for the process and bounded (see `_active`).
_ACTIVE: dict[tuple, list[ModuleType]] = {}
_PLANS: dict[tuple, _UnitPlan] = {}


def _selection(rules: list[ModuleType] | None, config: Config, scope: str) -> tuple:
    """What decides which rules run: the rules asked for (default: every rule of `scope`) and
    the levels the configuration sets."""
    chosen = tuple(rules) if rules is not None else _scope_rules(scope)
    return chosen, tuple(sorted((code, setting.level) for code, setting in config.rules.items() if setting.level))


def _active(rules: list[ModuleType] | None, config: Config, scope: str) -> list[ModuleType]:
    """`rules` (default: every rule of `scope`) less those the configuration turns off,
    worked out once per configuration (a lint asks for every set, a check for every unit)."""
    key = _selection(rules, config, scope)
    found = _ACTIVE.get(key)
    if found is None:
        if len(_ACTIVE) > 64:  # a long-lived process trying many configurations
            _ACTIVE.clear()
        found = _ACTIVE[key] = [rule for rule in key[0] if config.level_for(rule.CODE, rule.LEVEL) != "off"]
    return found


def _unit_plan(rules: list[ModuleType] | None, config: Config) -> _UnitPlan:
    key = _selection(rules, config, "unit")
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 64:
            _PLANS.clear()
        plan = _PLANS[key] = _UnitPlan(_active(rules, config, "unit"))
    return plan


def _object_findings(
    plan: _UnitPlan, obj: Obj, unit: Unit, config: Config, memo: ObjectMemo
) -> Mapping[str, list[Finding] | _Failed]:
    """The PER_OBJECT rules of `plan` that find something on `obj` alone, by code, with their
    findings (or failure). The rules share one single-object unit, so the views they derive
    from it (task specs ...) are computed once."""
    codes = plan.codes
    try:
        key = (unit.foreign, unit.rendered, config.target.key, _fingerprint(obj))
    except Exception:  # noqa: BLE001 - e.g. nesting too deep to serialise: every rule fails here
        failed = _last_error()
        return dict.fromkeys(codes, failed)
    entry = memo.entries.get(key)
    tekton_kind = obj.kind if obj.api_version in TEKTON_VERSIONS else None
    to_run, nothing_to_find = plan.for_kind(tekton_kind)
    if entry is None:
        if len(memo.entries) >= memo.MAX:
            memo.entries.clear()
        # Rules that only read other Tekton kinds are done: nothing to find here.
        entry = memo.entries[key] = (set(nothing_to_find), {})
    done, found = entry
    if done.issuperset(codes):
        return found
    alone = Unit(unit.label, [obj], foreign=unit.foreign, rendered=unit.rendered, target=config.target)
    failures: dict[str, _Failed] = {}
    for rule, code in to_run:
        if code in done:
            continue
        try:
            findings = list(rule.check(alone))
        except Exception:  # noqa: BLE001 - reported by check_unit; not remembered
            failures[code] = _last_error()
            continue
        done.add(code)
        if findings:
            found[code] = findings
    done.update(nothing_to_find)
    return {**found, **failures} if failures else found


def check_unit(
    unit: Unit, config: Config, rules: list[ModuleType] | None = None, memo: ObjectMemo | None = None
) -> list[Problem]:
    """The unit rules' problems on `unit`. `memo`: the run's, shared by its units (equal objects
    are checked once); None: this unit's own."""
    problems = []
    plan = _unit_plan(rules, config)
    memo = ObjectMemo() if memo is None else memo
    # PER_OBJECT rules run object by object (each object's rules share one single-object
    # unit); their findings are reported rule by rule, in object order, as the others'.
    by_rule: dict[str, list[tuple[Obj, list[Finding] | _Failed]]] = {code: [] for code in plan.codes}
    if plan.per_object:
        for obj in unit.objects:
            for code, found in _object_findings(plan, obj, unit, config, memo).items():
                if code in by_rule:
                    by_rule[code].append((obj, found))
    for rule, flag in plan.flagged:
        try:
            if flag:
                for obj, found in by_rule[rule.CODE]:
                    if isinstance(found, _Failed):
                        problems.append(_internal(rule, unit.label, unit.stream, found))
                        break
                    for finding in found:
                        # The same finding, on this copy: its positions and waivers are this object's own.
                        if finding.obj is not None and finding.obj is not obj:
                            finding = replace(finding, obj=obj)
                        problem = _to_problem(rule, finding, unit.stream, unit.foreign, config)
                        if problem:
                            problems.append(problem)
                continue
            for finding in rule.check(unit):
                problem = _to_problem(rule, finding, unit.stream, unit.foreign, config)
                if problem:
                    problems.append(problem)
        except Exception:  # noqa: BLE001 - see _internal
            problems.append(_internal(rule, unit.label, unit.stream))
    return _without_follow_ons(problems)


def _without_follow_ons(problems: list[Problem]) -> list[Problem]:
    """`problems` less those another problem at the same place explains (rules.FOLLOW_ONS)."""
    explained: dict[tuple, frozenset[str]] = {}
    for problem in problems:
        follow_ons = registry.FOLLOW_ONS.get(problem.code)
        if follow_ons:
            place = (problem.path, problem.line, problem.column)
            explained[place] = explained.get(place, frozenset()) | follow_ons
    if not explained:
        return problems
    return [p for p in problems if p.code not in explained.get((p.path, p.line, p.column), ())]


def check_files(
    files: Iterable[YamlFile],
    context: object,
    config: Config,
    foreign: bool = False,
    stream: str | None = None,
    rules: list[ModuleType] | None = None,
) -> list[Problem]:
    problems = []
    files = list(files)
    for rule in _active(rules, config, "file"):
        for yaml_file in files:
            try:
                for finding in rule.check_file(yaml_file, context):
                    problem = _to_problem(rule, finding, stream, foreign, config)
                    if problem:
                        problems.append(problem)
            except ConfigError:
                raise  # the user's settings (a broken .yamllint) are unusable: exit 2, not a finding
            except Exception:  # noqa: BLE001
                problems.append(_internal(rule, yaml_file.path, stream))
    return problems


def check_repo(context: object, config: Config, rules: list[ModuleType] | None = None) -> list[Problem]:
    """Repo-scope rules (SCOPE "repo"): `check_repo(context)` sees the whole repository at once
    (okd_streams.model.context.RepoContext: every stream folder, the rendered units, argocd/).
    A finding names its stream in `finding.stream` (RepoFinding), or None."""
    problems = []
    for rule in rules if rules is not None else selected_rules("repo"):
        if config.level_for(rule.CODE, rule.LEVEL) == "off":
            continue
        try:
            for finding in rule.check_repo(context):
                problem = _to_problem(rule, finding, getattr(finding, "stream", None), False, config)
                if problem:
                    problems.append(problem)
        except Exception:  # noqa: BLE001 - see _internal
            problems.append(_internal(rule, "argocd", None))
    return problems


def finalize(problems: Iterable[Problem]) -> list[Problem]:
    """Sort, and report a finding seen through several streams once (first stream named)."""
    seen: dict[tuple, Problem] = {}
    for problem in problems:  # per place and message: the first of the alphabetically first stream
        key = (problem.path, problem.line, problem.column, problem.code, problem.message)
        kept = seen.get(key)
        if kept is None or (problem.stream or "") < (kept.stream or ""):
            seen[key] = problem
    return sorted(seen.values())
