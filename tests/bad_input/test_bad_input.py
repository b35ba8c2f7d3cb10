"""Hostile input is a finding or an exit-2 message: never a traceback, a hang, or a written file.

Each case is a small real tree under tests/bad_input/cases/<name>/ (plus, where git cannot
hold the bytes, a generator from helpers.py). `lint` cases lint the copied tree; `check`
cases lay the files over a copy of this repository and run `okd-streams check`. Every case
asserts the exit code, the expected finding (code and file), no traceback and no E000
internal error, and that the tree is byte-for-byte what it was.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.bad_input import helpers as h


@dataclass
class Case:
    mode: str  # lint | check
    exit: int
    expect: list[tuple[str, str]] = field(default_factory=list)  # (code, path) that must be reported
    generate: h.Generator | None = None
    env: h.EnvMaker | None = None
    stderr: str = ""  # for exit 2: what the message must say
    message: str = ""  # a word the expected finding's message must contain


CASES: dict[str, Case] = {
    # YAML that does not read
    "malformed-yaml": Case("lint", 1, [("Y001", "build.yaml")], message="syntax"),
    "tabs": Case("lint", 1, [("Y001", "build.yaml")], message="syntax"),
    "duplicate-keys": Case("lint", 1, [("Y001", "build.yaml")], message="duplicate key"),
    "alias-bomb": Case("lint", 1, [("Y001", "bomb.yaml")], message="alias"),
    "bigint": Case("lint", 1, [("Y001", "count.yaml")]),
    "deep-flow-nesting": Case("lint", 1, [("Y001", "deep.yaml")], generate=h.deep_nesting, message="nesting"),
    "deep-block-nesting": Case("lint", 1, [("Y001", "deep.yaml")], generate=h.deep_block_nesting, message="nesting"),
    "deep-kustomization": Case(
        "lint",
        1,
        [("Y001", "app/kustomization.yaml"), ("K001", "app/kustomization.yaml")],
        generate=h.deep_kustomization,
    ),
    "not-utf8": Case("lint", 1, [("Y001", "build.yaml")], generate=h.not_utf8, message="UTF-8"),
    "nul-bytes": Case("lint", 1, [("Y001", "build.yaml")], generate=h.nul_bytes, message="binary"),
    "binary-file": Case("lint", 1, [("Y001", "image.yaml")], generate=h.binary_file, message="binary"),
    "huge-file": Case("lint", 1, [("Y001", "huge.yaml")], generate=h.huge_file, message="4 MiB"),
    "fifo": Case("lint", 1, [("Y001", "pipe.yaml")], generate=h.fifo, message="regular file"),
    "python-tags": Case("lint", 1, [("Y003", "build.yaml")], message="kind is a list"),
    "empty-and-comments": Case("lint", 0),
    # documents that are not objects
    "top-level-list": Case("lint", 1, [("Y003", "base/tasks/build.yaml")], message="a list"),
    "top-level-scalar": Case("lint", 1, [("Y003", "base/tasks/build.yaml")], message="a string"),
    "missing-kind": Case("lint", 1, [("Y003", "base/tasks/build.yaml")], message="kind is missing"),
    "tekton-without-kind": Case("lint", 1, [("Y003", "tasks/build.yaml")], message="kind is missing"),
    "kind-of-wrong-type": Case("lint", 1, [("Y003", "tasks/build.yaml")], message="not a string"),
    # fields of the wrong type anywhere: every rule survives (no E000), the shape is reported
    "wrong-types-task": Case("lint", 1, [("T003", "build.yaml")]),
    "wrong-types-pipeline": Case("lint", 1, [("T002", "pipeline.yaml")]),
    "wrong-types-run": Case("lint", 1, [("X005", "run.yaml")]),
    # what a TriggerTemplate creates, and what Pipelines-as-Code fills in, of odd shapes
    "trigger-template-odd-templates": Case(
        "lint", 1, [("V002", "build.yaml")], message="TriggerTemplate build creates"
    ),
    "odd-metadata-jobs-secrets": Case(
        "lint",
        1,
        [("V002", "build.yaml"), ("V004", "build.yaml"), ("V002", "nightly.yaml"), ("V004", "token.yaml")],
    ),
    "pac-odd-annotations": Case("lint", 1, [("V004", ".tekton/run.yaml"), ("V002", ".tekton/run.yaml")]),
    # symlinks leading out of the tree are not read
    "symlinked-file-outside": Case(
        "lint", 1, [("Y001", "tasks/credentials.yaml")], generate=h.symlinked_file, message="outside the repository"
    ),
    "symlinked-folder-outside": Case(
        "lint", 1, [("Y001", "tasks/elsewhere")], generate=h.symlinked_folder, message="outside the repository"
    ),
    "symlink-loop": Case("lint", 1, [("Y001", "tasks/a.yaml"), ("Y001", "tasks/b.yaml")], generate=h.symlink_loop),
    # kustomizations that do not build
    "kustomization-escapes": Case("lint", 1, [("K001", "app/kustomization.yaml")], message="outside the folder"),
    "kustomization-cycle": Case("lint", 1, [("K001", "a/kustomization.yaml")], message="cycle"),
    "kustomization-missing-file": Case("lint", 1, [("K001", "app/kustomization.yaml")], message="does not exist"),
    "kustomization-wrong-types": Case("lint", 1, [("K001", "app/kustomization.yaml")]),
    "kustomization-nul-reference": Case("lint", 1, [("K001", "app/kustomization.yaml")]),
    "kustomize-times-out": Case(
        "lint", 1, [("K001", "app/kustomization.yaml")], env=h.sleepy_kustomize, message="did not finish within 2s"
    ),
    "kustomize-prints-garbage": Case(
        "lint", 1, [("K001", "app/kustomization.yaml")], env=h.garbage_kustomize, message="something broke"
    ),
    "kustomize-missing": Case("lint", 2, env=h.missing_kustomize, stderr="no kustomize found"),
    "config-nested-too-deeply": Case("lint", 2, generate=h.deep_config, stderr=".okd-streams.yaml"),
    # broken streams inside a copy of this repository
    "check-broken-stream": Case(
        "check", 1, [("K001", "streams/broken/kustomization.yaml"), ("Y001", "streams/broken/kustomization.yaml")]
    ),
    "check-stream-without-kustomization": Case("check", 1, [("K001", "streams/lost")], message="no kustomization.yaml"),
    "check-card-is-a-list": Case(
        "check", 1, [("Y003", "streams/listcard/stream.yaml"), ("K001", "streams/listcard/kustomization.yaml")]
    ),
    "check-card-wrong-types": Case("check", 1, [("K001", "streams/odd/kustomization.yaml")]),
    "check-malformed-task-in-base": Case("check", 1, [("Y001", "base/tasks/cosa-test.yaml")]),
    "check-symlink-leaves-repository": Case(
        "check",
        1,
        [("Y001", "streams/okd-scos/credentials.yaml")],
        generate=h.stream_symlink,
        message="outside the repository",
    ),
    "check-no-streams": Case("check", 2, generate=h.no_streams, stderr="no streams"),
}


def prepare(name: str, case: Case, tmp_path: Path) -> Path:
    source = h.CASES / name
    if case.mode == "check":
        root = h.copy_repo(tmp_path / "repo")
        if source.is_dir():
            shutil.copytree(source, root, dirs_exist_ok=True)
    else:
        root = tmp_path / "tree"
        if source.is_dir():
            shutil.copytree(source, root)
        else:
            root.mkdir()
    if case.generate:
        case.generate(root)
    return root


def test_there_are_enough_distinct_cases():
    assert len(CASES) >= 25
    on_disk = {p.name for p in h.CASES.iterdir() if p.is_dir()}
    assert on_disk <= set(CASES), f"fixture folders without a case: {sorted(on_disk - set(CASES))}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name, tmp_path):
    case = CASES[name]
    root = prepare(name, case, tmp_path)
    env = case.env(root) if case.env else {}
    before = h.tree_state(root)
    args = ["lint", "--format", "json", "."] if case.mode == "lint" else ["check", "--format", "json"]
    outcome = h.okd_streams(args, root, env)
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err, outcome.err
    assert outcome.code == case.exit, f"exit {outcome.code}\n{outcome.err}\n{outcome.out[:3000]}"
    after = h.tree_state(root)
    assert after[1] == before[1], "files or folders appeared or vanished"
    assert after[0] == before[0], "a file changed"
    assert not h.cache_leftovers(root)
    if case.exit == 2:
        assert outcome.err.startswith("okd-streams: ") and case.stderr in outcome.err, outcome.err
        return
    problems = outcome.problems
    assert not [p for p in problems if p["code"] == "E000"], [p for p in problems if p["code"] == "E000"]
    for code, path in case.expect:
        found = [p for p in problems if p["code"] == code and p["path"] == path]
        assert found, f"no {code} at {path}; got {[(p['code'], p['path'], p['message']) for p in problems]}"
        if case.message:
            assert any(case.message in p["message"] for p in found) or code != case.expect[0][0], [
                p["message"] for p in found
            ]
    if case.exit == 0:
        assert not [p for p in problems if p["level"] == "error"], problems
