"""What a rule module is: the constants every rule declares and the check function its scope needs.

Every rule module defines all of these (no optional attributes, no defaults read elsewhere):

  ID             kebab-case name, unique            CODE   stable code, unique: a letter and 3 digits
  LEVEL          error | warning | info             SCOPE  "unit" (objects rendered together), "file"
                                                           or "repo" (okd_streams.model.context)
  FOREIGN_LEVEL  the level when linting a tree that is not an okd-streams repository, or None
  PER_OBJECT     True when a "unit" rule's findings on an object depend on that object alone: the
                 engine runs it once per distinct object content (streams share their base objects)
  APPLIES_TO     with PER_OBJECT, the kinds of tekton.dev/v1 and v1beta1 objects the rule reads;
                 the engine does not run it on any other object. None: every object
  WAIVER_NEEDS_REASON  True when `# okd-streams: disable=CODE` must give a reason="..." (X000
                 reports one that does not): the security rules
  check(unit) / check_file(yaml_file, context) / check_repo(context), as SCOPE says, yielding
  okd_streams.model.objects.Finding
  context_key    file rules only: None, or a function of the FileContext giving the settings the
                 rule's findings on a file depend on besides the file (yamllint's configuration), so
                 the run can keep them per file (okd_streams.lint.session)
and a docstring: summary line, then its sections (okd_streams.lint.ruledoc).

The registry (okd_streams.rules) validates every module against this at import.
"""

from __future__ import annotations

import re
from collections import Counter
from types import ModuleType
from typing import Protocol

LEVELS = ("error", "warning", "info")
CHECKS = {"unit": "check", "file": "check_file", "repo": "check_repo"}  # scope -> its check function
_CODE = re.compile(r"[A-Z][0-9]{3}")
_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class Rule(Protocol):
    """The constants of a rule module (its check function is named by CHECKS[SCOPE])."""

    ID: str
    CODE: str
    LEVEL: str
    FOREIGN_LEVEL: str | None
    SCOPE: str
    PER_OBJECT: bool
    APPLIES_TO: tuple[str, ...] | None
    WAIVER_NEEDS_REASON: bool


def problems(module: ModuleType) -> list[str]:
    """How `module` breaks the contract (empty when it keeps it)."""
    found: list[str] = []
    names = vars(module)
    missing = [name for name in Rule.__annotations__ if name not in names]
    if missing:
        return [f"does not define {', '.join(missing)}"]
    rule: Rule = module  # every constant is there, checked below
    if not isinstance(rule.CODE, str) or not _CODE.fullmatch(rule.CODE):
        found.append(f"CODE {rule.CODE!r} is not a letter and 3 digits")
    if not isinstance(rule.ID, str) or not _ID.fullmatch(rule.ID):
        found.append(f"ID {rule.ID!r} is not kebab-case")
    if rule.LEVEL not in LEVELS:
        found.append(f"LEVEL {rule.LEVEL!r} is not one of {', '.join(LEVELS)}")
    if rule.FOREIGN_LEVEL is not None and rule.FOREIGN_LEVEL not in LEVELS:
        found.append(f"FOREIGN_LEVEL {rule.FOREIGN_LEVEL!r} is neither None nor one of {', '.join(LEVELS)}")
    if rule.SCOPE not in CHECKS:
        found.append(f"SCOPE {rule.SCOPE!r} is not one of {', '.join(CHECKS)}")
    elif not callable(names.get(CHECKS[rule.SCOPE])):
        found.append(f"SCOPE {rule.SCOPE!r} needs a function {CHECKS[rule.SCOPE]}")
    if not isinstance(rule.PER_OBJECT, bool) or (rule.PER_OBJECT and rule.SCOPE != "unit"):
        found.append("PER_OBJECT must be True or False, and True only for a unit rule")
    applies_to = rule.APPLIES_TO
    if applies_to is not None and not (
        rule.PER_OBJECT and isinstance(applies_to, tuple) and all(isinstance(kind, str) for kind in applies_to)
    ):
        found.append("APPLIES_TO must be None, or a tuple of kinds for a PER_OBJECT rule")
    if not isinstance(rule.WAIVER_NEEDS_REASON, bool):
        found.append("WAIVER_NEEDS_REASON must be True or False")
    if rule.SCOPE == "file" and not (
        "context_key" in names and (names["context_key"] is None or callable(names["context_key"]))
    ):
        found.append("a file rule must define context_key: None, or a function of the FileContext")
    return found


def validate(modules: list[ModuleType]) -> None:
    """TypeError naming each rule module that breaks the contract, and any code or id used twice."""
    found = [f"{module.__name__}: {problem}" for module in modules for problem in problems(module)]
    for name in ("CODE", "ID"):
        counts = Counter(str(vars(module).get(name)) for module in modules)
        found += [
            f"{name} {value} is used by more than one rule" for value, count in sorted(counts.items()) if count > 1
        ]
    if found:
        raise TypeError(
            "rule modules break the rule contract (okd_streams/rules/contract.py):\n  " + "\n  ".join(found)
        )
