"""Shared fixtures: real files in temporary folders, the real kustomize, real git."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Create `files` (path -> text) under root, like yamllint's build_temp_workspace."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (except .git internals) with its bytes, to prove nothing changed."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


@pytest.fixture
def tree(tmp_path: Path):
    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path, files)
    return make


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO
