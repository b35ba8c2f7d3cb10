"""What yamllint reports about a YAML file.

What it does:
  Runs yamllint, in process, on every YAML file with the tree's own `.yamllint` (found by
  walking up from the checked path) or, without one, okd-streams' shipped settings
  (`okd_streams/conf/yamllint.yaml`). Syntax errors are left to Y001.

Why:
  Consistent YAML keeps reviews about content. Key duplicates and bad indentation also
  hide real mistakes. In a foreign tree every yamllint finding is a warning.

Fails:
```yaml
apiVersion: tekton.dev/v1
kind: Task
metadata:
    name: build
spec:
  steps: [{name: build, image: "alpine:3.20", script: "make"}]
```

Passes:
```yaml
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  steps: [{name: build, image: "alpine:3.20", script: "make"}]
```
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator

from yamllint import linter
from yamllint.config import YamlLintConfig, YamlLintConfigError

from okd_streams.config import ConfigError
from okd_streams.model import FileContext, Finding

ID = "yamllint"
CODE = "Y002"
LEVEL = "error"
SCOPE = "file"

CONFIG_NAMES = (".yamllint", ".yamllint.yaml", ".yamllint.yml")


@lru_cache(maxsize=None)
def _config_for(folder: Path) -> YamlLintConfig:
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if path.is_file():
                try:
                    return YamlLintConfig(file=str(path))
                except (YamlLintConfigError, OSError) as exc:
                    raise ConfigError(f"{path}: invalid yamllint configuration: {exc}") from None
    shipped = resources.files("okd_streams").joinpath("conf/yamllint.yaml").read_text(encoding="utf-8")
    return YamlLintConfig(content=shipped)


def check_file(yaml_file, context: FileContext) -> Iterator[Finding]:
    if yaml_file.issues and not yaml_file.documents:
        return  # unreadable: Y001 already says why
    root = Path(context.root).resolve() if context.root else Path.cwd()
    config = _config_for(root if root.is_dir() else root.parent)
    path = Path(yaml_file.path)
    if config.is_file_ignored(str(path)):
        return
    for problem in linter.run(yaml_file.text, config, str(path)):
        if problem.rule is None:  # syntax error: Y001 reports it
            continue
        level = "warning" if context.foreign or problem.level == "warning" else "error"
        yield Finding(None, (), f"{problem.desc} ({problem.rule})", level=level, file=yaml_file.path,
                      line=problem.line, column=problem.column)
