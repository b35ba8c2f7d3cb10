"""Real git repositories in temporary folders (GitPython), made from this project's own files."""

from __future__ import annotations

import shutil
from pathlib import Path

import git

from tests.conftest import REPO

STREAM_FILES = ("base", "overlays", "streams")


def init(root: Path) -> git.Repo:
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "okd-streams tests")
        config.set_value("user", "email", "tests@okd-streams.invalid")
        config.set_value("commit", "gpgsign", "false")
        config.set_value("init", "defaultBranch", "main")
    return repo


def commit_all(repo: git.Repo, message: str = "change") -> str:
    repo.git.add("-A")
    repo.git.commit("-q", "--allow-empty", "-m", message)
    return repo.head.commit.hexsha


def streams_repo(root: Path, extra: dict[str, str] | None = None) -> git.Repo:
    """base/, overlays/ and streams/ of this project (plus `extra` files), committed on `main`."""
    for folder in STREAM_FILES:
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / ".yamllint", root / ".yamllint")
    for relative, text in (extra or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    repo = init(root)
    commit_all(repo, "streams")
    repo.git.branch("-M", "main")
    return repo


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def project_files() -> list[str]:
    """What a fresh clone would hold once the lead commits: tracked files plus untracked, not ignored ones."""
    repo = git.Repo(REPO)
    listed = repo.git.ls_files("-z", "--cached", "--others", "--exclude-standard").split("\0")
    return [name for name in listed if name and (REPO / name).is_file() and not (REPO / name).is_symlink()]


def clone_of_project(root: Path) -> git.Repo:
    """A new repository holding a copy of every project file (modes kept), committed on `main`."""
    for name in project_files():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    repo = init(root)
    commit_all(repo, "okd-streams")
    repo.git.branch("-M", "main")
    return repo
