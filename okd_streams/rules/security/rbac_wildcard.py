"""A Role or ClusterRole rule that grants `*` verbs, resources or API groups.

What it does:
  Reports each entry containing `*` in the `verbs`, `resources` or `apiGroups` of a Role
  or ClusterRole rule (also `pods/*`-style subresource wildcards), and `*` in
  `nonResourceURLs`, in every YAML file of the repository (argocd/ included, and Roles no
  stream renders).

Why:
  A wildcard grants what exists today and everything added tomorrow: `verbs: ["*"]`
  includes `escalate`, `bind` and `impersonate`, `resources: ["*"]` includes Secrets. A
  stream's ServiceAccount needs a short list (the base's Role names each verb and
  resource); list them, or waive with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.documents import objects
from okd_streams.model.objects import FileContext, Finding, Obj, items

ID = "rbac-wildcard"
CODE = "X007"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "file"  # every file of the repository: argocd/ and files no stream renders too
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = True
context_key = None  # findings depend on the file alone

FIELDS = {"verbs": "verbs", "resources": "resources", "apiGroups": "API groups", "nonResourceURLs": "URLs"}


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    for document in objects(yaml_file):
        obj = Obj(document.data, yaml_file.path, document)
        if obj.kind not in ("Role", "ClusterRole") or obj.group != "rbac.authorization.k8s.io":
            continue
        for index, rule in items(obj.data, "rules"):
            for key, what in FIELDS.items():
                values = rule.get(key)
                for position, value in enumerate(values if isinstance(values, list) else []):
                    if not isinstance(value, str) or "*" not in value:
                        continue
                    if key == "nonResourceURLs" and value != "*":
                        continue  # "/healthz/*" is a prefix, as RBAC documents it
                    yield Finding(
                        obj,
                        ("rules", index, key, position),
                        f'{obj.label()} rule {index + 1} grants "{value}" {what}: list the {what} the '
                        "subject needs, or waive with a reason",
                    )
