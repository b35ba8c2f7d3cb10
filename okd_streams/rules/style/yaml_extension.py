"""A YAML file named `.yml`.

What it does:
  Reports files ending in `.yml` (and kustomizations not named `kustomization.yaml`).

Why:
  One spelling keeps globs, hooks and reviews simple: `.yaml`, always
  `kustomization.yaml`. In a foreign tree this is a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.documents import file_path
from okd_streams.model.objects import FileContext, Finding

ID = "yaml-extension"
CODE = "S004"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "file"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False
context_key = None  # findings depend on the file alone


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    name = file_path(yaml_file.path).name
    if name.endswith(".yml"):
        yield Finding(
            None, (), f"name YAML files .yaml, not .yml: rename {name} to {name[:-4]}.yaml", file=yaml_file.path
        )
    elif name == "Kustomization":
        yield Finding(None, (), "name the kustomization kustomization.yaml", file=yaml_file.path)
