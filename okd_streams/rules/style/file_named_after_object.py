"""A file not named after the object it holds.

What it does:
  Reports a file whose name (without `.yaml`) differs from its object's
  `metadata.name`. Kustomizations, patches (`patch-*.yaml`) and stream cards are exempt.

Why:
  The object is found from its name alone: `base/tasks/cosa-init.yaml` holds Task
  `cosa-init`. In a foreign tree this is a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.documents import file_path, is_kustomization, is_patch, objects
from okd_streams.model.objects import FileContext, Finding
from okd_streams.tekton.pac import has_placeholder

ID = "file-named-after-object"
CODE = "S003"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "file"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False
context_key = None  # findings depend on the file alone

EXEMPT_KINDS = {"StreamCard", "Kustomization", "Component"}


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    if is_kustomization(yaml_file) or is_patch(yaml_file):
        return
    found = list(objects(yaml_file))
    if len(found) != 1 or found[0].data["kind"] in EXEMPT_KINDS:
        return
    document = found[0]
    metadata = document.data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    stem = file_path(yaml_file.path).name.rsplit(".", 1)[0]
    if isinstance(name, str) and name and name != stem and not has_placeholder(name):  # PaC fills it in
        line, column = document.pos(("metadata", "name"))
        yield Finding(
            None,
            (),
            f'file is named "{stem}" but holds {document.data["kind"]} "{name}"; '
            f"rename it {name}{file_path(yaml_file.path).suffix}",
            file=yaml_file.path,
            line=line,
            column=column,
        )
