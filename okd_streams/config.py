"""`.okd-streams.yaml`: per-rule levels, disabled rules, ignored paths and the target cluster.

Found by walking up from the checked path. Example:

    rules:
      T020: warning            # level: error | warning | info | off
      image-not-digest-pinned: # by id works too
        level: off
        ignore: ["vendor/**"]  # paths (globs, relative to the config file) where it is off
    ignore: ["experiments/**"] # paths no rule looks at
    conventions: strict        # strict: this repository's conventions are errors here too
    overrides:                 # levels for some paths (the last entry that matches wins)
      - paths: ["legacy/**"]
        rules: {V001: warning}
    target:                    # what the cluster runs: the schema family (V001-V005) checks against it
      kubernetes: "1.32"
      tekton-feature-flags: {enable-api-fields: beta, enable-param-enum: false}
      argocd: "3.x"

Unknown rules, options or levels are configuration errors (exit 2), so a typo never
silently turns a check off.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from okd_streams.errors import ConfigError
from okd_streams.files.loader import YamlError, load_one
from okd_streams.schema.target import Target, TargetError

CONFIG_NAME = ".okd-streams.yaml"
OPTIONS = ("rules", "ignore", "conventions", "target", "overrides")
LEVEL_CHOICES = ("error", "warning", "info", "off")

RuleCode = Callable[[str], str]
"""A rule's code from its code or id, ValueError naming an unknown one: the rule registry's
`code_of`, passed in by the caller, since the configuration sits below the rules and knows none."""


@dataclass
class RuleSetting:
    level: str | None = None
    ignore: list[str] = field(default_factory=list)


@dataclass
class Override:
    """`overrides:` entry: rule levels for the paths matching `paths` (globs)."""

    paths: list[str]
    levels: dict[str, str]  # by CODE


@dataclass
class Config:
    path: Path | None = None
    rules: dict[str, RuleSetting] = field(default_factory=dict)  # by CODE
    ignore: list[str] = field(default_factory=list)
    conventions: str = "auto"  # auto | strict | relaxed
    target: Target = field(default_factory=Target)  # what the cluster runs: versions, Tekton feature flags
    overrides: list[Override] = field(default_factory=list)  # levels for some paths, the last match wins

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path else None

    def level_for(self, code: str, default: str) -> str:
        setting = self.rules.get(code)
        return setting.level if setting and setting.level else default

    def ignored(self, code: str | None, path: str) -> bool:
        """True when `path` (as displayed, relative to the working directory) is ignored."""
        patterns = list(self.ignore)
        if code and code in self.rules:
            patterns += self.rules[code].ignore
        return bool(patterns) and self._matches(path, patterns)

    def level_at(self, code: str, path: str) -> str | None:
        """The level `overrides:` sets for `code` at `path`, or None where none does."""
        found = None
        for override in self.overrides:
            if code in override.levels and self._matches(path, override.paths):
                found = override.levels[code]
        return found

    def _matches(self, path: str, patterns: list[str]) -> bool:
        candidates = {path}
        if self.root is not None:
            try:
                candidates.add(str(Path(path).resolve().relative_to(self.root.resolve())))
            except (ValueError, OSError):
                pass
        return any(_match(candidate, pattern) for candidate in candidates for pattern in patterns)


def _match(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*") or path.startswith(pattern + "/")


def find_config(start: Path) -> Path | None:
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
    return None


def load_config(start: Path, explicit: Path | None = None, *, rule_code: RuleCode) -> Config:
    path = explicit or find_config(start)
    if path is None:
        return Config()
    try:
        data = load_one(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except YamlError as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    except (RecursionError, ValueError, OverflowError) as exc:
        raise ConfigError(f"{path}: cannot read ({type(exc).__name__}): nested too deeply or out of range") from None
    return parse_config(data or {}, path, rule_code=rule_code)


def parse_config(data: object, path: Path | None = None, *, rule_code: RuleCode) -> Config:
    where = str(path) if path else CONFIG_NAME
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a mapping with keys {', '.join(OPTIONS)}")
    unknown = set(data) - set(OPTIONS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown option(s) {', '.join(sorted(map(str, unknown)))}; known: {', '.join(OPTIONS)}"
        )
    config = Config(path=path)
    try:
        config.target = Target.from_config(data.get("target"))
    except TargetError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    config.ignore = _globs(data.get("ignore", []), f"{where}: ignore")
    conventions = data.get("conventions", "auto")
    if conventions not in ("auto", "strict", "relaxed"):
        raise ConfigError(f"{where}: conventions must be auto, strict or relaxed, not {conventions!r}")
    config.conventions = conventions
    rules = data.get("rules", {}) or {}
    if not isinstance(rules, dict):
        raise ConfigError(f"{where}: rules must map a rule code or id to a level or settings")
    for key, value in rules.items():
        try:
            code = rule_code(str(key))
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        setting = RuleSetting()
        if isinstance(value, str) or value is False:
            setting.level = _level(value, f"{where}: rules.{key}")
        elif isinstance(value, dict):
            extra = set(value) - {"level", "ignore"}
            if extra:
                raise ConfigError(
                    f"{where}: rules.{key}: unknown option(s) {', '.join(sorted(map(str, extra)))}; "
                    "known: level, ignore"
                )
            if "level" in value:
                setting.level = _level(value["level"], f"{where}: rules.{key}.level")
            setting.ignore = _globs(value.get("ignore", []), f"{where}: rules.{key}.ignore")
        else:
            raise ConfigError(f"{where}: rules.{key} must be a level ({', '.join(LEVEL_CHOICES)}) or a mapping")
        config.rules[code] = setting
    config.overrides = _overrides(data.get("overrides", []), where, rule_code)
    return config


def _overrides(value: object, where: str, rule_code: RuleCode) -> list[Override]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: overrides must be a list of {{paths: [globs], rules: {{CODE: level}}}}")
    found = []
    for index, entry in enumerate(value):
        at = f"{where}: overrides[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"paths", "rules"} or not isinstance(entry["rules"], dict):
            raise ConfigError(f"{at} must be a mapping with paths (globs) and rules (code: level)")
        levels = {}
        for key, level in entry["rules"].items():
            try:
                levels[rule_code(str(key))] = _level(level, f"{at}.rules.{key}")
            except ValueError as exc:
                raise ConfigError(f"{at}: {exc}") from None
        found.append(Override(_globs(entry["paths"], f"{at}.paths"), levels))
    return found


def _level(value: object, where: str) -> str:
    if value is False:
        return "off"
    if value not in LEVEL_CHOICES:
        raise ConfigError(f"{where}: level must be one of {', '.join(LEVEL_CHOICES)}, not {value!r}")
    return str(value)


def _globs(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of path globs")
    return list(value)
