"""A YAML file okd-streams cannot read.

What it does:
  Reports a file that is not valid YAML, not UTF-8 text, binary, too large (over 4 MiB),
  nested too deeply or expanded past a sane size by aliases, and keys repeated in one
  mapping. Also a symlink (file or folder) that leads out of the repository, and a FIFO or
  device where a file should be: neither is read.

Why:
  kubectl, kustomize and Argo CD refuse such a file, or (duplicate keys) silently keep
  only one of the values. Nothing else in the file can be checked until it reads.

Fails:
```yaml
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
  name: build-again
spec:
  steps: [{name: build, image: "alpine:3.20"
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

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.objects import Finding

ID = "yaml-syntax"
CODE = "Y001"
LEVEL = "error"
SCOPE = "file"


def check_file(yaml_file: YamlFile, context: object) -> Iterator[Finding]:
    for issue in yaml_file.issues:
        yield Finding(None, (), issue.message, file=yaml_file.path, line=issue.line, column=issue.column)
