"""okd-streams onboard: what a cluster admin creates for a stream, checked against `secrets` and
okd-streams' own schema checks (issue 18, item 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from okd_streams import cli

REPO = Path(__file__).resolve().parents[2]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_onboard_prints_rbac_without_secrets_and_a_create_line_per_secret(capsys):
    code, out, err = run_cli(capsys, "onboard", "okd-scos", "--root", str(REPO))
    assert code == 0, err
    code, listed, _ = run_cli(capsys, "secrets", "okd-scos", "--format", "json", "--root", str(REPO))
    assert code == 0
    names = [s["name"] for s in json.loads(listed)[0]["secrets"]]
    assert names
    for name in names:
        lines = [line for line in out.splitlines() if f"kubectl create secret generic {name} " in line]
        assert len(lines) == 1 and "--dry-run=client -o yaml" in lines[0] and "-n okd-scos" in lines[0]
    assert "--type=kubernetes.io/dockerconfigjson --from-file=.dockerconfigjson=" in out
    code, manifests, _ = run_cli(capsys, "onboard", "okd-scos", "--format", "yaml", "--root", str(REPO))
    assert code == 0
    objects = {f"{d['kind']}/{d['metadata']['name']}": d for d in yaml.safe_load_all(manifests) if d}
    role = objects["ClusterRole/okd-streams-eventlistener"]
    resources = {r for rule in role["rules"] for r in rule["resources"]}
    assert resources == {"clustertriggerbindings", "clusterinterceptors"}  # no secrets
    assert all(set(rule["verbs"]) <= {"get", "list", "watch"} for rule in role["rules"])
    binding = objects["ClusterRoleBinding/okd-streams-eventlistener-okd-scos"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "okd-streams-triggers", "namespace": "okd-scos"}]
    assert "RoleBinding/okd-streams-cronjob-nonroot-v2" in objects
    assert not any(d["kind"] == "Secret" for d in objects.values())
    # Argo CD creates the namespace (CreateNamespace=true): not among the manifests
    assert "Namespace/okd-scos" not in objects and "not needed" in out


def test_onboard_namespace_when_argo_cd_does_not_create_it(tmp_path, capsys):
    for name in ("base", "overlays", "streams", "argocd"):
        shutil.copytree(REPO / name, tmp_path / name)
    appset = tmp_path / "argocd/applicationsets/okd-streams.yaml"
    appset.write_text(appset.read_text().replace("          - CreateNamespace=true\n", "          - Validate=true\n"))
    code, out, err = run_cli(capsys, "onboard", "okd-fcos", "--format", "yaml", "--root", str(tmp_path))
    assert code == 0, err
    kinds = [d["kind"] for d in yaml.safe_load_all(out) if d]
    assert kinds[0] == "Namespace"


def test_onboard_manifests_pass_okd_streams_schema_checks(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "onboard", "okd-scos", "--format", "yaml", "--root", str(REPO))
    assert code == 0
    folder = tmp_path / "admin"
    folder.mkdir()
    for document in yaml.safe_load_all(out):
        (folder / f"{document['kind'].lower()}-{document['metadata']['name'].replace(':', '-')}.yaml").write_text(
            "---\n" + yaml.safe_dump(document, sort_keys=False)
        )
    _, report, _ = run_cli(capsys, "lint", str(folder), "--format", "json")
    problems = json.loads(report) if report.strip() else []
    schema = [p for p in problems if p["code"].startswith("V")]
    assert not schema, schema


def test_onboard_unknown_stream_is_a_usage_error(capsys):
    code, _, err = run_cli(capsys, "onboard", "no-such-stream", "--root", str(REPO))
    assert code == 2 and "no such stream" in err


@pytest.mark.parametrize("fmt", ["text", "yaml"])
def test_onboard_prints_nothing_secret(capsys, fmt):
    code, out, _ = run_cli(capsys, "onboard", "okd-scos", "--format", fmt, "--root", str(REPO))
    assert code == 0 and "kind: Secret" not in out and "stringData" not in out
