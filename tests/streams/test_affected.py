"""`okd-streams affected` and `check --since/--staged`, on real temporary git repositories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from okd_streams.cli import main
from okd_streams.files.git import Change, Git
from okd_streams.render import kustomization as kz
from okd_streams.streams.affected import compute
from tests.gitrepo import commit_all, edit, streams_repo

ALL = ["okd-fcos", "okd-scos"]
BASE_PIPELINE = "base/pipelines/okd-coreos.yaml"
MATRIX_DEFAULT = "      default: https://matrix-client.matrix.org"


def affected_json(root: Path, capsys, monkeypatch, *args: str) -> dict:
    monkeypatch.chdir(root)
    code = main(["affected", *args, "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def names(data: dict, status: str | None = None) -> list[str]:
    return [s["name"] for s in data["streams"] if status is None or s["status"] == status]


@pytest.fixture
def repo(tmp_path):
    return streams_repo(tmp_path)


def test_one_stream_edited_affects_only_it(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    edit(root / "streams/okd-scos/stream.yaml", "value: release-4.19", "value: release-4.20")
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert names(data) == ["okd-scos"]
    assert data["streams"][0]["status"] == "changed"
    assert data["streams"][0]["reasons"] == ["streams/okd-scos/stream.yaml (modified), stream card"]
    monkeypatch.chdir(root)
    assert main(["affected", "--since", "main", "--format", "names"]) == 0
    assert capsys.readouterr().out == "okd-scos\n"


def test_a_stream_readme_affects_only_that_stream(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    (root / "streams/okd-fcos/README.md").write_text("# okd-fcos\n\nNew words.\n")
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert names(data) == ["okd-fcos"]
    assert data["streams"][0]["reasons"] == ["streams/okd-fcos/README.md (modified), stream folder"]


def test_a_base_param_default_affects_every_stream(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    edit(root / BASE_PIPELINE, MATRIX_DEFAULT, "      default: https://matrix.example.org")
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert names(data) == ALL
    for stream in data["streams"]:
        assert stream["reasons"] == [f"{BASE_PIPELINE} (modified), via base"]


def test_a_component_change_affects_only_the_streams_using_it(tmp_path, capsys, monkeypatch):
    repo = streams_repo(tmp_path)
    root = Path(repo.working_tree_dir)
    edit(
        root / "streams/okd-fcos/kustomization.yaml",
        "  - ../../overlays/fcos\n",
        "  - ../../overlays/fcos\n  - ../../overlays/hpc\n",
    )
    commit_all(repo, "fcos gets hpc")
    edit(root / "overlays/hpc/patch-okd-coreos.yaml", "        - munge\n", "        - munge\n        - pmix\n")
    assert names(affected_json(root, capsys, monkeypatch, "--since", "HEAD")) == ["okd-fcos"]
    repo.git.checkout("--", ".")
    (root / "overlays/scos/patch-okd-coreos.yaml").write_text(
        (root / "overlays/scos/patch-okd-coreos.yaml").read_text() + "# a comment\n"
    )
    data = affected_json(root, capsys, monkeypatch, "--since", "HEAD")
    assert names(data) == ["okd-scos"]
    assert data["streams"][0]["reasons"] == ["overlays/scos/patch-okd-coreos.yaml (modified), via overlays/scos"]


def test_a_change_outside_every_closure_affects_none(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    (root / "README.md").write_text("# notes\n")
    (root / "overlays/hpc/README.md").write_text("no stream uses hpc yet\n")
    (root / "base/tasks/unused-task.yaml").write_text("kind: Task\n")  # not named by base/kustomization.yaml
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert data["streams"] == []
    assert data["outside"] == ["README.md", "base/tasks/unused-task.yaml", "overlays/hpc/README.md"]
    monkeypatch.chdir(root)
    assert main(["affected", "--since", "main"]) == 0
    out = capsys.readouterr().out
    assert "no stream is affected by the changes since main" in out
    assert "read by no stream's build: README.md" in out


def test_a_deleted_stream_is_reported_as_removed(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    repo.git.rm("-r", "-q", "streams/okd-fcos")
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert names(data) == ["okd-fcos"] and names(data, "removed") == ["okd-fcos"]
    monkeypatch.chdir(root)
    main(["affected", "--since", "main"])
    out = capsys.readouterr().out
    assert "no stream is affected" in out and "removed: okd-fcos" in out


def test_a_new_stream_is_added(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    shutil.copytree(root / "streams/okd-scos", root / "streams/okd-hpc")
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert names(data) == ["okd-hpc"]  # untracked files count: the working tree is what is compared
    assert names(data, "added") == ["okd-hpc"]


def test_a_renamed_stream_is_removed_and_added(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    repo.git.mv("streams/okd-fcos", "streams/okd-fcos-next")
    commit_all(repo, "rename")
    data = affected_json(root, capsys, monkeypatch, "--since", "main~1")
    statuses = {s["name"]: s["status"] for s in data["streams"]}
    assert statuses == {"okd-fcos": "removed", "okd-fcos-next": "added"}


def test_a_renamed_base_file_affects_every_stream(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    repo.git.mv("base/tasks/cosa-test.yaml", "base/tasks/cosa-kola-test.yaml")
    edit(root / "base/kustomization.yaml", "tasks/cosa-test.yaml", "tasks/cosa-kola-test.yaml")
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert names(data) == ALL
    reasons = data["streams"][0]["reasons"]
    assert "base/tasks/cosa-kola-test.yaml (renamed from base/tasks/cosa-test.yaml), via base" in reasons


def test_a_deleted_file_still_named_by_the_base_affects_every_stream(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    (root / "base/tasks/cosa-test.yaml").unlink()
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert names(data) == ALL
    assert data["streams"][1]["reasons"] == ["base/tasks/cosa-test.yaml (deleted), via base"]


def test_generator_files_and_folders_are_in_the_closure(tmp_path, capsys, monkeypatch):
    extra = {
        "overlays/notes/kustomization.yaml": (
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n"
            "  - name: notes\n    files:\n      - notes.txt\n      - extra=more/extra.txt\n"
            "    envs:\n      - settings.env\n"
        ),
        "overlays/notes/notes.txt": "hello\n",
        "overlays/notes/more/extra.txt": "more\n",
        "overlays/notes/settings.env": "A=1\n",
    }
    repo = streams_repo(tmp_path, extra)
    root = Path(repo.working_tree_dir)
    edit(
        root / "streams/okd-scos/kustomization.yaml",
        "  - ../../overlays/scos\n",
        "  - ../../overlays/scos\n  - ../../overlays/notes\n",
    )
    commit_all(repo, "notes")
    for changed in ("overlays/notes/notes.txt", "overlays/notes/more/extra.txt", "overlays/notes/settings.env"):
        (root / changed).write_text("changed\n")
        data = affected_json(root, capsys, monkeypatch, "--since", "HEAD")
        assert names(data) == ["okd-scos"], changed
        assert data["streams"][0]["reasons"] == [f"{changed} (modified), via overlays/notes"]
        repo.git.checkout("--", ".")


def test_closure_reads_files_of_folders_read_whole(tmp_path):
    (tmp_path / "charts/x").mkdir(parents=True)
    (tmp_path / "charts/x/values.yaml").write_text("a: 1\n")
    (tmp_path / "kustomization.yaml").write_text("helmGlobals:\n  chartHome: charts\nresources: [gone]\n")
    graph = kz.closure(tmp_path)
    assert graph.reads(tmp_path / "charts/x/values.yaml")
    assert graph.reads(tmp_path / "charts/x/new-file.yaml"), "a file added to a folder read whole"
    assert graph.reads(tmp_path / "gone/kustomization.yaml"), "inside a named folder that no longer exists"
    assert not graph.reads(tmp_path / "other.yaml")


def test_argocd_changes_affect_no_stream_but_say_so(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    (root / "argocd").mkdir()
    (root / "argocd/applicationset.yaml").write_text("kind: ApplicationSet\n")
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert data["streams"] == [] and data["argocd"] == ["argocd/applicationset.yaml"]
    monkeypatch.chdir(root)
    main(["affected", "--since", "main"])
    assert "`okd-streams check` still checks the Argo CD files" in capsys.readouterr().out


def test_staged_counts_only_the_index(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    edit(root / "streams/okd-scos/stream.yaml", "value: release-4.19", "value: release-4.20")
    repo.git.add("streams/okd-scos/stream.yaml")
    edit(root / BASE_PIPELINE, MATRIX_DEFAULT, "      default: https://matrix.example.org")  # not staged
    assert names(affected_json(root, capsys, monkeypatch, "--staged")) == ["okd-scos"]


def test_staged_in_a_repository_without_commits(tmp_path, capsys, monkeypatch):
    from tests.gitrepo import init

    shutil.copytree(Path(__file__).resolve().parents[2] / "base", tmp_path / "base")
    shutil.copytree(Path(__file__).resolve().parents[2] / "streams", tmp_path / "streams")
    shutil.copytree(Path(__file__).resolve().parents[2] / "overlays", tmp_path / "overlays")
    repo = init(tmp_path)
    repo.git.add("-A")
    assert names(affected_json(tmp_path, capsys, monkeypatch, "--staged")) == ALL


def test_merge_base_compares_with_the_fork_point(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    repo.git.checkout("-q", "-b", "topic")
    edit(root / "streams/okd-scos/stream.yaml", "value: release-4.19", "value: release-4.20")
    commit_all(repo, "topic change")
    repo.git.checkout("-q", "main")
    edit(root / "streams/okd-fcos/stream.yaml", "okd-fcos", "okd-fcos", 1)
    (root / "streams/okd-fcos/README.md").write_text("main moved on\n")
    commit_all(repo, "main moves on")
    repo.git.checkout("-q", "topic")
    assert names(affected_json(root, capsys, monkeypatch, "--since", "main")) == ALL
    assert names(affected_json(root, capsys, monkeypatch, "--since", "main", "--merge-base")) == ["okd-scos"]


def test_a_subfolder_repository_maps_paths(tmp_path):
    from tests.gitrepo import init

    project = tmp_path / "deploy" / "okd"
    for folder in ("base", "overlays", "streams"):
        shutil.copytree(Path(__file__).resolve().parents[2] / folder, project / folder)
    (tmp_path / "other.txt").write_text("x\n")
    repo = init(tmp_path)
    commit_all(repo, "init")
    (project / "streams/okd-fcos/README.md").write_text("changed\n")
    (tmp_path / "other.txt").write_text("y\n")
    git = Git(project)
    changes = git.changes("HEAD")
    assert changes == [Change("streams/okd-fcos/README.md", "M")]
    assert compute(project, changes).names == ["okd-fcos"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "no-such-branch"], "unknown revision 'no-such-branch'"),
        (["--since=-oops"], "not a revision"),
        (["--staged", "--merge-base"], "--merge-base needs --since"),
    ],
)
def test_bad_revisions_are_usage_errors(repo, capsys, monkeypatch, args, message):
    monkeypatch.chdir(repo.working_tree_dir)
    assert main(["affected", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err


def test_outside_git_is_a_usage_error(tmp_path, capsys, monkeypatch):
    for folder in ("base", "streams"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["affected", "--since", "main"]) == 2
    assert "not inside a git repository" in capsys.readouterr().err


# -- check --since / --staged / --files ----------------------------------------------------------


def run_check(root: Path, capsys, monkeypatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(root)
    code = main(["check", *args])
    return code, capsys.readouterr().out


def test_check_since_checks_only_the_affected_stream(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    edit(root / "streams/okd-scos/stream.yaml", "value: release-4.19", "value: release-4.20")
    code, out = run_check(root, capsys, monkeypatch, "--since", "main")
    assert code == 0, out
    assert "checking 1 stream affected by the changes since main: okd-scos" in out
    assert "okd-scos" in out and "okd-fcos " not in out
    assert "1 streams checked: 0 errors" in out


def test_check_since_with_nothing_affected_says_so_and_passes(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    (root / "README.md").write_text("# notes\n")
    code, out = run_check(root, capsys, monkeypatch, "--since", "main")
    assert code == 0
    assert "no stream is affected by the changes since main" in out
    assert "0 streams checked: 0 errors" in out


def test_check_since_still_checks_changed_files_outside_streams(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    (root / "argocd").mkdir()
    (root / "argocd/project.yml").write_text("---\nkind: AppProject\nmetadata:\n  name: project\n")
    code, out = run_check(root, capsys, monkeypatch, "--since", "main")
    assert code == 1
    assert "argocd/ changed: no stream is affected" in out
    assert "argocd/project.yml:1:1: error" in out and "[S004]" in out


def test_check_since_fails_on_a_broken_affected_stream_only(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    edit(root / "streams/okd-fcos/kustomization.yaml", "  - stream.yaml\n", "  - stream.yaml\n  - missing.yaml\n")
    code, out = run_check(root, capsys, monkeypatch, "--since", "main", "--format", "json")
    assert code == 1
    problems = json.loads(out)
    assert {p["stream"] for p in problems} == {"okd-fcos"}
    assert any(p["code"] == "K001" for p in problems)


def test_check_since_checks_everything_when_the_checks_change(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    (root / ".yamllint").write_text((root / ".yamllint").read_text() + "# tweak\n")
    code, out = run_check(root, capsys, monkeypatch, "--since", "main")
    assert code == 0
    assert "the checks themselves changed since main (.yamllint): checking every stream" in out
    assert "2 streams checked" in out


def test_check_staged_and_files(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    edit(root / "streams/okd-fcos/kustomization.yaml", "  - stream.yaml\n", "  - stream.yaml\n  - missing.yaml\n")
    code, out = run_check(root, capsys, monkeypatch, "--staged")
    assert code == 0 and "0 streams checked" in out, "the broken file is not staged"
    repo.git.add("-A")
    code, out = run_check(root, capsys, monkeypatch, "--staged")
    assert code == 1 and "1 streams checked: 1 errors" in out
    code, out = run_check(root, capsys, monkeypatch, "--files", "streams/okd-scos/stream.yaml")
    assert code == 0 and "okd-scos" in out and "1 streams checked" in out


def test_check_rejects_streams_with_since(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo.working_tree_dir)
    assert main(["check", "okd-scos", "--since", "main"]) == 2
    assert "not both" in capsys.readouterr().err


def test_hostile_trees_and_names_never_crash(repo, capsys, monkeypatch):
    root = Path(repo.working_tree_dir)
    (root / "streams/okd-scos/loop").symlink_to("loop")  # a symlink to itself
    (root / "streams/okd-fcos/new\nline ü.yaml").write_text("a: 1\n")
    (root / "overlays/scos/kustomization.yaml").write_text("resources: [\x00, {a: b}, 3]\npatches: nope\n")
    (root / "base/kustomization.yaml").write_text("- just\n- a list\n")
    data = affected_json(root, capsys, monkeypatch, "--since", "main")
    assert names(data) == ALL
    code, out = run_check(root, capsys, monkeypatch, "--since", "main", "--format", "json")
    assert code == 1 and json.loads(out)
    monkeypatch.chdir(root)
    assert main(["check", "--files", "streams/okd-scos/loop", "/etc/passwd", "no/such/file.yaml"]) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err
