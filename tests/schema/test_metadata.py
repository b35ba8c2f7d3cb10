"""The metadata the API server judges beyond a name (apimachinery's ValidateObjectMetaAccessor
for every kind, custom resources included; ValidateConfigMap and ValidateSecret for data keys)."""

from __future__ import annotations

import pytest

from okd_streams.schema import check_object
from okd_streams.schema.metadata import data_key_problem, label_value_problem, qualified_name_problem


@pytest.mark.parametrize(
    "key",
    [
        "app",
        "App_1.x",
        "app.kubernetes.io/name",
        "tekton.dev/pipeline",
        "a" * 63,
        "example.com/" + "a" * 63,
        "pipelinesascode.tekton.dev/on-cel-expression",
    ],
)
def test_qualified_names_the_api_server_takes(key: str) -> None:
    assert qualified_name_problem(key) is None


@pytest.mark.parametrize(
    "key",
    [
        "",
        "a/b/c",
        "/name",
        "example.com/",
        "Example.com/name",
        "a" * 64,
        "-app",
        "app-",
        "my app",
        "app!",
        "ex_ample.com/a",
    ],
)
def test_qualified_names_it_refuses(key: str) -> None:
    assert qualified_name_problem(key) is not None


@pytest.mark.parametrize("value", ["", "v1", "0.1", "a-b_c.d", "A" * 63])
def test_label_values_it_takes(value: str) -> None:
    assert label_value_problem(value) is None


@pytest.mark.parametrize("value", ["A" * 64, "my app", "-x", "x.", "a/b", "$(params.x)"])
def test_label_values_it_refuses(value: str) -> None:
    assert label_value_problem(value) is not None


@pytest.mark.parametrize("key", ["stream.yaml", ".dockerconfigjson", "tls.crt", "A_b-1", ".x"])
def test_data_keys_it_takes(key: str) -> None:
    assert data_key_problem(key) is None


@pytest.mark.parametrize("key", [".", "..", "..x", "a/b", "a b", "x" * 254])
def test_data_keys_it_refuses(key: str) -> None:
    assert data_key_problem(key) is not None


def paths(data: dict) -> list[tuple]:
    return [issue.path for issue in check_object(data)]


def test_a_cluster_scoped_object_may_carry_any_namespace() -> None:
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "r", "namespace": "X_Y"},
    }
    assert paths(role) == []
    role["kind"] = "Role"
    assert paths(role) == [("metadata", "namespace")]


def test_annotation_keys_are_judged_lower_cased_and_values_are_free() -> None:
    sa = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "s", "annotations": {"Example.COM/Owner": "any text: at all, with spaces"}},
    }
    assert paths(sa) == []


def test_annotations_add_up_to_256_kib() -> None:
    big = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"a": "x" * (256 * 1024)}}}
    assert paths(big) == [("metadata", "annotations")]
    big["metadata"]["annotations"] = {"a": "x" * (256 * 1024 - 1)}
    assert paths(big) == []


def test_a_key_in_both_data_and_binary_data() -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {"k": "v"},
        "binaryData": {"k": "dg=="},
    }
    assert paths(cm) == [("binaryData", "k")]


def test_secret_string_data_keys_are_judged() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"user name": "x"}}
    assert paths(secret) == [("stringData", "user name")]


def test_envsubst_placeholders_are_not_judged() -> None:
    task = {
        "apiVersion": "tekton.dev/v1",
        "kind": "Task",
        "metadata": {"name": "t", "namespace": "${TEST_NAMESPACE}", "labels": {"version": "${VERSION}"}},
        "spec": {"steps": [{"name": "s", "image": "alpine", "script": "echo"}]},
    }
    assert paths(task) == []
