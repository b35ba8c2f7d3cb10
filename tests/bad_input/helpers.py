"""Helpers for the hostile-input tests: copies of fixture trees, the bytes that cannot live in
git (NUL bytes, invalid UTF-8, a 5 MiB file, a FIFO, symlinks leading out of the tree), fake
kustomize binaries, and the okd-streams command line run as a real subprocess (so that even
a segfault in a C extension is a test failure, not a dead test run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO, snapshot

CASES = Path(__file__).resolve().parent / "cases"
REPO_PARTS = ("base", "overlays", "streams", "argocd", ".tekton", ".yamllint", ".okd-streams.yaml")


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def problems(self) -> list[dict]:
        try:
            found = json.loads(self.out) if self.out.strip() else []
        except json.JSONDecodeError as exc:  # pragma: no cover - a failure message, not a path
            raise AssertionError(f"output is not JSON: {exc}\n{self.out[:2000]}") from None
        return found if isinstance(found, list) else []


def okd_streams(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 180) -> Outcome:
    """Run `python -m okd_streams ARGS` in `cwd`; no test may hang, so there is a timeout."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OKD_STREAMS_")}
    environment.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "okd_streams", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def copy_repo(target: Path) -> Path:
    """A copy of this repository's checked folders (what `okd-streams check` reads)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in REPO_PARTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, target / name)
    return target


IGNORED = (".git", ".cache")  # git's own files; okd-streams' render cache (gitignored, see okd_streams/render/cache.py)


def tree_state(root: Path) -> tuple[dict[str, bytes], list[str]]:
    """Every regular file's bytes and every folder and link: proves a run changed nothing."""

    def kept(path: Path) -> bool:
        return not set(path.relative_to(root).parts) & set(IGNORED)

    entries = sorted(
        str(p.relative_to(root)) + ("/" if p.is_dir() and not p.is_symlink() else "")
        for p in root.rglob("*")
        if kept(p)
    )
    files = {name: data for name, data in snapshot(root).items() if kept(root / name) and not (root / name).is_fifo()}
    return files, entries


def cache_leftovers(root: Path) -> list[str]:
    """Temporary files left in the render cache (its writes must be temporary file + rename)."""
    folder = root / ".cache"
    return sorted(str(p) for p in folder.rglob("*") if p.name.endswith(".tmp")) if folder.is_dir() else []


# --------------------------------------------------------------------------------------
# Generated inputs: each takes the case's (temporary) root and writes what git cannot hold.


def deep_nesting(root: Path) -> None:
    (root / "deep.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: " + "[" * 60_000 + "\n")


def deep_kustomization(root: Path) -> None:
    """The input that made libyaml's C composer segfault the whole process."""
    (root / "app").mkdir()
    (root / "app" / "kustomization.yaml").write_text("resources: " + "[" * 60_000 + "\n")


def deep_block_nesting(root: Path) -> None:
    (root / "deep.yaml").write_text("".join(" " * i + f"k{i}:\n" for i in range(1000)))


def not_utf8(root: Path) -> None:
    (root / "build.yaml").write_bytes(
        b"apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: build\n  description: caf\xe9 cr\xe8me\n"
    )


def nul_bytes(root: Path) -> None:
    (root / "build.yaml").write_bytes(b"apiVersion: tekton.dev/v1\nkind: Task\x00\x00\x01\x02\nmetadata: {}\n")


def binary_file(root: Path) -> None:
    (root / "image.yaml").write_bytes(bytes(range(256)) * 64)


def huge_file(root: Path) -> None:
    line = "  key-%07d: " + "x" * 60 + "\n"
    with open(root / "huge.yaml", "w", encoding="utf-8") as handle:
        handle.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n")
        for index in range(5 * 1024 * 1024 // 70 + 10):
            handle.write(line % index)


def fifo(root: Path) -> None:
    os.mkfifo(root / "pipe.yaml")


def outside(root: Path) -> Path:
    """A folder next to the tree (never inside it), with a file worth stealing."""
    folder = root.parent / (root.name + "-outside")
    folder.mkdir(exist_ok=True)
    (folder / "credentials.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\nstringData:\n  token: hunter2\n"
    )
    return folder


def symlinked_file(root: Path) -> None:
    (root / "tasks").mkdir()
    (root / "tasks" / "credentials.yaml").symlink_to(outside(root) / "credentials.yaml")


def symlinked_folder(root: Path) -> None:
    (root / "tasks").mkdir()
    (root / "tasks" / "elsewhere").symlink_to(outside(root), target_is_directory=True)


def symlink_loop(root: Path) -> None:
    (root / "tasks").mkdir()
    (root / "tasks" / "a.yaml").symlink_to("b.yaml")
    (root / "tasks" / "b.yaml").symlink_to("a.yaml")


def deep_config(root: Path) -> None:
    (root / ".okd-streams.yaml").write_text("rules: " + "[" * 60_000 + "\n")
    (root / "build.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: build\n")


def no_streams(root: Path) -> None:
    for child in (root / "streams").iterdir():
        shutil.rmtree(child)


def stream_symlink(root: Path) -> None:
    (root / "streams" / "okd-scos" / "credentials.yaml").symlink_to(outside(root) / "credentials.yaml")


def _fake(root: Path, body: str) -> str:
    """An executable `kustomize` in a folder next to the tree that answers `version`."""
    folder = root.parent / (root.name + "-bin")
    folder.mkdir(exist_ok=True)
    path = folder / "kustomize"
    path.write_text(f'#!/bin/sh\nif [ "$1" = version ]; then echo v5.4.2; exit 0; fi\n{body}\n')
    path.chmod(0o755)
    return str(path)


def sleepy_kustomize(root: Path) -> dict[str, str]:
    return {"OKD_STREAMS_KUSTOMIZE": _fake(root, "sleep 60 &\nexec sleep 60"), "OKD_STREAMS_KUSTOMIZE_TIMEOUT": "2"}


def garbage_kustomize(root: Path) -> dict[str, str]:
    body = r"printf '\377\376 garbage \001\nError: \377 something broke\n' >&2" + "\nprintf 'kind: [\\n'\nexit 1"
    return {"OKD_STREAMS_KUSTOMIZE": _fake(root, body)}


def missing_kustomize(root: Path) -> dict[str, str]:
    return {"OKD_STREAMS_KUSTOMIZE": str(root.parent / "no-such-kustomize")}


Generator = Callable[[Path], None]
EnvMaker = Callable[[Path], dict]
