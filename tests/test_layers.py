"""The package's import structure: stages import only stages below them, and one module each
parses YAML (files/loader.py, PyYAML) and edits it (files/edit.py, ruamel). Read from the
source with `ast`, so a lazy import inside a function counts as much as one at the top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "okd_streams"
# The flow, low to high: a module may import its own stage and any stage before it.
ORDER = ("files", "schema", "render", "model", "tekton", "argocd", "rules", "lint", "streams", "commands", "cli")
# Importable from anywhere; they themselves import nothing above files (config: above schema,
# whose Target is what `target:` in .okd-streams.yaml reads into).
SHARED = ("errors", "problem", "config")
SHARED_CEILING = {"config": "schema"}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


MODULES = _modules()


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in the file; `from okd_streams import rules`
    counts as importing okd_streams.rules."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "okd_streams":
                found += [(node.lineno, f"okd_streams.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def _stage(module: str) -> str | None:
    """The stage (or shared top-level module) a module of the package belongs to."""
    parts = module.split(".")
    if parts[0] != "okd_streams" or len(parts) == 1:
        return None
    return parts[1]


def _rank(stage: str | None) -> int:
    return ORDER.index(stage) if stage in ORDER else -1


def test_every_stage_of_the_package_is_in_the_order():
    stages = {_stage(name) for name, _ in MODULES} - {None, "__main__", *SHARED}
    assert stages <= set(ORDER), stages - set(ORDER)


@pytest.mark.parametrize("name,path", MODULES, ids=[name for name, _ in MODULES])
def test_no_module_imports_a_stage_above_its_own(name, path):
    own = _stage(name)
    if own is None or own == "__main__":
        return  # the package itself and `python -m okd_streams` sit above everything
    # Shared modules may use files (the loader) and nothing else of the package's stages.
    ceiling = _rank(SHARED_CEILING.get(own, "files")) if own in SHARED else _rank(own)
    upward = [
        f"line {line}: {target}"
        for line, target in _imports(path)
        if _stage(target) in ORDER and _rank(_stage(target)) > ceiling
    ]
    assert not upward, f"{name} ({own}) imports stages above its own: {upward}"


@pytest.mark.parametrize("library,owner", [("yaml", "okd_streams.files.loader"), ("ruamel", "okd_streams.files.edit")])
def test_one_module_imports_each_yaml_library(library, owner):
    importers = sorted(
        name for name, path in MODULES if any(target.split(".")[0] == library for _, target in _imports(path))
    )
    assert importers == [owner]


RULE_MODULES = [
    (name, path)
    for name, path in MODULES
    if name.startswith("okd_streams.rules.") and name.count(".") == 3 and not name.rsplit(".", 1)[1].startswith("_")
]


@pytest.mark.parametrize("name,path", RULE_MODULES, ids=[name for name, _ in RULE_MODULES])
def test_no_rule_imports_another_rule(name, path):
    # What two rules share lives in tekton/ or in the family's private module (_shared.py, _refs.py).
    rules = {rule for rule, _ in RULE_MODULES}
    named = set()  # `from okd_streams.rules.tekton import x` names the module okd_streams.rules.tekton.x
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            named |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            named |= {alias.name for alias in node.names}
    imported = sorted(target for target in named if target in rules and target != name)
    assert not imported, f"{name} imports rules {imported}"
