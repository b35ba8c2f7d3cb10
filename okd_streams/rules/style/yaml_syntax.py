"""A YAML file okd-streams cannot read.

What it does:
  Reports a file that is not valid YAML, not UTF-8 text, binary, too large (over 4 MiB),
  nested too deeply or expanded past a sane size by aliases, keys repeated in one mapping,
  a mapping key that is itself a list or a mapping, and a Python tag (`!!python/object...`,
  which okd-streams never constructs). Also a symlink (file or folder) that leads out of the
  repository, and a FIFO or device where a file should be: neither is read.

Why:
  kubectl, kustomize and Argo CD refuse such a file, or (duplicate keys) silently keep
  only one of the values, or (a Python tag) read the value beneath it, while a Python tool
  that honours the tag runs code. Nothing else in the file can be checked until it reads.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.objects import Finding

ID = "yaml-syntax"
CODE = "Y001"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "file"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False
context_key = None  # findings depend on the file alone


def check_file(yaml_file: YamlFile, context: object) -> Iterator[Finding]:
    for issue in yaml_file.issues:
        yield Finding(None, (), issue.message, file=yaml_file.path, line=issue.line, column=issue.column)
