"""The okd-payload Pipeline: in every stream, triggered only in those that opt in, and part of
the stream contract of those (a copy of the repository, rendered with the real kustomize)."""

from __future__ import annotations

import shutil
from pathlib import Path

from okd_streams.config import Config
from okd_streams.lint.checking import check_repository
from tests.conftest import REPO


def copy_repo(tmp_path: Path) -> Path:
    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / ".yamllint", tmp_path / ".yamllint")
    return tmp_path


def kinds(report, stream: str) -> set[tuple[str, str]]:
    [unit] = [u for u in report.units if u.stream == stream]
    return {(obj.kind, obj.name) for obj in unit.objects}


def errors(report, code: str | None = None) -> list:
    return [p for p in report.problems if p.level == "error" and (code is None or p.code == code)]


def test_okd_payload_renders_in_the_stream_that_opts_in_and_passes_every_rule(tmp_path):
    root = copy_repo(tmp_path)
    report = check_repository(root, Config(), cache=False)
    assert errors(report) == []
    scos, fcos = kinds(report, "okd-scos"), kinds(report, "okd-fcos")
    payload = {("TriggerTemplate", "okd-payload"), ("TriggerBinding", "okd-payload"), ("CronJob", "okd-payload")}
    assert ("Pipeline", "okd-payload") in fcos and payload <= fcos
    # every stream has the Pipeline (the OS layers patch it); only a stream that opts in runs it
    assert ("Pipeline", "okd-payload") in scos and not payload & scos
    [unit] = [u for u in report.units if u.stream == "okd-fcos"]
    [listener] = list(unit.of_kind("EventListener"))
    assert [t["name"] for t in listener.data["spec"]["triggers"]] == ["okd-coreos", "okd-release", "okd-payload"]
    [pipeline] = [o for o in unit.of_kind("Pipeline") if o.name == "okd-payload"]
    defaults = {p["name"]: p.get("default") for p in pipeline.data["spec"]["params"]}
    assert defaults["build-tags"] == "fcos" and defaults["os-image-name"] == "fedora-coreos"
    assert defaults["os-image"] == "quay.io/fedora/fedora-coreos:next-devel"


def test_a_new_required_param_fails_each_stream_that_opts_in(tmp_path):
    root = copy_repo(tmp_path)
    pipeline = root / "base" / "pipelines" / "okd-payload.yaml"
    text = pipeline.read_text()
    pipeline.write_text(
        text.replace(
            "  params:\n    - name: base-release\n",
            "  params:\n    - name: arch\n      type: string\n      description: Architecture.\n"
            "    - name: base-release\n",
            1,
        )
    )
    report = check_repository(root, Config(), cache=False)
    found = errors(report, "C004")
    assert [(p.stream, p.path) for p in found] == [("okd-fcos", "streams/okd-fcos/stream.yaml")]
    assert 'does not set param "arch" of Pipeline "okd-payload"' in found[0].message
    assert "spec.pipelines.okd-payload.params" in found[0].message
    assert errors(report) == found, "okd-scos does not run okd-payload: nothing to set there"


def test_opting_in_takes_the_component_and_the_card_entry(tmp_path):
    root = copy_repo(tmp_path)
    # the card entry without the component: values that reach nothing
    card = root / "streams" / "okd-scos" / "stream.yaml"
    card.write_text(
        card.read_text()
        + '    okd-payload:\n      schedule: "0 8 * * 6"\n      params:\n'
        + "        - name: release-name\n          value: x\n"
    )
    # the component without the card entry: kustomize cannot copy the card's values
    kustomization = root / "streams" / "okd-fcos" / "stream.yaml"
    text = kustomization.read_text()
    kustomization.write_text(text[: text.index("    okd-payload:\n")])
    report = check_repository(root, Config(), cache=False)
    c002 = errors(report, "C002")
    assert [(p.stream, p.path) for p in c002] == [("okd-scos", "streams/okd-scos/stream.yaml")]
    assert 'no TriggerTemplate of stream okd-scos runs Pipeline "okd-payload"' in c002[0].message
    assert "list the component that adds its trigger, ../../overlays/okd-payload" in c002[0].message
    assert not errors(report, "C006"), "one mistake, one finding: C002"
    k001 = errors(report, "K001")
    assert [p.stream for p in k001] == ["okd-fcos"]
    assert "spec.pipelines.okd-payload" in k001[0].message
