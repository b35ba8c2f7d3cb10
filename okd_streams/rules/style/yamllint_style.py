"""What yamllint reports about a YAML file.

What it does:
  Runs yamllint, in process, on every YAML file with the tree's own `.yamllint` (found by
  walking up from the checked path) or, without one, okd-streams' shipped settings
  (`okd_streams/conf/yamllint.yaml`). Syntax errors are left to Y001.

  A foreign tree (not an okd-streams repository) is held to a YAML style only when it has
  adopted one: with no yamllint configuration of its own, this rule does not run there
  (`conventions: strict` in `.okd-streams.yaml` applies the shipped settings anyway).
  Duplicate keys and syntax errors are still reported, by Y003 and Y001.

Why:
  Consistent YAML keeps reviews about content. Key duplicates and bad indentation also
  hide real mistakes. In a foreign tree every yamllint finding is a warning.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from yamllint import __version__ as YAMLLINT_VERSION  # the package's constants only: cheap

from okd_streams.errors import ConfigError
from okd_streams.files.loader import YamlFile
from okd_streams.model.objects import FileContext, Finding

if TYPE_CHECKING:  # yamllint's linter and configuration are imported when a file is linted
    from yamllint.config import YamlLintConfig

ID = "yamllint"
CODE = "Y002"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "file"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False

CONFIG_NAMES = (".yamllint", ".yamllint.yaml", ".yamllint.yml")
_DISABLE_FILE = re.compile(r"^#\s*yamllint disable-file\s*$")


def _settings_for(context: FileContext, folder: Path) -> tuple[YamlLintConfig, str]:
    """The yamllint configuration for files below `folder`, and a digest naming it."""
    found = _own_config(context, folder)
    return _config_file(context, found) if found is not None else _shipped()


def _settings_digest(context: FileContext, folder: Path) -> str:
    """The digest `_settings_for(folder)` names its configuration with. A tree's own settings
    are parsed (a broken `.yamllint` stops the run at once); the shipped ones need not be."""
    found = _own_config(context, folder)
    return _config_file(context, found)[1] if found is not None else _shipped_digest()


def _own_config(context: FileContext, folder: Path) -> Path | None:
    """The tree's own yamllint configuration file for files below `folder`, if it has one
    (each folder looked at once a run, however many linted folders share it)."""
    found = _own_config_in(context, os.fspath(folder))
    return Path(found) if found is not None else None


def _own_config_in(context: FileContext, folder: str) -> str | None:
    def look() -> str | None:
        found = next(
            (
                candidate
                for candidate in (os.path.join(folder, name) for name in CONFIG_NAMES)
                if os.path.isfile(candidate)
            ),
            None,
        )
        if found is None:
            parent = os.path.dirname(folder)
            found = None if parent == folder else _own_config_in(context, parent)
        return found

    return context.memo(("yamllint settings in", folder), look)


def _folder(context: FileContext) -> Path:
    """The resolved folder whose settings apply to the checked tree."""
    root = context.root
    if not root:
        return Path.cwd()
    return context.memo(("yamllint folder", root), lambda: _named_folder(root))


def _named_folder(root: Path | str) -> Path:
    named = os.path.abspath(root)  # as named: yamllint, too, looks up from where it is pointed
    return Path(named if os.path.isdir(named) else os.path.dirname(named))


def _config_file(context: FileContext, path: Path) -> tuple[YamlLintConfig, str]:
    """One parse per configuration file and run, however many folders it covers."""
    return context.memo(("yamllint settings", path), lambda: _parse_config_file(path))


def _parse_config_file(path: Path) -> tuple[YamlLintConfig, str]:
    from yamllint.config import YamlLintConfig, YamlLintConfigError

    try:
        return YamlLintConfig(file=str(path)), _config_file_digest(path)
    except (YamlLintConfigError, OSError) as exc:
        raise ConfigError(f"{path}: invalid yamllint configuration: {exc}") from None


def _config_file_digest(path: Path) -> str:
    try:
        return _digest(str(path), path.read_bytes())
    except OSError:
        return _digest(str(path), "unreadable")


# The shipped settings are part of the package: remembered for the process.
@cache
def _shipped() -> tuple[YamlLintConfig, str]:
    from yamllint.config import YamlLintConfig

    return YamlLintConfig(content=_shipped_text()), _shipped_digest()


@cache
def _shipped_text() -> str:
    from importlib import resources  # imports tempfile: only when the shipped settings are read

    return resources.files("okd_streams").joinpath("conf/yamllint.yaml").read_text(encoding="utf-8")


@cache
def _shipped_digest() -> str:
    return _digest("shipped", _shipped_text().encode("utf-8"))


def _digest(*parts: str | bytes) -> str:
    hashed = hashlib.sha256(YAMLLINT_VERSION.encode())
    for part in parts:
        hashed.update(b"\0" + (part if isinstance(part, bytes) else part.encode("utf-8")))
    return hashed.hexdigest()


def _problems(yaml_file: YamlFile, config: YamlLintConfig, path: Path) -> list[tuple[int, int, str, str | None, str]]:
    """yamllint's problems as (line, column, description, rule, level). yamllint parses each
    file twice, once (pure Python) only to find a syntax error; when okd-streams' own parse
    found none, that pass is skipped (a syntax error is Y001's anyway)."""
    from yamllint import linter

    text = yaml_file.text
    if any(issue.kind != "duplicate-key" for issue in yaml_file.issues):
        found = linter.run(text, config, str(path))
    elif _DISABLE_FILE.match(text.split("\n", 1)[0]):
        found = ()
    else:
        found = linter.get_cosmetic_problems(text, config, str(path))
    try:
        return [(p.line, p.column, p.desc, p.rule, p.level) for p in found]
    except Exception:  # noqa: BLE001 - yamllint's own rules can crash on broken YAML (its indentation
        return []  # rule on an unbalanced "]"); the breakage itself is Y001's finding


def context_key(context: FileContext) -> str | None:
    """What this rule's findings depend on besides the file and the context: the yamllint
    configuration in force. The lint flows cache this rule's findings per file under it;
    None: the rule finds nothing in this tree (a foreign one without settings), nothing to keep."""
    folder = _folder(context)
    if context.foreign and _own_config(context, folder) is None:
        return None
    return _settings_digest(context, folder)


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    if yaml_file.issues and not yaml_file.documents:
        return  # unreadable: Y001 already says why
    folder = _folder(context)
    if context.foreign and _own_config(context, folder) is None:
        return  # a foreign tree that never adopted yamllint is not held to our style
    config, _ = _settings_for(context, folder)
    path = Path(yaml_file.path)
    if config.is_file_ignored(str(path)):
        return
    for line, column, desc, rule, level in _problems(yaml_file, config, path):
        if rule is None:  # syntax error: Y001 reports it
            continue
        level = "warning" if context.foreign or level == "warning" else "error"
        yield Finding(None, (), f"{desc} ({rule})", level=level, file=yaml_file.path, line=line, column=column)
