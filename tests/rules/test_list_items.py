"""A `kind: List` document holds objects that kubectl, kustomize and Argo CD apply one by one:
each item is checked as an object (at its own lines), and an item that is not one is Y003's."""

from __future__ import annotations

from pathlib import Path

from tests.cli import lint_json

LIST = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
  - just a string
  -
  - metadata:
      name: no-kind
  - apiVersion: v1
    kind: List
    items:
      - kind: Secret
        metadata:
          name: no-api-version
      - apiVersion: tekton.dev/v1
        kind: Task
        metadata:
          name: nested
        spec:
          steps:
            - name: build
              image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
              scrpt: echo hi
"""


def lint(folder: Path) -> list[dict]:
    return [p for p in lint_json(folder) if p["level"] == "error"]


def test_each_item_is_an_object_or_an_error_at_it(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text(LIST, encoding="utf-8")
    found = sorted((p["line"], p["column"], p["code"], p["message"].partition(": kubectl")[0]) for p in lint(tmp_path))
    assert found == [
        (8, 5, "Y003", "items[1] of this List is a string, not a Kubernetes object"),
        (9, 4, "Y003", "items[2] of this List is empty, not a Kubernetes object"),
        (10, 5, "Y003", "items[3] of this List has no kind and no apiVersion"),
        (15, 9, "Y003", "items[4].items[0] of this List has no apiVersion"),
        (26, 15, "V001", 'unknown field "scrpt" in step "build" of Task nested; did you mean "script"?'),
    ]


def test_a_list_of_good_objects_is_clean(tmp_path: Path) -> None:
    good = LIST.split("  - just a string")[0]
    (tmp_path / "list.yaml").write_text(good, encoding="utf-8")
    assert lint(tmp_path) == []


SECRETS = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata:
      name: registry
    data:
      token: c2VjcmV0
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: everything
    rules:
      - apiGroups: ["*"]
        resources: [pods]
        verbs: [get]
"""


def test_the_file_rules_read_each_item_too(tmp_path: Path) -> None:
    """`oc get secrets -o yaml > file` writes a List: its Secrets are secrets all the same."""
    (tmp_path / "secrets.yaml").write_text(SECRETS, encoding="utf-8")
    found = lint_json(tmp_path)
    found = {(p["code"], p["line"], p["column"]) for p in found}
    assert {("X001", 8, 5), ("X007", 15, 21)} <= found, found


def test_each_item_of_a_long_list_keeps_its_own_positions() -> None:
    """`oc get -o yaml` of many objects: the file rules read each item at its own positions
    (given out in one pass over the file's positions, not one pass per item)."""
    from okd_streams.files.loader import parse_text
    from okd_streams.model.documents import expanded

    items = "".join(f"  - {{apiVersion: v1, kind: ConfigMap, metadata: {{name: c{i}}}}}\n" for i in range(3000))
    found = list(expanded(parse_text("apiVersion: v1\nkind: List\nitems:\n" + items, "list.yaml")))
    assert len(found) == 3000
    assert found[2999].pos(("metadata", "name")) == (3003, 50)
