"""`okd-streams run`: the PipelineRun a stream's trigger would create, checked, printed or started.

The comparison path is independent of okd_streams.streams.run: it reads the rendered stream
(`okd-streams render`, the real kustomize) as plain YAML and does what Triggers does with it
(the CronJob's curl body, the binding's `$(body.x)`, the template's defaults, and a raw text
replacement of `$(tt.params.x)` in the resource template's JSON), then adds what the
EventListener's sink adds (its namespace and the eventlistener/trigger labels).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from okd_streams.cli import main
from okd_streams.lint.checking import stream_units
from okd_streams.model.repo import SourceTree, discover_streams
from okd_streams.streams import cluster
from okd_streams.streams import run as runs
from tests.conftest import REPO

BOGUS_KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
  - name: nowhere
    cluster:
      server: https://127.0.0.1:1
contexts:
  - name: nowhere-ctx
    context:
      cluster: nowhere
      user: nobody
current-context: nowhere-ctx
users:
  - name: nobody
    user:
      token: not-a-token
"""


def rendered(stream: str, capsys: pytest.CaptureFixture) -> list[dict]:
    assert main(["render", stream]) == 0
    return [doc for doc in yaml.safe_load_all(capsys.readouterr().out) if doc]


def as_triggers_would(objects: list[dict], pipeline: str) -> dict:
    """The PipelineRun Triggers creates for the CronJob of `pipeline`, from the rendered objects."""

    def one(kind: str, name: str | None = None, label: str | None = None) -> dict:
        found = [
            o
            for o in objects
            if o["kind"] == kind
            and (name is None or o["metadata"]["name"] == name)
            and (label is None or o["metadata"].get("labels", {}).get("okd-streams.io/pipeline") == label)
        ]
        assert len(found) == 1, (kind, name, label)
        return found[0]

    cron = one("CronJob", label=pipeline)
    args = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"]
    body = json.loads(args[args.index("--data") + 1])
    listener = one("EventListener")
    [trigger] = [t for t in listener["spec"]["triggers"] if f"'{body['pipeline']}'" in json.dumps(t)]
    template = one("TriggerTemplate", name=trigger["template"]["ref"])
    params = {p["name"]: p["default"] for p in template["spec"].get("params", []) if "default" in p}
    for ref in trigger["bindings"]:
        for p in one("TriggerBinding", name=ref["ref"])["spec"]["params"]:
            params[p["name"]] = re.sub(r"\$\(body\.(\w+)\)", lambda m: str(body[m.group(1)]), p["value"])
    text = json.dumps(template["spec"]["resourcetemplates"][0])
    for name, value in params.items():
        text = text.replace(f"$(tt.params.{name})", value)
    run = json.loads(text)
    run["metadata"]["namespace"] = listener["metadata"]["namespace"]
    run["metadata"].setdefault("labels", {})["triggers.tekton.dev/eventlistener"] = listener["metadata"]["name"]
    run["metadata"]["labels"]["triggers.tekton.dev/trigger"] = trigger["name"]
    return run


@pytest.mark.parametrize(
    ("stream", "pipeline"),
    [("okd-scos", None), ("okd-scos", "okd-release"), ("okd-fcos", "okd-payload"), ("okd-fcos", "okd-coreos")],
)
def test_dry_run_prints_what_the_trigger_template_gives(stream, pipeline, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    expected = as_triggers_would(rendered(stream, capsys), pipeline or "okd-coreos")
    assert main(["run", stream, "--dry-run", *(["--pipeline", pipeline] if pipeline else [])]) == 0
    out = capsys.readouterr()
    assert yaml.safe_load(out.out) == expected
    assert out.err == "", "the run passes every rule: nothing to report"
    # the card's values are there
    params = {p["name"]: p["value"] for p in expected["spec"]["params"]}
    if stream == "okd-scos" and pipeline is None:
        assert (
            params["branch"] == "release-4.19" and expected["metadata"]["labels"]["okd-streams.io/trigger"] == "cronjob"
        )


def test_set_overrides_a_card_value_and_the_rules_judge_it(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["run", "okd-scos", "--dry-run", "--set", "branch=main", "--set", "components=cli,tests"]) == 0
    run = yaml.safe_load(capsys.readouterr().out)
    assert {p["name"]: p["value"] for p in run["spec"]["params"]}["branch"] == "main"
    assert main(["run", "okd-fcos", "-p", "okd-payload", "--dry-run", "--set", "components=cli,tests"]) == 0
    run = yaml.safe_load(capsys.readouterr().out)
    assert {p["name"]: p["value"] for p in run["spec"]["params"]}["components"] == ["cli", "tests"]
    # an object for an array param: Tekton would reject the run, so it is not printed nor started
    assert main(["run", "okd-fcos", "-p", "okd-payload", "--dry-run", "--set", 'components={"a": "b"}']) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert "[R020]" in out.err and "components" in out.err and "not started" in out.err


def test_bad_arguments_exit_2_with_one_line(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["run", "okd-scos", "--pipeline", "okd-nope", "--dry-run"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "okd-coreos, okd-release" in err
    assert main(["run", "okd-fcos", "--pipeline", "okd-paylaod", "--dry-run"]) == 2
    assert 'did you mean "okd-payload"?' in capsys.readouterr().err
    assert main(["run", "nope", "--dry-run"]) == 2
    assert main(["run", "okd-scos", "--set", "no-equals", "--dry-run"]) == 2


def test_without_a_reachable_cluster_exit_2_naming_the_context(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    config = tmp_path / "kubeconfig"
    config.write_text(BOGUS_KUBECONFIG)
    monkeypatch.setenv("KUBECONFIG", str(config))
    assert main(["run", "okd-scos"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith('okd-streams: kubectl context "nowhere-ctx" (https://127.0.0.1:1): could not create the run')
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    assert main(["run", "okd-scos"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no current kubectl context" in err


class FakeCluster(cluster.Kubectl):
    """Answers `get` from a script of states: only the following logic is under test here."""

    def __init__(self, states: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__(binary="kubectl-not-run")
        self.context = "test"
        self.states = states
        self.calls = 0

    def get(self, what: list[str], namespace: str) -> dict:
        run_state, tasks = self.states[min(self.calls // 2, len(self.states) - 1)]
        self.calls += 1

        def cond(state: str) -> dict:
            status = {"Succeeded": "True", "Failed": "False"}.get(state, "Unknown")
            return {"status": {"conditions": [{"type": "Succeeded", "status": status, "reason": state}]}}

        if what[0] == "pipelinerun":
            return cond(run_state)
        return {
            "items": [
                {"metadata": {"name": f"r-{t}", "labels": {"tekton.dev/pipelineTask": t}}, **cond(s)} for t, s in tasks
            ]
        }


def test_follow_prints_each_change_once_and_ends_with_the_runs_outcome():
    lines: list[str] = []
    fake = FakeCluster(
        [
            ("Running", [("plan", "Running")]),
            ("Running", [("plan", "Running")]),
            ("Running", [("plan", "Succeeded"), ("batch-1", "Running")]),
            ("Failed", [("plan", "Succeeded"), ("batch-1", "Failed")]),
        ]
    )
    assert cluster.follow(fake, "okd-payload-x", "okd-scos", lines.append, interval=0, sleep=lambda _: None) == 1
    assert lines == [
        "  plan: Running",
        "  plan: Succeeded",
        "  batch-1: Running",
        "  batch-1: Failed",
        "PipelineRun okd-payload-x: Failed",
    ]
    ok = FakeCluster([("Succeeded", [("plan", "Succeeded")])])
    assert cluster.follow(ok, "r", "ns", lines.append, interval=0, sleep=lambda _: None) == 0


def test_a_stream_without_cronjob_is_run_with_a_manual_body(tmp_path):
    """A stream run by hand only (no CronJob): the body one would post, trigger "manual"."""
    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    kustomization = tmp_path / "streams" / "okd-fcos" / "kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text()
        + "patches:\n  - target:\n      kind: CronJob\n    patch: |\n      $patch: delete\n"
        + "      apiVersion: batch/v1\n      kind: CronJob\n      metadata:\n        name: any\n"
    )
    [unit] = stream_units([s for s in discover_streams(tmp_path) if s.name == "okd-fcos"], SourceTree(tmp_path))
    assert unit.build_error is None and not list(unit.of_kind("CronJob"))
    plan = runs.plan(unit)
    assert plan.body == {"pipeline": "okd-coreos", "trigger": "manual"}
    assert runs.plan(unit, "okd-payload").body == {"pipeline": "okd-payload", "trigger": "manual"}
    assert plan.run["metadata"]["labels"]["okd-streams.io/trigger"] == "manual"


def test_the_run_command_is_registered():
    from okd_streams import commands

    assert "run" in dict(commands.NAMES)
    assert Path(REPO / "okd_streams" / "commands" / "run.py").is_file()
