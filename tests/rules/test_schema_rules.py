"""The schema family (V001-V005) through the real CLI: each mistake of issue 15, one small file
each (tests/rules/schema_cases), gives exactly one error, at the line and column its
`# expect: CODE col=N [meant=FIELD]` comment names, with the field that was meant."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from okd_streams.cli import main

CASES = Path(__file__).resolve().parent / "schema_cases"
EXPECT = re.compile(r"# expect: (?P<code>[A-Z]\d{3}) col=(?P<col>\d+)(?: meant=(?P<meant>\S+))?")


def expectation(path: Path) -> tuple[int, int, str, str | None]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        found = EXPECT.search(line)
        if found:
            return number, int(found["col"]), found["code"], found["meant"]
    raise AssertionError(f"{path.name} has no # expect: comment")


@pytest.fixture(scope="module")
def errors_by_file() -> dict[str, list[dict]]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["lint", "--format", "json", "--no-cache", str(CASES)]) == 1
    found: dict[str, list[dict]] = {}
    for problem in json.loads(out.getvalue()):
        if problem["level"] == "error":
            found.setdefault(Path(problem["path"]).name, []).append(problem)
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.yaml")))
def test_one_error_at_the_offending_key(name: str, errors_by_file: dict[str, list[dict]]) -> None:
    line, column, code, meant = expectation(CASES / name)
    errors = errors_by_file.get(name, [])
    assert [(e["line"], e["column"], e["code"]) for e in errors] == [(line, column, code)], errors
    if meant:
        assert f'did you mean "{meant}"?' in errors[0]["message"]


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:
    code = main([*args, "--format", "json", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def test_misspelled_field_in_an_overlay_patch_is_reported_in_the_patch(tmp_path, monkeypatch, capsys):
    import shutil

    from tests.conftest import REPO

    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    patch = tmp_path / "overlays" / "scos" / "patch-okd-coreos.yaml"
    text = patch.read_text(encoding="utf-8")
    assert "    - name: variant\n      default: okd-c9s\n" in text
    patch.write_text(
        text.replace("    - name: variant\n      default: okd-c9s\n", "    - name: variant\n      defualt: okd-c9s\n"),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, problems = run_json(["check"], capsys)
    assert code == 1
    [found] = [p for p in problems if p["code"] == "V001"]
    assert (found["path"], found["line"], found["column"]) == ("overlays/scos/patch-okd-coreos.yaml", 12, 7)
    assert 'did you mean "default"?' in found["message"]


def test_a_wide_clean_tree_gives_no_schema_finding(capsys):
    # tests/schema/data/clean: what Tekton, Triggers, Kubernetes and Argo CD admit (the oracle says so
    # of the Tekton objects), wide: stepTemplate, sidecars, podTemplate, CEL interceptors, retry...
    _, problems = run_json(["lint", str(Path(__file__).resolve().parents[1] / "schema" / "data" / "clean")], capsys)
    assert problems and [p for p in problems if p["code"].startswith("V")] == []


ENUM_TASK = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  params:
    - name: flavour
      type: string
      enum: [scos, fcos]
  steps:
    - name: build
      image: alpine:3.20
      script: make $(params.flavour)
"""


@pytest.mark.parametrize(
    "flags,expected",
    [
        ("", [("build.yaml", 9, 7, "V005")]),  # Tekton's default: enable-param-enum is off
        ("target:\n  tekton-feature-flags:\n    enable-param-enum: true\n", []),
    ],
)
def test_the_target_decides_a_feature_gated_field(flags, expected, tmp_path, monkeypatch, capsys):
    (tmp_path / "build.yaml").write_text(ENUM_TASK, encoding="utf-8")
    if flags:
        (tmp_path / ".okd-streams.yaml").write_text(flags, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, problems = run_json(["lint", "."], capsys)
    found = [(Path(p["path"]).name, p["line"], p["column"], p["code"]) for p in problems if p["level"] == "error"]
    assert found == expected
    if expected:
        assert "enable-param-enum: true" in problems[0]["message"]


def test_a_bad_target_is_a_configuration_error(tmp_path, monkeypatch, capsys):
    (tmp_path / ".okd-streams.yaml").write_text("target:\n  kubernetes: '0.1'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "."]) == 2
    assert "target.kubernetes" in capsys.readouterr().err


def test_overrides_turn_the_schema_family_to_warning_on_some_paths(tmp_path, monkeypatch, capsys):
    for folder in ("legacy", "current"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "runafter.yaml").write_text(
            (CASES / "runafter.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    (tmp_path / ".okd-streams.yaml").write_text(
        "overrides:\n  - paths: [legacy/**]\n    rules: {unknown-field: warning}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, problems = run_json(["lint", "."], capsys)
    levels = {p["path"]: p["level"] for p in problems if p["code"] == "V001"}
    assert levels == {"current/runafter.yaml": "error", "legacy/runafter.yaml": "warning"} and code == 1


def test_a_bad_override_is_a_configuration_error(tmp_path, monkeypatch, capsys):
    (tmp_path / ".okd-streams.yaml").write_text(
        "overrides:\n  - paths: [x]\n    rules: {V999: warning}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "."]) == 2
    assert "overrides[0]" in capsys.readouterr().err


def _stream_copy(tmp_path: Path) -> Path:
    import shutil

    from tests.conftest import REPO

    for folder in ("base", "overlays", "streams", "argocd"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path / "streams" / "okd-scos"


def test_a_namespace_the_stream_kustomization_sets_is_one_finding_there(tmp_path, monkeypatch, capsys):
    stream = _stream_copy(tmp_path)
    kustomization = stream / "kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text(encoding="utf-8").replace("namespace: okd-scos", "namespace: OKD_scos"),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, problems = run_json(["check", "okd-scos"], capsys)
    assert code == 1
    found = [(p["path"], p["line"], p["column"]) for p in problems if p["code"] == "V004"]
    assert found == [("streams/okd-scos/kustomization.yaml", 4, 1)]  # not one per object, in base/


def test_a_card_schedule_copied_into_a_cronjob_is_the_card_rule_s(tmp_path, monkeypatch, capsys):
    card = _stream_copy(tmp_path) / "stream.yaml"
    card.write_text(card.read_text(encoding="utf-8").replace('"30 6 * * *"', '"30 25 * * *"'), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, problems = run_json(["check", "okd-scos"], capsys)
    assert code == 1
    assert [(p["code"], p["line"]) for p in problems if p["level"] == "error"] == [("C001", 21)]


def test_a_namespace_that_is_no_dns_label_is_not_also_a_project_finding(tmp_path, monkeypatch, capsys):
    stream = _stream_copy(tmp_path)
    for name in ("kustomization.yaml", "stream.yaml"):
        path = stream / name
        path.write_text(path.read_text(encoding="utf-8").replace("namespace: okd-scos", "namespace: OKD_scos"))
    monkeypatch.chdir(tmp_path)
    code, problems = run_json(["check", "okd-scos"], capsys)
    assert code == 1
    found = sorted((p["code"], p["path"], p["line"]) for p in problems if p["level"] == "error")
    # the card's namespace and the kustomization's: two places to fix, one finding each (no A003)
    assert found == [("C001", "streams/okd-scos/stream.yaml", 16), ("V004", "streams/okd-scos/kustomization.yaml", 4)]


def test_a_namespace_the_project_refuses_is_reported_where_the_kustomization_sets_it(tmp_path, monkeypatch, capsys):
    kustomization = _stream_copy(tmp_path) / "kustomization.yaml"
    text = kustomization.read_text(encoding="utf-8")
    kustomization.write_text(text.replace("namespace: okd-scos", "namespace: ci-builds"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, problems = run_json(["check", "okd-scos"], capsys)
    found = [(p["path"], p["line"], p["column"]) for p in problems if p["code"] == "A003"]
    assert found == [("streams/okd-scos/kustomization.yaml", 4, 1)]  # the objects' namespace, from its line
