"""The stream contract on real repository trees, rendered with the real kustomize.

A mini repository: a base with one Task, one Pipeline, its TriggerTemplate and CronJob,
the stream-card component that copies card values into them, and two streams.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from okd_streams.config import Config
from okd_streams.lint.checking import check_repository
from okd_streams.rules.card import _shared as _card
from tests.conftest import write_tree

TASK = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: compile
spec:
  params:
    - name: version
      type: string
    - name: variant
      type: string
  steps:
    - name: make
      image: "alpine:3.20"
      script: make VERSION=$(params.version) VARIANT=$(params.variant)
"""

PIPELINE_PARAMS = """\
    - name: version
      type: string
    - name: variant
      type: string
      enum: [scos, fcos]
    - name: jobs
      type: string
      default: "4"
"""

PIPELINE = """\
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: build
spec:
  params:
{params}  tasks:
    - name: compile
      taskRef:
        kind: Task
        name: compile
      params:
        - name: version
          value: $(params.version)
        - name: variant
          value: $(params.variant)
"""

TRIGGER_TEMPLATE = """\
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: build
  labels:
    okd-streams.io/pipeline: build
spec:
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: build-
      spec:
        pipelineRef:
          name: build
        params: []
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: build
  labels:
    okd-streams.io/pipeline: build
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: trigger
              image: "quay.io/curl/curl:8.11.1"
              args: ["--data", "{}", "http://el-build:8080"]
"""

BASE_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - tasks/compile.yaml
  - pipelines/build.yaml
  - triggers/triggertemplates/build.yaml
  - triggers/cronjobs/build.yaml
"""

STREAM_CARD_COMPONENT = """\
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
replacements:
  - source:
      kind: StreamCard
      fieldPath: spec.pipelines.build.params
    targets:
      - select:
          kind: TriggerTemplate
          labelSelector: okd-streams.io/pipeline=build
        fieldPaths:
          - spec.resourcetemplates.0.spec.params
  - source:
      kind: StreamCard
      fieldPath: spec.pipelines.build.schedule
    targets:
      - select:
          kind: CronJob
          labelSelector: okd-streams.io/pipeline=build
        fieldPaths:
          - spec.schedule
"""

STREAM_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {namespace}
resources:
  - ../../base
  - stream.yaml
components:
  - ../../base/stream-card
"""

CARD = """\
apiVersion: okd-streams.io/v1alpha1
kind: StreamCard
metadata:
  name: {name}
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
  description: The {name} stream.
  owners:
    - okd-wg
  os: {variant}
  version: "4.19"
  namespace: {name}
  sync: automatic
  pipelines:
    build:
      schedule: "30 6 * * *"
      params:
{params}"""


def card_params(variant: str, extra: str = "") -> str:
    return (
        f'        - name: version\n          value: "4.19"\n        - name: variant\n          value: {variant}\n'
    ) + extra


def make_repo(
    root: Path,
    pipeline_params: str = PIPELINE_PARAMS,
    streams: dict | None = None,
    component: str = STREAM_CARD_COMPONENT,
    namespaces: dict | None = None,
) -> Path:
    streams = streams or {"okd-scos": card_params("scos"), "okd-fcos": card_params("fcos")}
    files = {
        "base/kustomization.yaml": BASE_KUSTOMIZATION,
        "base/tasks/compile.yaml": TASK,
        "base/pipelines/build.yaml": PIPELINE.format(params=pipeline_params),
        "base/triggers/triggertemplates/build.yaml": TRIGGER_TEMPLATE,
        "base/triggers/cronjobs/build.yaml": CRONJOB,
        "base/stream-card/kustomization.yaml": component,
    }
    for name, params in streams.items():
        namespace = (namespaces or {}).get(name, name)
        files[f"streams/{name}/kustomization.yaml"] = STREAM_KUSTOMIZATION.format(namespace=namespace)
        variant = "fcos" if "fcos" in name else "scos"
        files[f"streams/{name}/stream.yaml"] = CARD.format(name=name, variant=variant, params=params)
    return write_tree(root, files)


def check(root: Path, monkeypatch) -> list:
    monkeypatch.chdir(root)
    return check_repository(root, Config(), progress=False).problems


def mine(problems, prefixes=("C", "R")) -> list:
    return [p for p in problems if p.code[0] in prefixes or p.code in ("E000", "K001")]


def card_line(root: Path, stream: str, text: str) -> int:
    lines = (root / "streams" / stream / "stream.yaml").read_text().splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def test_the_mini_repository_is_clean(tmp_path, monkeypatch):
    problems = check(make_repo(tmp_path), monkeypatch)
    assert [p for p in mine(problems) if p.level == "error"] == []


def test_a_new_required_param_fails_each_stream_once_at_its_card(tmp_path, monkeypatch):
    params = PIPELINE_PARAMS + "    - name: arch\n      type: string\n"
    root = make_repo(tmp_path, pipeline_params=params)
    problems = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    assert sorted(p.stream for p in problems) == ["okd-fcos", "okd-scos"], problems
    for problem in problems:
        assert problem.code == "C004"
        assert '"arch"' in problem.message and f"stream {problem.stream}" in problem.message
        assert "a string" in problem.message
        assert problem.path == f"streams/{problem.stream}/stream.yaml"
        assert problem.line == card_line(root, problem.stream, "params:")


def test_a_required_enum_param_names_the_allowed_values(tmp_path, monkeypatch):
    params = PIPELINE_PARAMS + "    - name: arch\n      enum: [x86_64, aarch64]\n"
    root = make_repo(tmp_path, pipeline_params=params)
    problems = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    assert len(problems) == 2
    assert all("one of x86_64, aarch64" in p.message for p in problems)


def test_a_type_change_fails_each_stream_once_at_the_card_value(tmp_path, monkeypatch):
    params = PIPELINE_PARAMS.replace(
        "    - name: version\n      type: string\n", "    - name: version\n      type: array\n"
    )
    root = make_repo(tmp_path, pipeline_params=params)
    problems = [p for p in mine(check(root, monkeypatch)) if p.level == "error" and p.code == "C004"]
    assert sorted(p.stream for p in problems) == ["okd-fcos", "okd-scos"], problems
    for problem in problems:
        assert '"version"' in problem.message and "array" in problem.message
        # mapped through the replacement's provenance to the card's value line
        assert problem.path == f"streams/{problem.stream}/stream.yaml"
        assert problem.line == card_line(root, problem.stream, 'value: "4.19"')


def test_an_enum_violation_fails_only_that_stream(tmp_path, monkeypatch):
    streams = {"okd-scos": card_params("scos"), "okd-fcos": card_params("rhcos")}
    root = make_repo(tmp_path, streams=streams)
    problems = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    assert [(p.code, p.stream) for p in problems] == [("C004", "okd-fcos")], problems
    assert '"rhcos"' in problems[0].message and "scos, fcos" in problems[0].message
    assert problems[0].line == card_line(root, "okd-fcos", "value: rhcos")


def test_an_unknown_card_param_lists_the_declared_ones(tmp_path, monkeypatch):
    extra = '        - name: verison\n          value: "4.20"\n'
    streams = {"okd-scos": card_params("scos", extra), "okd-fcos": card_params("fcos")}
    root = make_repo(tmp_path, streams=streams)
    problems = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    assert [(p.code, p.stream) for p in problems] == [("C003", "okd-scos")], problems
    assert '"verison"' in problems[0].message and "version, variant, jobs" in problems[0].message
    assert problems[0].line == card_line(root, "okd-scos", "name: verison")
    # the ignored param is not reported a second time by the generic rule (R011) at the same line
    assert not [p for p in check(root, monkeypatch) if p.code == "R011"]


def test_rendered_trigger_params_map_back_to_the_card(tmp_path, monkeypatch):
    """Provenance: a value in the rendered TriggerTemplate points at the card line it came from."""
    root = make_repo(tmp_path)
    monkeypatch.chdir(root)
    report = check_repository(root, Config(), progress=False)
    unit = next(u for u in report.units if u.stream == "okd-scos")
    template = next(obj for obj in unit.objects if obj.kind == "TriggerTemplate")
    params = template.data["spec"]["resourcetemplates"][0]["spec"]["params"]
    index = next(i for i, p in enumerate(params) if p["name"] == "variant")
    path, line, _ = template.at(("spec", "resourcetemplates", 0, "spec", "params", index, "value"))
    assert path == "streams/okd-scos/stream.yaml"
    assert line == card_line(root, "okd-scos", "value: scos")
    path, line, _ = template.at(("spec", "resourcetemplates", 0, "spec", "params"))
    assert (path, line) == ("streams/okd-scos/stream.yaml", card_line(root, "okd-scos", "params:"))
    cronjob = next(obj for obj in unit.objects if obj.kind == "CronJob")
    assert cronjob.at(("spec", "schedule"))[:2] == (
        "streams/okd-scos/stream.yaml",
        card_line(root, "okd-scos", "schedule:"),
    )


def test_without_the_replacement_the_schedule_and_the_params_are_reported(tmp_path, monkeypatch):
    root = make_repo(
        tmp_path, component="apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nreplacements: []\n"
    )
    problems = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    by_stream: dict = {}
    for problem in problems:
        by_stream.setdefault(problem.stream, []).append(problem)
    assert set(by_stream) == {"okd-scos", "okd-fcos"}
    for stream, found in by_stream.items():
        codes = sorted(p.code for p in found)
        # version and variant not set (one problem each), the schedule not copied
        assert codes == ["C004", "C004", "C006"], found
        assert all(p.path == f"streams/{stream}/stream.yaml" for p in found)


def test_card_namespace_must_match_the_rendered_namespace(tmp_path, monkeypatch):
    root = make_repo(tmp_path, namespaces={"okd-scos": "okd-scos-test"})
    problems = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    assert [(p.code, p.stream) for p in problems] == [("C005", "okd-scos")], problems
    assert 'namespace "okd-scos-test"' in problems[0].message
    assert problems[0].line == card_line(root, "okd-scos", "namespace:")


def test_a_card_pipeline_the_stream_lacks(tmp_path, monkeypatch):
    params = card_params("scos")
    root = make_repo(tmp_path, streams={"okd-scos": params})
    card = root / "streams/okd-scos/stream.yaml"
    card.write_text(card.read_text() + '    biuld:\n      schedule: "@daily"\n      params: []\n')
    problems = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    assert [p.code for p in problems] == ["C002"], problems
    assert '"biuld"' in problems[0].message


def test_a_missing_task_is_an_error_in_a_stream(tmp_path, monkeypatch):
    root = make_repo(tmp_path)
    pipeline = root / "base/pipelines/build.yaml"
    pipeline.write_text(pipeline.read_text().replace("name: compile\n      params", "name: compil\n      params"))
    problems = [p for p in mine(check(root, monkeypatch)) if p.code == "R001"]
    assert len(problems) == 1  # the same base line, seen through both streams, reported once
    assert problems[0].level == "error" and "self-contained" in problems[0].message
    assert problems[0].path == "base/pipelines/build.yaml"


def test_a_bad_card_is_reported_at_its_lines(tmp_path, monkeypatch):
    root = make_repo(tmp_path)
    card = root / "streams/okd-fcos/stream.yaml"
    text = card.read_text().replace('version: "4.19"\n  namespace', "version: 4.20\n  namespace")
    text = text.replace("sync: automatic", "sync: always").replace('"30 6 * * *"', '"30 6 * * 7"')
    card.write_text(text)
    problems = [p for p in mine(check(root, monkeypatch), ("C",)) if p.code == "C001"]
    messages = {p.line: p.message for p in problems}
    assert "quote it" in messages[card_line(root, "okd-fcos", "version: 4.20")]
    assert "automatic or manual" in messages[card_line(root, "okd-fcos", "sync:")]
    assert "day of week" in messages[card_line(root, "okd-fcos", "schedule:")]


@pytest.mark.parametrize(
    "schedule",
    [
        "30 6 * * *",
        "*/15 * * * *",
        "0 0 1,15 * *",
        "0 9-17/2 * * MON-FRI",
        "0 0 * JAN,JUL sun",
        "@daily",
        "@hourly",
        "@every 1h30m",
        "5 4 * * 0",
        "0 0 ? * *",
        "0-59/5 0-23 1-31 1-12 0-6",
    ],
)
def test_cron_schedules_kubernetes_accepts(schedule):
    assert _card.schedule_error(schedule) is None


@pytest.mark.parametrize(
    "schedule",
    [
        "",
        "* * * *",
        "* * * * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * * 13 *",
        "* * * * 7",
        "*/0 * * * *",
        "5-1 * * * *",
        "1-2-3 * * * *",
        "a * * * *",
        "@fortnightly",
        "@every tomorrow",
        "TZ=UTC 0 0 * * *",
        "CRON_TZ=Europe/Paris 0 0 * * *",
        "0 0 * * FUN",
        "-1 * * * *",
    ],
)
def test_cron_schedules_kubernetes_rejects(schedule):
    assert _card.schedule_error(schedule)


def copy_of_this_repository(root: Path) -> Path:
    import shutil

    from tests.conftest import REPO

    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def test_this_repository_keeps_its_contract(tmp_path, monkeypatch):
    root = copy_of_this_repository(tmp_path)
    errors = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    assert errors == []


def test_a_required_base_param_fails_every_stream_of_this_repository_once(tmp_path, monkeypatch):
    root = copy_of_this_repository(tmp_path)
    pipeline = root / "base/pipelines/okd-coreos.yaml"
    text = pipeline.read_text()
    anchor = "    - name: target-registry\n"
    assert anchor in text
    pipeline.write_text(
        text.replace(anchor, "    - name: arch\n      type: string\n      enum: [x86_64, aarch64]\n" + anchor, 1)
    )
    streams = sorted(p.name for p in (root / "streams").iterdir() if p.is_dir())
    errors = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    assert sorted(p.stream for p in errors) == streams, errors
    for problem in errors:
        assert problem.code == "C004" and '"arch"' in problem.message and problem.stream in problem.message
        assert "one of x86_64, aarch64" in problem.message
        assert problem.path == f"streams/{problem.stream}/stream.yaml"
        lines = (root / problem.path).read_text().splitlines()
        coreos = lines.index("    okd-coreos:")
        assert problem.line == next(n for n, line in enumerate(lines, 1) if n > coreos and "params:" in line)


@pytest.mark.parametrize(
    "spec",
    [
        "spec: 3",
        "spec: {pipelines: [1, 2]}",
        "spec: {pipelines: {build: 3}}",
        "spec: {pipelines: {build: {params: {a: b}, schedule: [1]}}}",
        "spec: {pipelines: {build: {params: [3, {name: [1], value: x}, {name: a}], schedule: 5}}}",
        "spec: {owners: owner, sync: 1, namespace: [x], version: 4.2, description: null, extra: 1}",
        "spec: {pipelines: {7: {params: [{name: a, value: {b: [1]}}]}}}",
        "metadata: 3\nspec: {namespace: demo}",
    ],
)
def test_hostile_cards_never_crash(spec):
    from okd_streams import rules as registry
    from okd_streams.files.loader import parse_text
    from okd_streams.lint.engine import check_unit
    from okd_streams.model.objects import Obj, Unit

    card = parse_text(
        f"apiVersion: okd-streams.io/v1alpha1\nkind: StreamCard\nmetadata: {{name: demo}}\n{spec}\n",
        "streams/demo/stream.yaml",
    ).documents[-1]
    objects = parse_text(
        PIPELINE.format(params=PIPELINE_PARAMS) + "---\n" + TRIGGER_TEMPLATE + "---\n" + CRONJOB, "base.yaml"
    )
    unit = Unit(
        "demo", [Obj(d.data, "base.yaml", d) for d in objects.documents], stream="demo", card=card, rendered=True
    )
    found = check_unit(unit, Config(), [r for r in registry.RULES.values() if r.SCOPE == "unit"])
    assert not [p for p in found if p.code == "E000"], found


def test_a_stream_without_a_card(tmp_path, monkeypatch):
    root = make_repo(tmp_path)
    (root / "streams/okd-fcos/stream.yaml").unlink()
    kustomization = root / "streams/okd-fcos/kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text()
        .replace("  - stream.yaml\n", "")
        .replace("components:\n  - ../../base/stream-card\n", "")
    )
    problems = [p for p in mine(check(root, monkeypatch)) if p.level == "error"]
    assert [(p.code, p.stream, p.path) for p in problems if p.code[0] == "C"] == [
        ("C001", "okd-fcos", "streams/okd-fcos/kustomization.yaml")
    ], problems
    # without a card nothing sets the Pipeline's params: the trigger's run itself is reported
    assert sorted(re.search(r'param "([^"]+)"', p.message).group(1) for p in problems if p.code == "R020") == [
        "variant",
        "version",
    ]
