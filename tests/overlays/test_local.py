"""overlays/local (issue 19, item 1): a stream with it, scaffolded by `okd-streams new` on a real
copy of the repository, passes every rule and can run on a laptop's cluster: no CronJob, nothing
that uploads, pushes or posts, no secret to create, and workspaces and requests within the
bounds overlays/local/README.md states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from okd_streams.cli import main
from okd_streams.config import Config
from okd_streams.lint.checking import check_repository
from okd_streams.render.kustomize import build
from tests.conftest import REPO
from tests.streams.test_new_stream import copy_repo

# The bounds overlays/local/README.md states.
MAX_STORAGE_GI = 30
MAX_REQUEST_CPU = 2.0
MAX_REQUEST_MEMORY_GI = 4
MAX_LIMIT_MEMORY_GI = 8
# Tasks that upload, push, publish or post somewhere outside the cluster.
PUBLISHING_TASKS = {
    "cosa-push-container",
    "cosa-upload-s3",
    "notify-matrix",
    "pick-target-release-name",
    "mirror-release",
    "prepare-release-binaries",
    "prepare-release-notes",
    "get-github-access-token",
    "create-github-release",
    "update-release-channel",
}
_UNITS = {"": 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9, "m": 1e-3}


def quantity(value: object) -> float:
    """A Kubernetes quantity as a number (bytes, or cores)."""
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match and match.group(2) in _UNITS, value
    return float(match.group(1)) * _UNITS[match.group(2)]


# okd-fcos lists the okd-payload component, which conflicts with local (a laptop run does not
# rebuild and push a payload): its local copy leaves okd-payload out (tests/streams/test_new_compose.py).
@pytest.fixture(scope="module", params=["okd-scos", "okd-fcos"])
def local(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[dict]]:
    """A copy of the repository with `<source>-local` scaffolded from a real stream, and its render."""
    root = copy_repo(tmp_path_factory.mktemp("local") / "repo")
    name = f"{request.param}-local"
    # No --set: a local stream publishes nowhere, so it needs no release places of its own.
    # (--description: the default one for okd-fcos would be over yamllint's line length.)
    args = ["new", name, "--from", request.param, "--component", "local", "--description", "A local build."]
    assert main([*args, "--root", str(root), "--no-input"]) == 0
    result = build(root / "streams" / name)
    assert result.error is None, result.error
    return root, name, [obj.data for obj in result.objects]


def of_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o.get("kind") == kind]


def test_scaffolded_local_stream_passes_every_rule(local):
    root, name, _ = local
    report = check_repository(root, Config(), [name], progress=False)
    assert [p for p in report.problems if p.level in ("error", "warning")] == []
    assert main(["check", name, "--root", str(root)]) == 0


def test_no_cronjob(local):
    _, _, objects = local
    assert of_kind(objects, "CronJob") == []


def test_nothing_can_upload_push_or_post(local):
    _, _, objects = local
    tasks = {o["metadata"]["name"] for o in of_kind(objects, "Task")}
    assert tasks & PUBLISHING_TASKS == set()
    for pipeline in of_kind(objects, "Pipeline"):
        spec = pipeline["spec"]
        refs = {t["taskRef"]["name"] for t in spec.get("tasks", []) + spec.get("finally", [])}
        assert refs <= tasks  # every task the Pipelines run is one that stays
        assert yaml.safe_load(pipeline["metadata"]["annotations"]["okd-streams.io/destinations"]) == []
    assert {
        t["name"]
        for p in of_kind(objects, "Pipeline")
        if p["metadata"]["name"] == "okd-coreos"
        for t in p["spec"]["tasks"]
    } >= {"cosa-build-baseos", "cosa-buildextend"}


def test_workspaces_fit_a_laptop_and_need_no_secret(local):
    _, _, objects = local
    templates = of_kind(objects, "TriggerTemplate")
    assert templates
    claims = 0
    for template in templates:
        for run in template["spec"]["resourcetemplates"]:
            for workspace in run["spec"].get("workspaces", []):
                assert "secret" not in workspace, workspace
                claim = workspace.get("volumeClaimTemplate")
                if claim:
                    claims += 1
                    assert "storageClassName" not in claim["spec"]  # the cluster's default StorageClass
                    storage = claim["spec"]["resources"]["requests"]["storage"]
                    assert quantity(storage) <= MAX_STORAGE_GI * 2**30, storage
    assert claims >= 2
    assert of_kind(objects, "PersistentVolumeClaim") == []


def test_requests_fit_a_laptop(local):
    _, _, objects = local
    for task in of_kind(objects, "Task"):
        spec = task["spec"]
        for container in spec.get("steps", []) + spec.get("sidecars", []) + [spec.get("stepTemplate") or {}]:
            resources = container.get("computeResources") or {}
            requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
            where = f"{task['metadata']['name']}/{container.get('name')}"
            assert quantity(requests.get("cpu", 0)) <= MAX_REQUEST_CPU, where
            assert quantity(requests.get("memory", 0)) <= MAX_REQUEST_MEMORY_GI * 2**30, where
            assert quantity(limits.get("memory", 0)) <= MAX_LIMIT_MEMORY_GI * 2**30, where


def test_coreos_assembler_still_asks_for_kvm(local):
    """The build needs /dev/kvm (README: what the host must provide); the component keeps the device."""
    _, _, objects = local
    build_task = next(o for o in of_kind(objects, "Task") if o["metadata"]["name"] == "cosa-build-baseos")
    assert build_task["spec"]["steps"][0]["computeResources"]["limits"]["devices.kubevirt.io/kvm"] == "1"


def test_readme_states_the_bounds():
    text = (REPO / "overlays/local/README.md").read_text(encoding="utf-8")
    for bound in (f"{MAX_STORAGE_GI}Gi", f"{MAX_REQUEST_MEMORY_GI}Gi", f"{MAX_LIMIT_MEMORY_GI}Gi", "/dev/kvm"):
        assert bound in text


def test_without_the_runs_manual_declaration_the_missing_cronjobs_are_reported(tmp_path):
    root = copy_repo(tmp_path / "repo")
    assert (
        main(["new", "okd-scos-local", "--from", "okd-scos", "--component", "local", "--root", str(root), "--no-input"])
        == 0
    )
    kustomization = root / "overlays/local/kustomization.yaml"
    text = kustomization.read_text(encoding="utf-8")
    kustomization.write_text(re.sub(r"\n +okd-streams.io/runs: manual.*", "", text), encoding="utf-8")
    report = check_repository(root, Config(), ["okd-scos-local"], progress=False)
    card = (root / "streams/okd-scos-local/stream.yaml").read_text(encoding="utf-8").splitlines()
    schedules = [("C006", number) for number, line in enumerate(card, 1) if line.strip().startswith("schedule:")]
    assert len(schedules) == 2  # one a Pipeline, each without its CronJob
    assert sorted((p.code, p.line) for p in report.problems if p.level == "error") == schedules


def test_the_catalog_says_what_the_component_removes():
    text = (REPO / "docs/reference/streams.md").read_text(encoding="utf-8")
    local = text.split("### local\n", 1)[1].split("\n### ", 1)[0]
    assert "removes tasks `cosa-upload-baseos`, `cosa-upload-extensions`, `cosa-upload-bootimages`" in local
    assert "CronJob `*`" in local and "Task `any`" not in local
