"""A Secret as the API server's ValidateSecret judges it by its type, through the real CLI, and
what it takes (stringData merged into data, base64 folded over lines, an empty password)."""

from __future__ import annotations

from pathlib import Path

import pytest

from okd_streams.schema import check_object
from tests.cli import lint_json

CASES = {
    "basic-auth without username or password": (
        "type: kubernetes.io/basic-auth\nstringData:\n  user: okd\n  token: x\n",
        [(6, 1, "V003")],
    ),
    "ssh-auth with an empty key": ('type: kubernetes.io/ssh-auth\ndata:\n  ssh-privatekey: ""\n', [(7, 3, "V004")]),
    "tls without its key": ("type: kubernetes.io/tls\ndata:\n  tls.crt: aGk=\n", [(6, 1, "V003")]),
    "dockerconfigjson that is not JSON": (
        "type: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{\"auths\": '\n",
        [(7, 3, "V004")],
    ),
    "a data value that is not base64": ("data:\n  known_hosts: github.com ssh-ed25519 AAAA\n", [(6, 3, "V004")]),
    "service-account-token without its ServiceAccount": (
        "type: kubernetes.io/service-account-token\n",
        [(3, 1, "V003")],
    ),
}


def errors(tmp_path: Path, body: str) -> list[tuple[int, int, str]]:
    path = tmp_path / "git.yaml"
    path.write_text(f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: git\n{body}", encoding="utf-8")
    return [(p["line"], p["column"], p["code"]) for p in lint_json(path) if p["level"] == "error"]


@pytest.mark.parametrize("case", CASES)
def test_one_error_where_the_secret_is_wrong(tmp_path: Path, case: str) -> None:
    body, expected = CASES[case]
    assert errors(tmp_path, body) == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "kubernetes.io/basic-auth", "stringData": {"username": "okd", "password": ""}},
        {"type": "kubernetes.io/basic-auth", "data": {"password": ""}},
        {"type": "kubernetes.io/tls", "data": {"tls.crt": "aGVsbG8gd29y\nbGQ=\n", "tls.key": "aGk="}},
        {"type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": "eyJhdXRocyI6IHt9fQ=="}},
        {"type": "kubernetes.io/ssh-auth", "data": {"ssh-privatekey": "aGk="}},
        {"type": "Opaque", "data": {"x": ""}},
        {"type": "example.com/custom"},
        {"data": {"token": "<BASE64_ENCODED_TOKEN>", "id": "{{ id }}", "key": "${KEY}"}},  # placeholders
    ],
)
def test_what_it_takes(fields: dict) -> None:
    assert check_object({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, **fields}) == []


def test_a_token_secret_naming_its_service_account() -> None:
    annotations = {"kubernetes.io/service-account.name": "pipeline"}
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "annotations": annotations},
        "type": "kubernetes.io/service-account-token",
    }
    assert check_object(secret) == []
