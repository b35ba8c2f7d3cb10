"""`okd-streams lint` on foreign trees: which style it holds them to, and linting in workers."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from okd_streams.config import Config
from okd_streams.files import loader as yamlio
from okd_streams.files import read
from okd_streams.lint import linting
from okd_streams.model.repo import SourceTree
from tests.conftest import write_tree

# Indented by four: yamllint's indentation rule reports it under every configuration used here.
BADLY_INDENTED = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
    name: build
spec:
  steps: [{name: build, image: "alpine:3.20", script: "make"}]
"""


def lint_codes(root: Path, config: Config | None = None) -> list[str]:
    return [p.code for p in linting.lint_paths([root], config or Config(), progress=False, cache=False).problems]


def test_foreign_tree_without_yamllint_settings_is_not_held_to_a_style(tmp_path, monkeypatch):
    monkeypatch.chdir(write_tree(tmp_path, {"task.yaml": BADLY_INDENTED}))
    assert "Y002" not in lint_codes(tmp_path)


@pytest.mark.parametrize("name", [".yamllint", ".yamllint.yaml", ".yamllint.yml"])
def test_foreign_tree_with_its_own_yamllint_settings_gets_them(tmp_path, monkeypatch, name):
    write_tree(
        tmp_path, {name: "extends: default\nrules:\n  document-start: disable\n", "tasks/task.yaml": BADLY_INDENTED}
    )
    monkeypatch.chdir(tmp_path)
    assert "Y002" in lint_codes(tmp_path / "tasks")  # found by walking up from the linted path


def test_strict_conventions_apply_the_shipped_style_to_a_foreign_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(write_tree(tmp_path, {"task.yaml": BADLY_INDENTED}))
    assert "Y002" in lint_codes(tmp_path, Config(conventions="strict"))


def task(name: str, body: str = "") -> str:
    return (
        f"apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: {name}\nspec:\n"
        f"  params:\n    - name: url\n  steps:\n    - name: run\n      image: alpine:3.20\n"
        f"      script: echo $(params.url) {body}\n"
    )


def many_sets(root: Path, count: int, rendered: bool = True) -> list[Path]:
    """`count` folders, each its own lint set: clean tasks, broken references, bad YAML; with
    `rendered`, every fourth renders its Task and Pipeline with kustomize (the rest of its
    files are loose)."""
    for index in range(count):
        folder = root / f"set{index:02d}"
        if rendered and index % 4 == 1:
            write_tree(folder, {"kustomization.yaml": "resources:\n  - task.yaml\n  - pipeline.yaml\n"})
        write_tree(
            folder,
            {
                "task.yaml": task(f"task-{index}"),
                "broken.yaml": task(f"broken-{index}", "$(params.missing)"),  # T020: an undeclared param
                "pipeline.yaml": (
                    f"apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: p-{index}\n"
                    f"spec:\n  tasks:\n    - name: a\n      taskRef:\n        name: task-{index}\n"
                ),
                "syntax.yaml": "key: [unclosed\n"
                if index % 3 == 0
                else f"kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: c{index}\n",
            },
        )
    return sorted(root.iterdir())


def test_workers_find_exactly_what_one_process_finds(tmp_path, monkeypatch):
    paths = many_sets(tmp_path, 12)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OKD_STREAMS_JOBS", "1")
    alone = linting.lint_paths(paths, Config(), progress=False, cache=False, keep_units=False).problems
    monkeypatch.setenv("OKD_STREAMS_JOBS", "2")
    monkeypatch.setattr(linting, "PARALLEL_MIN_FILES", 0)
    real_answer_group = linting._answer_group

    def noting_the_process(*args):  # runs in a worker: tells the test through a file
        with open(tmp_path / "answered-by", "a", encoding="utf-8") as note:
            note.write(f"{os.getpid()}\n")
        return real_answer_group(*args)

    monkeypatch.setattr(linting, "_answer_group", noting_the_process)
    together = linting.lint_paths(paths, Config(), progress=False, cache=False, keep_units=False).problems
    answered_by = set((tmp_path / "answered-by").read_text(encoding="utf-8").split())
    assert answered_by and str(os.getpid()) not in answered_by, "the workers were not used"
    assert {p.code for p in alone} >= {"Y001", "T020", "R010", "S003"}  # unit, file and cross-object rules
    assert any(p.path == "set01/pipeline.yaml" and p.code == "R010" for p in alone)  # found in a render
    assert together == alone


def test_cli_lint_in_workers_writes_the_same_report_and_cache(tmp_path):
    """Through the command line, past the size where workers start: same JSON, cache shared."""
    paths = many_sets(tmp_path / "tree", 20)  # 80 files
    assert sum(1 for _ in (tmp_path / "tree").rglob("*.yaml")) >= linting.PARALLEL_MIN_FILES

    def lint(jobs: str, cache: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "OKD_STREAMS_JOBS": jobs, "OKD_STREAMS_CACHE_DIR": str(tmp_path / cache)}
        return subprocess.run(
            [sys.executable, "-m", "okd_streams.cli", "lint", "--format", "json", *map(str, paths)],
            cwd=tmp_path / "tree",
            env=env,
            capture_output=True,
            text=True,
        )

    one = lint("1", "cache-one")
    two = lint("2", "cache-two")
    assert one.returncode == two.returncode == 1, two.stderr
    assert json.loads(two.stdout) == json.loads(one.stdout)
    stored = sorted(p.relative_to(tmp_path / "cache-two") for p in (tmp_path / "cache-two").rglob("*") if p.is_file())
    assert stored == sorted(
        p.relative_to(tmp_path / "cache-one") for p in (tmp_path / "cache-one").rglob("*") if p.is_file()
    )
    again = lint("2", "cache-two")  # answered from what the workers stored
    assert json.loads(again.stdout) == json.loads(one.stdout)


def test_a_file_edited_while_it_is_linted_is_seen_by_the_next_run(tmp_path, monkeypatch):
    """A loose file is hashed and parsed from one read: what is stored is keyed by what was
    linted, and an edit made meanwhile is a new key. Files kustomize reads on its own are
    read twice: a set whose render read an edited file stores nothing."""
    paths = many_sets(tmp_path / "tree", 2)  # set00 loose files only; set01 renders task.yaml
    monkeypatch.chdir(tmp_path / "tree")
    monkeypatch.setenv("OKD_STREAMS_CACHE_DIR", str(tmp_path / "cache"))
    real_lint_set = linting._lint_set

    def lint_then_edit(run, lint_set):
        found = real_lint_set(run, lint_set)
        index = int(lint_set.path.name[3:])
        edited = "broken.yaml" if index == 0 else "task.yaml"
        (lint_set.path / edited).write_text(task(f"edited-{index}"), encoding="utf-8")  # now clean
        return found

    monkeypatch.setattr(linting, "_lint_set", lint_then_edit)
    first = linting.lint_paths(paths, Config(), progress=False, keep_units=False).problems
    assert {p.path for p in first if p.code == "T020"} == {"set00/broken.yaml", "set01/broken.yaml"}
    assert stored_sets(tmp_path / "cache") == 1, "set00's problems, under its content as linted; set01 not at all"
    monkeypatch.setattr(linting, "_lint_set", real_lint_set)
    second = linting.lint_paths(paths, Config(), progress=False, keep_units=False).problems
    assert {p.path for p in second if p.code == "T020"} == {"set01/broken.yaml"}, "set00's edit is seen"
    assert stored_sets(tmp_path / "cache") == 3
    assert linting.lint_paths(paths, Config(), progress=False, keep_units=False).problems == second


def stored_sets(cache: Path) -> int:
    """How many lint sets the cache folder holds (one SQLite table, okd_streams.render.store)."""
    table = cache / f"{linting.SET_KIND}.sqlite"
    if not table.exists():
        return 0
    with closing(sqlite3.connect(table)) as connection:
        return connection.execute("SELECT COUNT(*) FROM entries").fetchone()[0]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_broken_yamllint_configuration_stops_the_run_with_exit_2(tmp_path, jobs):
    many_sets(tmp_path, 20)  # enough files for workers when jobs is 2
    (tmp_path / ".yamllint").write_text("extends: no-such-configuration\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "okd_streams.cli", "lint", *sorted(map(str, tmp_path.glob("set*")))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "OKD_STREAMS_JOBS": jobs, "OKD_STREAMS_CACHE_DIR": str(tmp_path / "c")},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "invalid yamllint configuration" in done.stderr and "Traceback" not in done.stderr


def test_files_with_equal_text_are_parsed_once_and_each_reported_at_its_own_place(tmp_path, monkeypatch):
    same = task("shared", "$(params.missing)")
    write_tree(tmp_path, {"v1/shared.yaml": same, "v2/shared.yaml": same, "v2/other.yaml": task("other")})
    monkeypatch.chdir(tmp_path)
    parses = []
    real_parse = yamlio.parse_text
    monkeypatch.setattr(
        yamlio, "parse_text", lambda text, path="<string>": parses.append(path) or real_parse(text, path)
    )
    problems = linting.lint_paths([tmp_path / "v1", tmp_path / "v2"], Config(), progress=False, cache=False).problems
    assert sorted(parses) == ["v1/shared.yaml", "v2/other.yaml"]
    assert sorted(p.path for p in problems if p.code == "T020") == ["v1/shared.yaml", "v2/shared.yaml"]
    tree = SourceTree(tmp_path)
    first, second = tree.file(tmp_path / "v1/shared.yaml"), tree.file(tmp_path / "v2/shared.yaml")
    assert (first.path, second.path) == ("v1/shared.yaml", "v2/shared.yaml")
    assert [d.path for d in second.documents] == ["v2/shared.yaml"]
    assert second.documents[0].data is first.documents[0].data  # shared, read-only


def test_sets_in_one_folder_are_shared_out_and_a_tasks_versions_kept_together(tmp_path):
    streams = [
        linting.LintSet(tmp_path / "streams" / f"s{i:02d}", files=[Path(f"f{j}") for j in range(4)]) for i in range(40)
    ]  # `lint streams/*`: every set in one folder
    groups = linting.work_order(streams, jobs=2)
    assert len(groups) >= 8, "all in one group would leave the other worker idle"
    assert sorted(i for group in groups for i in group) == list(range(40))
    versions = [
        linting.LintSet(tmp_path / "task" / f"task-{name:02d}" / version, files=[Path("a"), Path("b")])
        for name in range(30)
        for version in ("0.1", "0.2", "0.3")
    ]  # a catalog
    groups = linting.work_order(versions, jobs=2)
    assert sorted(sorted(group) for group in groups) == [[i, i + 1, i + 2] for i in range(0, 90, 3)]


def test_a_cold_lint_reads_each_file_once_for_its_key_and_its_parse(tmp_path, monkeypatch):
    paths = many_sets(tmp_path / "tree", 3, rendered=False)
    monkeypatch.chdir(tmp_path / "tree")
    monkeypatch.setenv("OKD_STREAMS_CACHE_DIR", str(tmp_path / "cache"))
    opened = []
    real_open = os.open

    def counting_open(path, *args, **kwargs):
        opened.append(os.path.basename(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    monkeypatch.setattr(read, "read_limited", lambda path: pytest.fail(f"{path} read a second time"))
    cold = linting.lint_paths(paths, Config(), progress=False, keep_units=False).problems
    yaml_files = [p.name for p in (tmp_path / "tree").rglob("*.yaml")]
    assert sorted(name for name in opened if name.endswith(".yaml")) == sorted(yaml_files)
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path / "tree")
    monkeypatch.setenv("OKD_STREAMS_CACHE_DIR", str(tmp_path / "cache"))
    assert linting.lint_paths(paths, Config(), progress=False, keep_units=False).problems == cold
    assert stored_sets(tmp_path / "cache") == 3


def test_one_walk_finds_what_walk_yaml_and_symlinks_find(tmp_path):
    """plan lists a set's YAML files and its symlinks in one pass; the two walks it replaces
    are the reference, on a tree with every kind of entry they treat apart."""
    from okd_streams.model.repo import symlinks, walk_tree, walk_yaml

    outside = tmp_path / "outside"
    write_tree(outside, {"secret.yaml": "a: 1\n", "dir/x.yaml": "b: 2\n"})
    root = tmp_path / "tree"
    write_tree(
        root,
        {
            "a.yaml": "a: 1\n",
            "b.yml": "b: 1\n",
            "Kustomization": "resources: []\n",
            "notes.txt": "x\n",
            "sub/c.yaml": "c: 1\n",
            "sub/deeper/d.yaml": "d: 1\n",
            ".hidden/e.yaml": "e: 1\n",
            ".hidden/inner/f.yaml": "f: 1\n",
            ".tekton/run.yaml": "g: 1\n",
            "node_modules/pkg/h.yaml": "h: 1\n",
            ".git/config.yaml": "i: 1\n",
        },
    )
    (root / "link.yaml").symlink_to(outside / "secret.yaml")
    (root / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (root / "linked-dir").symlink_to(outside / "dir")
    (root / "sub" / "text-link").symlink_to(outside / "secret.yaml")
    (root / ".hidden" / "hidden-link").symlink_to(outside)
    (root / "node_modules" / "skipped-link").symlink_to(outside)
    (root / "whole").symlink_to(root / "sub")
    for folder in (root, root / "sub", root / ".hidden", root / "whole", root / "link.yaml"):
        assert walk_tree(folder) == (walk_yaml(folder), symlinks(folder)), folder
    yaml_files, links = walk_tree(root)
    assert {p.name for p in yaml_files} == {
        "a.yaml",
        "b.yml",
        "Kustomization",
        "c.yaml",
        "d.yaml",
        "run.yaml",
        "link.yaml",
        "dangling.yaml",
    }
    assert {p.name for p in links} == {"link.yaml", "dangling.yaml", "linked-dir", "text-link", "hidden-link", "whole"}


@pytest.mark.parametrize("damage", [b"garbage, not a database\n" * 100, b"SQLite format 3\x00" + b"\x13" * 8000])
def test_a_damaged_sets_table_is_replaced_and_the_report_is_the_same(tmp_path, damage):
    paths = many_sets(tmp_path / "tree", 20, rendered=False)  # workers, when the machine has two cores
    environment = {**os.environ, "OKD_STREAMS_CACHE_DIR": str(tmp_path / "cache")}

    def lint() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "okd_streams", "lint", "--format", "json", *map(str, paths)],
            cwd=tmp_path / "tree",
            env=environment,
            capture_output=True,
            text=True,
        )

    first = lint()
    (tmp_path / "cache" / f"{linting.SET_KIND}.sqlite").write_bytes(damage)
    for suffix in ("-wal", "-shm"):
        (tmp_path / "cache" / f"{linting.SET_KIND}.sqlite{suffix}").unlink(missing_ok=True)
    second = lint()
    assert second.returncode == first.returncode == 1 and second.stderr == "", second.stderr
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert stored_sets(tmp_path / "cache") == 20, "made again"


def test_yamllint_runs_again_only_on_the_files_that_changed(tmp_path, monkeypatch):
    """Y002's findings are kept per file by the lint flow (the rule never sees the cache):
    after an edit, its set is linted again but the unchanged files' yamllint results are reused."""
    from okd_streams.rules.style import yamllint_style

    root = tmp_path / "tree"
    write_tree(
        root,
        {
            ".yamllint": "extends: default\nrules:\n  document-start: disable\n",
            "a.yaml": BADLY_INDENTED,
            "b.yaml": BADLY_INDENTED.replace("build", "test"),
        },
    )
    monkeypatch.chdir(root)
    monkeypatch.setenv("OKD_STREAMS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OKD_STREAMS_NO_CACHE", raising=False)
    linted: list[str] = []
    real = yamllint_style._problems

    def counted(yaml_file, config, path):
        linted.append(yaml_file.path)
        return real(yaml_file, config, path)

    monkeypatch.setattr(yamllint_style, "_problems", counted)
    first = linting.lint_paths([root], Config(), progress=False, keep_units=False).problems
    assert sorted(linted) == ["a.yaml", "b.yaml"] and [p.path for p in first if p.code == "Y002"]
    (root / "b.yaml").write_text(BADLY_INDENTED.replace("build", "other"), encoding="utf-8")
    linted.clear()
    second = linting.lint_paths([root], Config(), progress=False, keep_units=False).problems
    assert linted == ["b.yaml"]
    assert second == linting.lint_paths([root], Config(), progress=False, cache=False).problems


def test_file_rules_never_see_the_cache():
    from dataclasses import fields

    from okd_streams.model.objects import FileContext

    assert "cache" not in {f.name for f in fields(FileContext)}


def test_text_lint_counts_info_and_lists_it_only_when_asked(tmp_path, capsys, monkeypatch):
    from okd_streams.cli import main

    write_tree(
        tmp_path,
        {
            "build.yaml": "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: build\nspec:\n"
            '  steps:\n    - name: build\n      image: "alpine:3.20"\n      script: make\n'
        },
    )
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--no-cache", "."]) == 0
    out = capsys.readouterr().out
    assert out == "0 errors, 0 warnings, 1 info (info not listed: --show-info lists them)\n"
    assert main(["lint", "--no-cache", "--show-info", "."]) == 0
    out = capsys.readouterr().out
    assert out.startswith("build.yaml:8:7: info ") and out.rstrip().endswith("[X003]") and out.count("\n") == 1
    assert main(["lint", "--no-cache", "-f", "github", "."]) == 0
    assert capsys.readouterr().out.startswith("::notice file=build.yaml"), "machine formats keep info"


def test_sibling_kustomizations_of_one_path_see_each_others_objects(tmp_path):
    """`lint base/` where base/pipelines and base/tasks are each a kustomization: a Pipeline's
    taskRef names a Task the other one renders, so its params are checked (not merely "not
    among the checked objects")."""
    write_tree(
        tmp_path,
        {
            "pipelines/kustomization.yaml": "resources: [p.yaml]\n",
            "pipelines/p.yaml": "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\n"
            "spec:\n  tasks:\n    - name: a\n      taskRef: {name: t}\n",
            "tasks/kustomization.yaml": "resources: [t.yaml]\n",
            "tasks/t.yaml": "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\n"
            "spec:\n  params: [{name: needed}]\n  steps: [{name: s, image: 'alpine:3.20', script: echo}]\n",
        },
    )
    found = {(p.code, p.level) for p in linting.lint_paths([tmp_path], Config(), progress=False, cache=False).problems}
    assert ("R010", "error") in found and ("R001", "warning") not in found, found
