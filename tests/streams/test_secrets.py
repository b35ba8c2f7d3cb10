"""`okd-streams secrets`: every Secret a stream references, with keys and who reads it."""

from __future__ import annotations

import json
import textwrap

from okd_streams.cli import main
from okd_streams.files.loader import parse_text
from okd_streams.model.repo import unit_from_files
from okd_streams.streams.secrets import secrets_of
from tests.conftest import REPO


def needs(text: str) -> dict:
    unit = unit_from_files([parse_text(textwrap.dedent(text), "set.yaml")], "set")
    return {need.name: need for need in secrets_of(unit)}


def test_the_repository_streams_list_their_secrets(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["secrets", "okd-scos", "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["stream"] == "okd-scos" and entry["namespace"] == "okd-scos"
    found = {s["name"]: s for s in entry["secrets"]}
    assert found["okd-quay-pull-secret"]["keys"] == [".dockerconfigjson"]
    assert found["okd-matrix-bot-auth"]["keys"] == ["token"]
    assert found["ose-mirror-secret"]["optional"] is True
    assert all(s["resolved"] for s in entry["secrets"]), "every name is known from defaults or the card"
    assert not [s for s in entry["secrets"] if s["name"].startswith("$(")]


def test_text_output_names_keys_and_readers(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["secrets"]) == 0
    out = capsys.readouterr().out
    assert "okd-scos (namespace okd-scos):" in out and "okd-fcos (namespace okd-fcos):" in out
    assert "keys: .dockerconfigjson" in out and "used by Task mirror-release volume push-secret" in out


def test_unknown_stream_is_exit_2(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["secrets", "no-such-stream"]) == 2
    assert "no such stream" in capsys.readouterr().err


def test_every_kind_of_reference():
    found = needs("""
        apiVersion: tekton.dev/v1
        kind: Task
        metadata:
          name: push
        spec:
          params:
            - name: push-secret
              default: quay-push
          volumes:
            - name: creds
              secret:
                secretName: $(params.push-secret)
            - name: projected
              projected:
                sources:
                  - secret:
                      name: signing
                      items: [{key: private.key, path: key}]
          steps:
            - name: push
              image: alpine:3.20
              env:
                - name: TOKEN
                  valueFrom:
                    secretKeyRef: {name: matrix, key: token}
              envFrom:
                - secretRef: {name: aws, optional: true}
              volumeMounts:
                - name: creds
                  mountPath: /var/run/secrets/push
              script: skopeo copy --authfile /var/run/secrets/push/auth.json dir:/x docker://quay.io/x
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: builder
        imagePullSecrets:
          - name: pull
        """)
    assert found["quay-push"].keys == {"auth.json"}
    assert found["signing"].keys == {"private.key"}
    assert found["matrix"].keys == {"token"}
    assert found["aws"].optional
    assert found["pull"].keys == {".dockerconfigjson"}


def test_a_name_passed_as_a_param_follows_the_card_value():
    found = needs("""
        apiVersion: tekton.dev/v1
        kind: Task
        metadata:
          name: notify
        spec:
          params:
            - name: matrix-secret
              default: task-default
          steps:
            - name: notify
              image: alpine:3.20
              env:
                - name: TOKEN
                  valueFrom:
                    secretKeyRef: {name: $(params.matrix-secret), key: token}
        ---
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata:
          name: build
        spec:
          params:
            - name: matrix-secret
              default: pipeline-default
          tasks:
            - name: notify
              taskRef: {name: notify}
              params:
                - name: matrix-secret
                  value: $(params.matrix-secret)
        ---
        apiVersion: triggers.tekton.dev/v1beta1
        kind: TriggerTemplate
        metadata:
          name: build
        spec:
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata:
                generateName: build-
              spec:
                pipelineRef: {name: build}
                params:
                  - name: matrix-secret
                    value: from-the-card
        """)
    assert set(found) == {"from-the-card"}, "the run's value wins over both defaults"
    assert "TriggerTemplate build" in found["from-the-card"].uses[0].via


def test_a_name_only_known_at_run_time_is_listed_as_such():
    found = needs("""
        apiVersion: tekton.dev/v1
        kind: Task
        metadata:
          name: notify
        spec:
          params:
            - name: token-secret
          steps:
            - name: notify
              image: alpine:3.20
              env:
                - name: TOKEN
                  valueFrom:
                    secretKeyRef: {name: $(params.token-secret), key: token}
        """)
    [need] = found.values()
    assert need.name == "$(params.token-secret)" and not need.resolved
