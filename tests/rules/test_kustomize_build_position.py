"""A kustomization that does not build is reported at the entry that names what failed, in
the kustomization that lists it: linting an overlay whose base lists a missing file points at
that line of the base (the file a person edits), not at line 1 of the overlay."""

from __future__ import annotations

from pathlib import Path

from tests.cli import lint_json
from tests.conftest import write_tree

TREE = {
    "base/kustomization.yaml": "resources:\n  - task.yaml\n  - missing.yaml\n",
    "base/task.yaml": (
        "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: task\nspec:\n  steps:\n"
        "    - name: s\n      image: registry.access.redhat.com/ubi9/ubi-minimal:9.4\n      script: echo\n"
    ),
    "overlay/kustomization.yaml": "namespace: ci\nresources:\n  - ../base\n",
}


def errors(root: Path, *paths: str) -> list[tuple[str, int, int, str]]:
    found = lint_json(*(root / p for p in paths))
    return [(Path(p["path"]).as_posix(), p["line"], p["column"], p["code"]) for p in found]


def test_a_missing_file_in_a_base_is_reported_at_the_base_s_entry(tmp_path: Path, monkeypatch) -> None:
    write_tree(tmp_path, TREE)
    monkeypatch.chdir(tmp_path)
    expected = [("base/kustomization.yaml", 3, 5, "K001")]
    assert errors(tmp_path, "overlay") == expected
    assert errors(tmp_path, "base") == expected
    assert errors(tmp_path, "overlay", "base") == expected  # one mistake, one finding


def test_a_missing_file_in_the_overlay_itself(tmp_path: Path, monkeypatch) -> None:
    write_tree(
        tmp_path,
        {
            **TREE,
            "base/kustomization.yaml": "resources:\n  - task.yaml\n",
            "overlay/kustomization.yaml": "resources:\n  - ../base\n  - extra.yaml\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert errors(tmp_path, "overlay") == [("overlay/kustomization.yaml", 3, 5, "K001")]
