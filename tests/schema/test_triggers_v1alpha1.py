"""Triggers v1alpha1 still decodes the interceptors v1beta1 dropped (cel, github, gitlab,
bitbucket), strictly: the Triggers webhook (asked with the oracle) admits them in a v1alpha1
EventListener or Trigger, refuses them in v1beta1, and refuses a misspelt field inside them."""

from __future__ import annotations

import pytest
import yaml

from okd_streams.schema import check_object

LISTENER = """
apiVersion: triggers.tekton.dev/{version}
kind: EventListener
metadata: {{name: el}}
spec:
  serviceAccountName: sa
  triggers:
    - name: t
      interceptors:
        - cel: {{filter: "true", overlays: [{{key: a, expression: b}}]}}
        - github: {{secretRef: {{secretName: s, secretKey: k}}, eventTypes: [push]}}
        - gitlab: {{eventTypes: [push]}}
        - bitbucket: {{secretRef: {{secretName: s}}}}
      bindings: [{{ref: b}}]
      template: {{ref: tt}}
"""
TRIGGER = """
apiVersion: triggers.tekton.dev/v1alpha1
kind: Trigger
metadata: {name: t}
spec:
  interceptors:
    - cel: {filtr: "true"}
  bindings: [{ref: b}]
  template: {ref: tt}
"""


def test_deprecated_interceptors_pass_in_v1alpha1() -> None:
    assert check_object(yaml.safe_load(LISTENER.format(version="v1alpha1"))) == []


@pytest.mark.parametrize("field", ["cel", "github", "gitlab", "bitbucket"])
def test_and_are_unknown_in_v1beta1(field: str) -> None:
    found = check_object(yaml.safe_load(LISTENER.format(version="v1beta1")))
    assert field in {issue.field for issue in found if issue.kind == "unknown-field"}


def test_a_misspelt_field_inside_is_unknown() -> None:
    found = check_object(yaml.safe_load(TRIGGER))
    assert [(issue.path, issue.kind, issue.suggestion) for issue in found] == [
        (("spec", "interceptors", 0, "cel", "filtr"), "unknown-field", "filter")
    ]
