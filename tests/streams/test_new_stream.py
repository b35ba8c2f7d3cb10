"""`okd-streams new` / scripts/new_stream.py on real copies of the repository, real kustomize, real git."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import git
import pytest
import yaml

from okd_streams.cli import main
from okd_streams.config import Config
from okd_streams.lint.checking import check_repository
from okd_streams.render.kustomize import build
from okd_streams.streams import scaffold
from okd_streams.streams.scaffold import naming, write
from tests.conftest import REPO, snapshot

HPC_DESCRIPTION = "RPM packages layered onto the base OS image for HPC nodes."

# A component that adds a required param (no default) and an enum param to okd-coreos.
SITE_COMPONENT = {
    # The component's params have enums: a cluster that turns enable-param-enum on (V005 otherwise).
    ".okd-streams.yaml": "target:\n  tekton-feature-flags:\n    enable-param-enum: true\n",
    "overlays/site/kustomization.yaml": """\
---
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - path: patch-okd-coreos.yaml
""",
    "overlays/site/patch-okd-coreos.yaml": """\
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: okd-coreos
spec:
  params:
    - name: site
      type: string
      description: Data centre the stream builds in.
    - name: flavour
      type: string
      description: Size of the build machines.
      enum:
        - small
        - large
      default: small
    - name: mirrors
      type: object
      description: Mirrors by role.
      properties:
        rpm:
          type: string
        oci:
          type: string
      default:
        rpm: https://rpm.example.com
        oci: quay.io/example
  tasks:
    - name: cosa-init  # the new params are used (K003 reports a new param nothing references)
      when:
        - input: $(params.site)/$(params.flavour)/$(params.mirrors.rpm)
          operator: notin
          values:
            - ""
""",
}


# --------------------------------------------------------------------------------------
# fixtures and helpers


def copy_repo(target: Path, argocd: bool = True) -> Path:
    for folder in ("base", "overlays", "streams", "scripts") + (("argocd",) if argocd else ()):
        shutil.copytree(REPO / folder, target / folder)
    shutil.copy(REPO / ".yamllint", target / ".yamllint")
    return target


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


def add_files(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def state(root: Path) -> tuple[dict[str, bytes], set[str]]:
    """Every file's bytes and every folder (an empty leftover folder counts too)."""
    folders = {
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_dir() and ".git" not in p.relative_to(root).parts
    }
    return snapshot(root), folders


def own_places(root: Path, name: str) -> list[str]:
    """--set values giving a stream copied from this repository's streams release places of its
    own: a copy may not publish where its source does (C010), and `new` refuses to copy them."""
    if not (root / "base/pipelines/okd-release.yaml").is_file():
        return []  # a small fixture tree, with no release Pipeline
    return [
        "--set",
        f"okd-release.target-release-stream=4-{name}-next",
        "--set",
        f"okd-release.release-imagestream=release-{name}-next",
    ]


def own_sets(name: str) -> list[str]:
    """own_places as Request.sets."""
    return [f"okd-release.target-release-stream=4-{name}-next", f"okd-release.release-imagestream=release-{name}-next"]


def new(root: Path, *args: str) -> int:
    """`okd-streams new` without a terminal; the stream gets places of its own unless the test
    gives release values itself."""
    places = (
        []
        if any("target-release-stream" in a or "release-imagestream" in a for a in args)
        else own_places(root, args[0])
    )
    return main(["new", *args, *places, "--root", str(root), "--no-input"])


def card(root: Path, name: str) -> dict:
    return yaml.safe_load((root / "streams" / name / "stream.yaml").read_text())


def params(root: Path, name: str, pipeline: str) -> dict:
    return {p["name"]: p["value"] for p in card(root, name)["spec"]["pipelines"][pipeline]["params"]}


def no_leftovers(root: Path) -> None:
    assert not [p.name for p in (root / "streams").iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------------------
# the Done-when: a new user's first stream


def test_new_hpc_stream_passes_check_and_adds_only_its_folder(root, capsys):
    before = snapshot(root)
    assert new(root, "hpc", "--component", "hpc") == 0
    out = capsys.readouterr().out
    assert "Created streams/hpc/" in out
    after = snapshot(root)
    added = sorted(set(after) - set(before))
    assert added == ["streams/hpc/README.md", "streams/hpc/kustomization.yaml", "streams/hpc/stream.yaml"]
    assert {k: v for k, v in after.items() if k in before} == before  # nothing else changed
    no_leftovers(root)

    report = check_repository(root, Config(), progress=False)
    assert [p for p in report.problems if p.level == "error"] == []
    assert "hpc" in [s.name for s in report.summaries]

    kustomization = yaml.safe_load((root / "streams/hpc/kustomization.yaml").read_text())
    # argocd/'s AppProject only permits okd-* namespaces: the default follows it
    assert kustomization["namespace"] == "okd-hpc"
    assert kustomization["components"] == ["../../base/stream-card", "../../overlays/scos", "../../overlays/hpc"]
    data = card(root, "hpc")
    assert data["metadata"]["name"] == "hpc"
    assert data["spec"]["namespace"] == "okd-hpc"
    assert "hpc" in data["spec"]["description"]
    mine, theirs = params(root, "hpc", "okd-coreos"), params(root, "okd-scos", "okd-coreos")
    # Publishing starts off, and the S3 place is not copied (C010; the Done-when).
    publishing = {"upload-bootimages", "upload-container-images", "tag-latest", "s3-bucket-name", "s3-endpoint-url"}
    assert {k: v for k, v in mine.items() if k not in publishing} == {
        k: v for k, v in theirs.items() if k not in publishing
    }
    assert [mine[k] for k in ("upload-bootimages", "upload-container-images", "tag-latest")] == ["false"] * 3
    assert mine["s3-bucket-name"] == mine["s3-endpoint-url"] == ""
    readme = (root / "streams/hpc/README.md").read_text()
    assert readme.startswith("# hpc\n\n") and "overlays/hpc" in readme and "okd-scos" in readme

    rendered = build(root / "streams/hpc")
    assert rendered.ok
    assert any(
        o.data["kind"] == "Task" and o.data["metadata"]["name"] == "hpc-layer-packages" for o in rendered.objects
    )
    assert {o.data["metadata"].get("namespace") for o in rendered.objects} == {"okd-hpc"}


def test_script_runs_from_the_repository_root(root):
    before = snapshot(root)
    done = subprocess.run(
        [sys.executable, "scripts/new_stream.py", "hpc", "--component", "hpc", *own_places(root, "hpc")],
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Created streams/hpc/" in done.stdout
    assert sorted(set(snapshot(root)) - set(before)) == [
        "streams/hpc/README.md",
        "streams/hpc/kustomization.yaml",
        "streams/hpc/stream.yaml",
    ]
    helped = subprocess.run(
        [sys.executable, "scripts/new_stream.py", "--help"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert helped.returncode == 0 and "--component" in helped.stdout and "--set" in helped.stdout


def test_card_keeps_comments_and_documents_params_it_sets(root):
    assert (
        new(
            root,
            "hpc",
            "--component",
            "hpc",
            "--set",
            "hpc-packages=[openmpi, munge]",
            "--set",
            "version=4.20",
            "--set",
            "okd-release.release-stream=4.20.0-0.okd-scos-nightly",
            "--owner",
            "alice",
            "--owner",
            "hpc-team",
            "--description",
            "HPC nodes for the lab.",
        )
        == 0
    )
    text = (root / "streams/hpc/stream.yaml").read_text()
    source = (root / "streams/okd-scos/stream.yaml").read_text()
    # the source's comments survive the round trip
    assert text.startswith(source.split("apiVersion:")[0])
    assert "- name: version  # OKD minor version built; also the container image tag" in text
    assert "sync: automatic  # automatic | manual (Argo CD)" in text
    # a new param is documented with its description
    assert f"- name: hpc-packages  # {HPC_DESCRIPTION}" in text
    assert max(len(line) for line in text.splitlines()) <= 120
    coreos = params(root, "hpc", "okd-coreos")
    assert coreos["hpc-packages"] == ["openmpi", "munge"]
    assert coreos["version"] == "4.20"  # stays a string
    assert params(root, "hpc", "okd-release")["release-stream"] == "4.20.0-0.okd-scos-nightly"
    assert params(root, "hpc", "okd-coreos")["release-stream"] == "next"  # the other pipeline's is untouched
    spec = card(root, "hpc")["spec"]
    assert spec["owners"] == ["alice", "hpc-team"] and spec["description"] == "HPC nodes for the lab."
    # the values reach the rendered PipelineRun
    rendered = build(root / "streams/hpc")
    template = next(
        o.data
        for o in rendered.objects
        if o.data["kind"] == "TriggerTemplate" and o.data["metadata"]["name"] == "okd-coreos"
    )
    run_params = {p["name"]: p["value"] for p in template["spec"]["resourcetemplates"][0]["spec"]["params"]}
    assert run_params["hpc-packages"] == ["openmpi", "munge"]
    report = check_repository(root, Config(), progress=False)
    assert [p for p in report.problems if p.level == "error"] == []


def test_without_argocd_the_namespace_is_the_name(tmp_path):
    root = copy_repo(tmp_path / "repo", argocd=False)
    assert new(root, "hpc", "--component", "hpc", "--dry-run") == 0
    assert new(root, "hpc", "--component", "hpc") == 0
    assert card(root, "hpc")["spec"]["namespace"] == "hpc"
    assert yaml.safe_load((root / "streams/hpc/kustomization.yaml").read_text())["namespace"] == "hpc"


def test_schedules_namespace_and_from(root):
    assert (
        new(
            root,
            "fcos-lab",
            "--from",
            "okd-fcos",
            "--namespace",
            "okd-lab",
            "--schedule",
            "@daily",
            "--schedule",
            "okd-release=0 7 * * mon",
            # okd-fcos rebuilds the payload: the copy publishes its rebuild elsewhere
            "--set",
            "okd-payload.release-name=4.19.0-fcos-lab.1",
            "--set",
            "okd-payload.release-pushspec=quay.io/lab/fcos-payload",
            "--set",
            "okd-payload.content-pushspec=quay.io/lab/fcos-payload-content",
        )
        == 0
    )
    spec = card(root, "fcos-lab")["spec"]
    assert spec["pipelines"]["okd-coreos"]["schedule"] == "@daily"
    assert spec["pipelines"]["okd-release"]["schedule"] == "0 7 * * mon"
    assert spec["namespace"] == "okd-lab" and spec["sync"] == "manual" and spec["os"] == "fcos"
    assert yaml.safe_load((root / "streams/fcos-lab/kustomization.yaml").read_text())["namespace"] == "okd-lab"
    rendered = build(root / "streams/fcos-lab")
    schedules = {
        o.data["metadata"]["name"]: o.data["spec"]["schedule"] for o in rendered.objects if o.data["kind"] == "CronJob"
    }
    assert schedules == {"okd-coreos": "@daily", "okd-release": "0 7 * * mon", "okd-payload": "@daily"}


def test_object_params_and_enums(root):
    add_files(root, SITE_COMPONENT)
    assert (
        new(
            root,
            "lab",
            "--component",
            "site",
            "--set",
            "site=ams",
            "--set",
            "flavour=large",
            "--set",
            "mirrors={rpm: https://rpm.lab, oci: quay.io/lab}",
        )
        == 0
    )
    coreos = params(root, "lab", "okd-coreos")
    assert coreos["site"] == "ams" and coreos["flavour"] == "large"
    assert coreos["mirrors"] == {"rpm": "https://rpm.lab", "oci": "quay.io/lab"}
    text = (root / "streams/lab/stream.yaml").read_text()
    assert "- name: site  # Data centre the stream builds in." in text


def test_dry_run_prints_and_writes_nothing(root, capsys):
    before = state(root)
    assert new(root, "hpc", "--component", "hpc", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "--- streams/hpc/stream.yaml (new)" in out and "name: hpc" in out and "../../overlays/hpc" in out
    assert "nothing was written" in out
    assert state(root) == before


# --------------------------------------------------------------------------------------
# refusals: exit 2, a message saying what to do, the tree byte-for-byte unchanged


REFUSALS = [
    (["HPC"], "capitals"),
    (["hpc.lab"], "dot"),
    (["streams/hpc"], "path separator"),
    (["../hpc"], "path separator"),
    (["hpc-"], "DNS-1123"),
    (["hpc_lab"], "DNS-1123"),
    (["h" * 64], "at most 63"),
    (["okd-scos"], "already exists"),
    ([""], "empty"),
    (["lab", "--set", "nope=1"], "known params: okd-coreos: "),
    (["lab", "--set", "okd-release.nope=1"], "its params: "),
    (["lab", "--set", "release-stream=x"], "okd-release.release-stream=VALUE"),
    (["lab", "--set", "versionX"], "PARAM=VALUE"),
    (["lab", "--component", "hpc", "--set", "hpc-packages=openmpi"], "of type array: write the value as [a, b]"),
    (["lab", "--component", "hpc", "--set", "hpc-packages=[a, [b]]"], "array of strings"),
    (["lab", "--component", "hpc", "--set", "hpc-packages=[a, b"], "cannot read"),
    (["lab", "--component", "site", "--set", "site=x", "--set", "flavour=huge"], "allows only small, large"),
    (["lab", "--component", "site", "--set", "site=x", "--set", "mirrors=quay.io"], "of type object"),
    (["lab", "--component", "site", "--set", "site=x", "--set", "mirrors={rpm: a}"], "missing: oci"),
    (["lab", "--component", "site"], "okd-coreos.site (string, a string): Data centre the stream builds in."),
    (["lab", "--schedule", "61 * * * *"], "above the maximum 59"),
    (["lab", "--schedule", "0 5 * *"], "expected exactly 5 fields"),
    (["lab", "--schedule", "TZ=UTC 0 5 * * *"], "spec.timeZone"),
    (["lab", "--schedule", "nightly=@daily"], "no pipeline 'nightly'"),
    (["lab", "--component", "nope"], "components: fcos, hpc, local, okd-payload, scos, site"),
    (["lab", "--component", "../base"], "folder in overlays/"),
    (["lab", "--component", "plain"], "not a Component"),
    (["lab", "--namespace", "okd-fcos"], "already used by stream okd-fcos"),
    (["lab", "--namespace", "openshift-lab"], "reserved"),
    (["lab", "--namespace", "Lab"], "capitals"),
    (["lab", "--namespace", "lab"], "AppProject okd-streams"),
    (["h" * 60], "would be 64 characters, over Kubernetes' limit of 63; use at most 59"),
    (["lab", "--from", "nope"], "no such stream; streams: okd-fcos, okd-scos"),
    (["lab", "--owner", " "], "--owner needs a name"),
]


@pytest.mark.parametrize("args,message", REFUSALS, ids=[" ".join(a) or "empty" for a, _ in REFUSALS])
def test_refusals_leave_the_tree_unchanged(root, capsys, args, message):
    add_files(root, SITE_COMPONENT)
    add_files(root, {"overlays/plain/kustomization.yaml": "---\nresources: []\n"})
    before = state(root)
    assert new(root, *args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert state(root) == before


def test_all_bad_values_are_reported_at_once(root, capsys):
    before = state(root)
    assert new(root, "lab", "--set", "nope=1", "--set", "okd-coreos.version=[4, 20]", "--set", "release-stream=x") == 2
    err = capsys.readouterr().err
    assert "'nope'" in err and "okd-release.release-stream=VALUE" in err
    assert state(root) == before


def test_a_stream_that_would_fail_check_is_not_written(root, capsys):
    # A source stream with a local file that breaks a rule: the copy would break it too.
    shutil.copytree(root / "streams/okd-scos", root / "streams/messy")
    (root / "streams/messy/labels.yaml").write_text("---\nlabels:\n  team:   hpc\n")
    before = state(root)
    assert new(root, "lab", "--from", "messy") == 1
    err = capsys.readouterr().err
    assert "streams/lab/labels.yaml:3:" in err and "[Y002]" in err and "nothing was written" in err
    assert ".new-" not in err
    assert state(root) == before


def test_a_stream_that_does_not_build_is_refused(root, capsys):
    add_files(
        root,
        {
            "overlays/broken/kustomization.yaml": "---\napiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
            "resources:\n  - missing.yaml\n",
        },
    )
    before = state(root)
    assert new(root, "lab", "--component", "broken") == 2
    err = capsys.readouterr().err
    assert "does not build with kustomize" in err and ".new-" not in err
    assert state(root) == before


def test_name_bound_follows_the_applicationset(root, capsys):
    add_files(
        root,
        {
            "argocd/applicationset.yaml": """\
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: okd-streams
spec:
  template:
    metadata:
      name: 'okd-stream-{{.path.basename}}'
"""
        },
    )
    assert naming.max_name_length(root) == 63 - len("okd-stream-")
    before = state(root)
    assert new(root, "s" * 53) == 2
    assert "at most 52" in capsys.readouterr().err
    assert state(root) == before


def test_rendered_name_limits():
    from okd_streams.model.objects import Obj

    objects = [
        Obj({"kind": "CronJob", "metadata": {"name": "c" * 53, "namespace": "ns"}}, ""),
        Obj({"kind": "EventListener", "metadata": {"name": "e" * 61, "namespace": "ns"}}, ""),
        Obj({"kind": "Task", "metadata": {"name": "t" * 63, "namespace": "other"}}, ""),
    ]
    problems = naming.object_name_problems(objects, "ns")
    assert any("limit of 52" in p for p in problems)
    assert any("'el-" in p and "limit of 63" in p for p in problems)
    assert any("namespace 'other'" in p for p in problems)
    assert len(problems) == 3


# --------------------------------------------------------------------------------------
# prompts and Ctrl-C


def test_prompts_for_missing_required_values(root):
    add_files(root, SITE_COMPONENT)
    answers = iter(["", "ams"])
    shown: list[str] = []
    request = scaffold.Request("lab", root=root, components=["site"], interactive=True, sets=own_sets("lab"))
    assert scaffold.new(request, out=shown.append, ask=lambda prompt: shown.append(prompt) or next(answers)) == 0
    text = "\n".join(shown)
    assert "okd-coreos.site (string, required)" in text and "Data centre the stream builds in." in text
    assert "a value is required" in text
    assert params(root, "lab", "okd-coreos")["site"] == "ams"
    assert "- name: site  # Data centre the stream builds in." in (root / "streams/lab/stream.yaml").read_text()


def test_prompt_rejects_values_outside_the_enum(root):
    add_files(
        root,
        {
            ".okd-streams.yaml": SITE_COMPONENT[".okd-streams.yaml"],
            "overlays/size/kustomization.yaml": SITE_COMPONENT["overlays/site/kustomization.yaml"],
            "overlays/size/patch-okd-coreos.yaml": SITE_COMPONENT["overlays/site/patch-okd-coreos.yaml"].replace(
                "      default: small\n", ""
            ),
        },
    )
    answers = iter(["ams", "huge", "large"])
    shown: list[str] = []
    request = scaffold.Request("lab", root=root, components=["size"], interactive=True, sets=own_sets("lab"))
    assert scaffold.new(request, out=shown.append, ask=lambda prompt: next(answers)) == 0
    assert "allowed: one of small, large" in "\n".join(shown)
    assert "allows only small, large" in "\n".join(shown)
    assert params(root, "lab", "okd-coreos")["flavour"] == "large"


def test_ctrl_c_at_a_prompt_leaves_nothing(root):
    add_files(root, SITE_COMPONENT)
    before = state(root)

    def interrupt(prompt: str) -> str:
        assert any(p.name.startswith(".new-lab-") for p in (root / "streams").iterdir())  # mid-build
        raise KeyboardInterrupt

    request = scaffold.Request("lab", root=root, components=["site"], interactive=True)
    assert scaffold.new(request, out=lambda _: None, ask=interrupt, err=lambda _: None) == 130
    assert state(root) == before


@pytest.mark.parametrize("step", ["_contract", "_check", "_write"])
def test_ctrl_c_during_any_step_leaves_nothing(root, monkeypatch, capsys, step):
    before = state(root)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scaffold.Scaffolder, step, interrupted)
    assert new(root, "hpc", "--component", "hpc") == 130
    assert "nothing was written" in capsys.readouterr().err
    assert state(root) == before


def test_failure_while_moving_into_place_leaves_nothing(root, monkeypatch, capsys):
    before = state(root)

    def failing_rename(source, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(write.os, "rename", failing_rename)
    assert new(root, "hpc") == 2
    assert state(root) == before


def test_real_terminal_prompt(root):
    """A real pseudo-terminal: the script sees a TTY and asks for the missing value."""
    pty = pytest.importorskip("pty")
    add_files(root, SITE_COMPONENT)
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "scripts/new_stream.py", "lab", "--component", "site", *own_places(root, "lab")],
        cwd=root,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        close_fds=True,
    )
    os.close(secondary)
    seen = b""
    try:
        while b"okd-coreos.site: " not in seen:
            chunk = _read(primary)
            assert chunk, seen.decode(errors="replace")
            seen += chunk
        os.write(primary, b"ams\n")
        while True:
            chunk = _read(primary)
            if not chunk:
                break
            seen += chunk
    finally:
        assert process.wait(timeout=300) == 0, seen.decode(errors="replace")
        os.close(primary)
    assert b"Data centre the stream builds in." in seen
    assert params(root, "lab", "okd-coreos")["site"] == "ams"


def _read(fd: int) -> bytes:
    import select

    ready, _, _ = select.select([fd], [], [], 120)
    if not ready:
        return b""
    try:
        return os.read(fd, 4096)
    except OSError:  # EIO: the child closed the terminal
        return b""


# --------------------------------------------------------------------------------------
# --git


def init_git(root: Path) -> git.Repo:
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test User")
        config.set_value("user", "email", "test@example.com")
        config.set_value("commit", "gpgsign", "false")
    repo.git.add("-A")
    repo.git.commit("-m", "initial", "--no-verify")
    return repo


def test_git_gives_a_branch_with_one_commit_holding_the_folder(root, capsys):
    repo = init_git(root)
    start = repo.head.commit
    assert new(root, "hpc", "--component", "hpc", "--git") == 0
    out = capsys.readouterr().out
    assert "You are now on branch stream/hpc (you were on main)" in out
    assert "git push -u origin stream/hpc" in out
    assert repo.active_branch.name == "stream/hpc"
    head = repo.head.commit
    assert head.message.strip() == "Add stream hpc"
    assert head.parents == (start,)
    changed = sorted(d.b_path for d in start.diff(head))
    assert changed == ["streams/hpc/README.md", "streams/hpc/kustomization.yaml", "streams/hpc/stream.yaml"]
    assert all(d.new_file for d in start.diff(head))
    assert not repo.is_dirty(untracked_files=True)
    assert repo.heads.main.commit == start


def test_git_refuses_a_dirty_tree_and_names_what_is_dirty(root, capsys):
    repo = init_git(root)
    (root / "base/pipelines/okd-coreos.yaml").write_text(
        "---\n# edited\n" + (root / "base/pipelines/okd-coreos.yaml").read_text()
    )
    before = state(root)
    assert new(root, "hpc", "--git") == 2
    err = capsys.readouterr().err
    assert "clean work tree" in err and "base/pipelines/okd-coreos.yaml" in err
    assert state(root) == before
    assert repo.active_branch.name == "main" and [h.name for h in repo.heads] == ["main"]


def test_git_refuses_untracked_files_under_streams_only(root, capsys):
    repo = init_git(root)
    (root / "notes.txt").write_text("scratch\n")  # untracked outside streams/: fine
    (root / "streams/okd-scos/extra.yaml").write_text("---\na: 1\n")
    before = state(root)
    assert new(root, "hpc", "--git") == 2
    err = capsys.readouterr().err
    assert "streams/okd-scos/extra.yaml" in err and "notes.txt" not in err
    assert state(root) == before
    (root / "streams/okd-scos/extra.yaml").unlink()
    assert new(root, "hpc", "--git") == 0
    assert repo.active_branch.name == "stream/hpc"
    assert (root / "notes.txt").exists() and "notes.txt" not in repo.head.commit.stats.files


def test_git_refuses_an_existing_branch(root, capsys):
    repo = init_git(root)
    repo.create_head("stream/hpc")
    before = state(root)
    assert new(root, "hpc", "--git") == 2
    assert "branch stream/hpc already exists" in capsys.readouterr().err
    assert state(root) == before and repo.active_branch.name == "main"


def test_git_refuses_outside_a_repository(root, capsys):
    before = state(root)
    assert new(root, "hpc", "--git") == 2
    assert "not inside a git repository" in capsys.readouterr().err
    assert state(root) == before


def test_git_commit_failure_is_rolled_back(root, capsys):
    repo = init_git(root)
    hook = Path(repo.git_dir) / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = state(root)
    assert new(root, "hpc", "--git") == 2
    assert "git commit failed" in capsys.readouterr().err
    assert state(root) == before
    assert repo.active_branch.name == "main" and [h.name for h in repo.heads] == ["main"]
    assert not repo.is_dirty(untracked_files=True)


def test_ctrl_c_during_git_commit_is_rolled_back(root, monkeypatch):
    repo = init_git(root)
    before = state(root)

    def interrupted(self, repo, plan):
        raise KeyboardInterrupt

    monkeypatch.setattr(scaffold.Scaffolder, "_git_commit", interrupted)
    assert new(root, "hpc", "--git") == 130
    assert state(root) == before
    assert repo.active_branch.name == "main" and [h.name for h in repo.heads] == ["main"]


# --------------------------------------------------------------------------------------
# hostile sources: a broken --from stream is a refusal, never a crash


SCOS_CARD = (REPO / "streams/okd-scos/stream.yaml").read_text()
HOSTILE_CARDS = {
    "not-yaml": "spec: {\n",
    "empty": "",
    "a-list": "---\n- a\n",
    "not-a-card": SCOS_CARD.replace("kind: StreamCard", "kind: ConfigMap"),
    "metadata-string": SCOS_CARD.replace(
        'metadata:\n  name: okd-scos\n  annotations:\n    config.kubernetes.io/local-config: "true"\n', "metadata: x\n"
    ),
    "pipelines-list": "---\napiVersion: okd-streams.io/v1alpha1\nkind: StreamCard\nmetadata:\n  name: x\n"
    "spec:\n  pipelines: [1, 2]\n",
    "pipeline-string": SCOS_CARD.replace(
        '    okd-release:\n      schedule: "0 5 * * 1"\n      params:\n',
        "    okd-release: nope\n    unused:\n      params:\n",
    ),
    "params-string": SCOS_CARD.replace(
        '    okd-release:\n      schedule: "0 5 * * 1"\n      params:\n',
        '    okd-release:\n      schedule: "0 5 * * 1"\n      params: x\n      other:\n',
    ),
    "param-without-name": SCOS_CARD.replace("        - name: version  #", "        - nome: version  #"),
    "param-wrong-type": SCOS_CARD.replace(
        "        - name: branch  # branch of openshift/os to build\n          value: release-4.19\n",
        "        - name: branch\n          value: [a, b]\n",
    ),
    "unknown-param": SCOS_CARD.replace("- name: tag-latest", "- name: tag-latestt"),
    "bad-schedule": SCOS_CARD.replace('schedule: "30 6 * * *"', 'schedule: "30 25 * * *"'),
    "no-schedule": SCOS_CARD.replace('      schedule: "30 6 * * *"\n', ""),
    "binary": "\x00\x01",
    "duplicate-keys": SCOS_CARD.replace("spec:\n", "spec:\n  os: x\n", 1),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_CARDS))
def test_hostile_source_cards_are_refused_cleanly(root, capsys, case):
    shutil.copytree(root / "streams/okd-scos", root / "streams/src")
    (root / "streams/src/stream.yaml").write_text(HOSTILE_CARDS[case])
    before = state(root)
    code = new(root, "lab", "--from", "src", "--set", "version=4.20")
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert "internal error" not in err and "Traceback" not in err and err.strip()
    assert state(root) == before


@pytest.mark.parametrize("text", ["resources: [\n", "---\n- a\n", "---\nresources: 7\ncomponents: x\n", "\x00"])
def test_hostile_source_kustomizations_are_refused_cleanly(root, capsys, text):
    shutil.copytree(root / "streams/okd-scos", root / "streams/src")
    (root / "streams/src/kustomization.yaml").write_text(text)
    before = state(root)
    code = new(root, "lab", "--from", "src", "--component", "hpc")
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert "internal error" not in err and "Traceback" not in err
    assert state(root) == before


def test_sigterm_mid_build_leaves_nothing(root):
    """A real signal to a real process, while it waits at a prompt with the hidden folder built."""
    import signal
    import time

    add_files(root, SITE_COMPONENT)
    before = state(root)
    pty = pytest.importorskip("pty")
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "scripts/new_stream.py", "lab", "--component", "site", *own_places(root, "lab")],
        cwd=root,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        close_fds=True,
    )
    os.close(secondary)
    seen = b""
    try:
        while b"okd-coreos.site: " not in seen:
            chunk = _read(primary)
            assert chunk, seen.decode(errors="replace")
            seen += chunk
        assert any(p.name.startswith(".new-lab-") for p in (root / "streams").iterdir())
        # A signal that lands between the prompt's write and its read() is only seen once read()
        # returns (CPython runs handlers between bytecodes): send it until the process is gone.
        for _ in range(60):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=1)
                break
            except subprocess.TimeoutExpired:
                continue
        assert process.wait(timeout=60) == 130
    finally:
        if process.poll() is None:
            process.kill()
        time.sleep(0.1)
        os.close(primary)
    assert state(root) == before


def test_a_killed_runs_leftover_is_named(root, capsys):
    (root / "streams/.new-old-abc123").mkdir()
    assert new(root, "hpc", "--dry-run") == 0
    assert "streams/.new-old-abc123 is left over" in capsys.readouterr().out


# --------------------------------------------------------------------------------------
# destinations: a new stream never publishes where its source does (issue 18)


def test_without_a_terminal_new_lists_the_destinations_it_would_copy(root, capsys):
    before = state(root)
    assert main(["new", "hpc", "--root", str(root), "--no-input"]) == 2
    err = capsys.readouterr().err
    assert "okd-release.target-release-stream: okd-scos's value '4-scos-next'" in err
    assert "okd-release.release-imagestream: okd-scos's value 'release-scos-next'" in err
    assert state(root) == before


def test_a_set_value_that_is_the_sources_place_is_refused(root, capsys):
    before = state(root)
    args = ["--set", "target-release-stream=4-scos-next", "--set", "release-imagestream=release-hpc-next"]
    assert main(["new", "hpc", *args, "--root", str(root), "--no-input"]) == 2
    assert "that is where okd-scos publishes its release stream on the release controller" in capsys.readouterr().err
    assert state(root) == before


def test_new_values_pass_check_and_nothing_names_the_sources_places(root):
    assert new(root, "hpc") == 0
    text = (root / "streams/hpc/stream.yaml").read_text()
    for copied in ("4-scos-next", "release-scos-next", "okd-scos\n"):
        assert copied not in text
    report = check_repository(root, Config(), progress=False)
    assert [p for p in report.problems if p.level == "error"] == []


def test_a_switch_set_on_needs_its_place_too(root, capsys):
    assert new(root, "hpc", "--set", "upload-bootimages=true") == 2
    err = capsys.readouterr().err
    assert "okd-coreos.s3-bucket-name: okd-scos's value 'okd-scos' names its S3 builds and boot images" in err
    assert new(root, "hpc", "--set", "upload-bootimages=true", "--set", "s3-bucket-name=okd-hpc") == 0
    assert params(root, "hpc", "okd-coreos")["upload-bootimages"] == "true"


def test_the_terminal_asks_for_each_place_and_refuses_the_sources(root):
    answers = iter(["4-scos-next", "4-hpc-next", "release-hpc-next"])
    shown: list[str] = []
    request = scaffold.Request("hpc", root=root, interactive=True)
    assert scaffold.new(request, out=shown.append, ask=lambda prompt: next(answers)) == 0
    text = " ".join(" ".join(shown).split())  # prompts are wrapped
    assert "okd-scos uses '4-scos-next': give another value" in text
    assert "that is okd-scos's; the new stream needs its own" in text
    assert params(root, "hpc", "okd-release")["target-release-stream"] == "4-hpc-next"


def test_a_copy_with_only_name_and_namespace_changed_fails_check(root, capsys):
    shutil.copytree(root / "streams/okd-scos", root / "streams/okd-copy")
    for name in ("kustomization.yaml", "stream.yaml"):
        path = root / "streams/okd-copy" / name
        path.write_text(
            path.read_text()
            .replace("namespace: okd-scos", "namespace: okd-copy")
            .replace("name: okd-scos", "name: okd-copy")
        )
    assert main(["check", "--root", str(root), "--no-cache"]) == 1
    out = capsys.readouterr().out
    line = next(
        line for line in out.splitlines() if line.startswith("streams/okd-copy/stream.yaml") and "[C010]" in line
    )
    assert (
        "stream okd-copy publishes to the same place as stream okd-scos" in line and "s3-bucket-name=okd-scos" in line
    )
    assert any(line.startswith("streams/okd-scos/stream.yaml") and "[C010]" in line for line in out.splitlines())


def test_a_long_description_is_folded_within_the_line_length(root):
    description = "A long sentence about this stream, " * 6 + "and its purpose."
    assert new(root, "hpc", "--description", description) == 0
    text = (root / "streams/hpc/stream.yaml").read_text()
    assert max(len(line) for line in text.splitlines()) <= 100
    assert card(root, "hpc")["spec"]["description"] == description
