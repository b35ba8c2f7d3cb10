"""The rule registry: every rule module, listed explicitly (no discovery magic).

A rule module defines:
  ID      kebab-case name            CODE   stable code (letter + 3 digits)
  LEVEL   error | warning | info     SCOPE  "unit" (objects checked together) or "file"
  FOREIGN_LEVEL  optional level used when linting a tree that is not an okd-streams repo
  check(unit) / check_file(yaml_file, context)  yielding okd_streams.model.Finding
and a docstring: summary line, "What it does", "Why", "Fails" and "Passes" yaml examples.
"""

from __future__ import annotations

from types import ModuleType

from okd_streams.rules import (  # keep both lists sorted by code
    file_named_after_object,
    kustomize_build,
    one_object_per_file,
    patch_target_matches_nothing,
    tekton_v1,
    yaml_extension,
    yaml_syntax,
    yamllint_style,
)

_MODULES: list[ModuleType] = [
    kustomize_build,  # K001
    patch_target_matches_nothing,  # K002
    tekton_v1,  # S001
    one_object_per_file,  # S002
    file_named_after_object,  # S003
    yaml_extension,  # S004
    yaml_syntax,  # Y001
    yamllint_style,  # Y002
]

RULES: dict[str, ModuleType] = {module.CODE: module for module in sorted(_MODULES, key=lambda m: m.CODE)}
_BY_ID = {module.ID: module for module in _MODULES}


def get(code_or_id: str) -> ModuleType:
    """A rule by code (T101) or id (pipeline-task-params); ValueError when there is none."""
    found = RULES.get(code_or_id.upper()) or _BY_ID.get(code_or_id)
    if found is None:
        raise ValueError(f"no such rule: {code_or_id} (see `okd-streams explain --list`)")
    return found
