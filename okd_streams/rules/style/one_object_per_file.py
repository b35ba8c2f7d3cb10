"""More than one Kubernetes object in one file.

What it does:
  Reports a file holding several Kubernetes objects (documents separated by `---`).

Why:
  One object per file, named after it, lets a reviewer find a Task from its name and
  keeps diffs and kustomize `resources` lists readable. In a foreign tree this is a
  warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.documents import is_kustomization, objects
from okd_streams.model.objects import FileContext, Finding

ID = "one-object-per-file"
CODE = "S002"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "file"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False
context_key = None  # findings depend on the file alone


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    if is_kustomization(yaml_file):
        return
    found = list(objects(yaml_file))
    for document in found[1:]:
        yield Finding(
            None,
            (),
            f"{len(found)} objects in one file; put {document.data['kind']} in a file of its own",
            file=yaml_file.path,
            line=document.start_line,
        )
