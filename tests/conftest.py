"""Shared fixtures: real files in temporary folders, the real kustomize, real git."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent

# Every property test: no example database (nothing written into the repository, nothing shared
# between xdist workers) and, under CI, derandomized: the same examples on every run. The parent is
# the profile in force (Hypothesis' own "ci" one under CI), so its other settings are kept.
settings.register_profile("okd-streams", parent=settings(), database=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("okd-streams")

# The Ctrl-C tests send SIGINT to the okd-streams they start. Started in the background without
# job control (nohup, `cmd &` in a script), the runner has SIGINT ignored, and an ignored signal
# stays ignored in every child: give it back its usual handler, which children reset to default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Create `files` (path -> text) under root, like yamllint's build_temp_workspace."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (except .git internals) with its bytes, to prove nothing changed."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture
def tree(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path, files)

    return make


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session", autouse=True)
def own_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A user cache folder ($XDG_CACHE_HOME) per test session, so per xdist worker: a lint outside
    any repository and the kustomize version memo then never write the developer's ~/.cache, nor
    one another's. Subprocesses inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield
