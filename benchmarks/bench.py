"""`make bench`: how fast `okd-streams check` and `lint` are, measured against what they replace.

In one run, on this machine:

  (a) a plain sequential `kustomize build` loop over every stream of a synthetic repository of
      N streams (default 200): the baseline every upstream CI script uses, with the same
      kustomize binary okd-streams uses;
  (b) `okd-streams check` on it with an empty cache (cold),
  (c) again with nothing changed (warm),
  (d) again after one stream's card changed,
  (e) `okd-streams lint` over ../shared/corpus/tektoncd-catalog (each version folder one PATH,
      all in one command: it shares them out to a worker per core), cold and warm, beside
      tekton-lint (`@ibm/tekton-lint`, installed here with npm) on the same files, with files
      per second of each; each side the median of at least five runs, with the fastest and
      slowest beside it; each cold run in a new empty cache folder (one untimed lint first
      compiles the bytecode only lint imports);
  (f) `okd-streams check` cold and warm on 1,000 streams, for peak memory.

Each figure is the wall time of the whole command, as a user waits for it (interpreter start
included), its ratio to its baseline, and peak memory: the maximum resident set size of the
okd-streams process itself (Python, from getrusage in that process); the largest kustomize
child is shown beside it. Short runs (warm, one change) are repeated and the median is shown.

The synthetic repository is built in a temporary folder with the scaffolder: the project's
checked folders are copied, a few streams are made with the full `okd-streams new` (Python
API, which renders and checks each new stream), and the rest from the same scaffolder's plan
(its validated, comment-preserving edits of the copied stream's kustomization and card), cycling
through the repository's streams as sources. (Running the full scaffolder for every one of
1,000 streams would check the growing repository a thousand times.)

Nothing here is a test: `make test` never times anything.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CATALOG = (REPO / ".." / "shared" / "corpus" / "tektoncd-catalog").resolve()
NPM_PACKAGE = "@ibm/tekton-lint"

# Runs one okd-streams command in this process and reports its own peak memory and its
# children's (kustomize) largest, as the last line on stderr.
_RUNNER = """
import json, resource, sys
from okd_streams.cli import exit_now, main
sys.argv[0] = "okd-streams"
try:
    code = main()  # as the installed command (cli.run) runs it
except SystemExit as exc:
    code = exc.code
finally:
    sys.stdout.flush()
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("\\nBENCH " + json.dumps({"self_kb": me.ru_maxrss, "children_kb": kids.ru_maxrss,
                                           "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}) + "\\n")
exit_now(code if isinstance(code, int) else 1)
"""

# Any other command, for its wall time and its peak memory (the largest process it ran).
_WRAP = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("\\nBENCH " + json.dumps({"self_kb": kids.ru_maxrss, "children_kb": 0,
                                           "cpu": kids.ru_utime + kids.ru_stime}) + "\\n")
sys.exit(done.returncode)
"""

# A plain loop: `kustomize build` of each folder in turn, output discarded, as CI scripts do.
_LOOP = """
import json, resource, subprocess, sys
argv, folders = json.loads(sys.argv[1]), sys.argv[2:]
failed = 0
for folder in folders:
    failed += subprocess.run([*argv, folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("\\nBENCH " + json.dumps({"self_kb": 0, "children_kb": kids.ru_maxrss, "failed": failed,
                                           "cpu": kids.ru_utime + kids.ru_stime}) + "\\n")
"""


@dataclass
class Run:
    seconds: float
    self_mb: float = 0.0
    children_mb: float = 0.0
    cpu: float = 0.0
    code: int = 0
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Row:
    what: str
    run: Run | None
    ratio: str = ""
    target: str = ""
    verdict: str = ""
    note: str = ""


def log(text: str) -> None:
    sys.stderr.write(f"bench: {text}\n")
    sys.stderr.flush()


def _environment(cache: Path | None, pycache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OKD_STREAMS_NO_CACHE", None)
    env.pop("OKD_STREAMS_TIMINGS", None)
    # As in a normal install, Python keeps compiled bytecode (this sandbox turns that off);
    # it goes to a folder of the benchmark's, not into the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    if cache is not None:
        env["OKD_STREAMS_CACHE_DIR"] = str(cache)
    return env


def _measure(argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 3600) -> Run:
    start = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    seconds = time.perf_counter() - start
    run = Run(seconds, code=done.returncode, stdout=done.stdout, stderr=done.stderr)
    for line in reversed(done.stderr.splitlines()):
        if line.startswith("BENCH "):
            info = json.loads(line[6:])
            run.self_mb = info.get("self_kb", 0) / 1024
            run.children_mb = info.get("children_kb", 0) / 1024
            run.cpu = info.get("cpu", 0.0)
            run.extra = info
            break
    return run


def okd_streams(args: list[str], cwd: Path, env: dict[str, str]) -> Run:
    run = _measure([sys.executable, "-c", _RUNNER, *args], cwd, env)
    if run.code not in (0, 1):
        tail = "\n".join(line for line in run.stderr.splitlines() if not line.startswith("BENCH"))[-2000:]
        raise SystemExit(f"bench: `okd-streams {' '.join(args[:3])} ...` failed (exit {run.code}):\n{tail}")
    return run


def _spread(runs: list[Run]) -> str:
    """The fastest and slowest of the runs, for the reader to judge the median by."""
    seconds = sorted(run.seconds for run in runs)
    return f"{seconds[0]:.2f}-{seconds[-1]:.2f}s"


def median_run(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda r: r.seconds)
    chosen = ordered[len(ordered) // 2]
    chosen.self_mb = max(r.self_mb for r in runs)
    chosen.children_mb = max(r.children_mb for r in runs)
    return chosen


# --------------------------------------------------------------------------------------
# The synthetic repository


BUILT_MARK = ".okd-streams-bench"  # in each repository the benchmark builds


def build_repository(target: Path, count: int, full: int = 2) -> str:
    """A repository of `count` streams in `target` (made with the scaffolder); says how."""
    from okd_streams.files import edit
    from okd_streams.files.loader import load_data
    from okd_streams.model.repo import CARD_NAME, discover_streams
    from okd_streams.streams import scaffold

    if target.exists():  # left by an earlier run with --keep: made again, unless it is not ours
        if not (target / BUILT_MARK).is_file():
            raise SystemExit(f"bench: {target} exists and was not made by the benchmark: choose another --keep folder")
        shutil.rmtree(target)
    scaffold.copy_checked_tree(REPO, target)
    (target / BUILT_MARK).write_text("made by python benchmarks/bench.py\n", encoding="utf-8")
    shutil.rmtree(target / ".cache", ignore_errors=True)
    seeds = [s.name for s in discover_streams(target)]
    if not seeds:
        raise SystemExit("bench: the repository has no stream to copy")
    made = len(seeds)
    quiet = [].append
    # A few with the whole scaffolder: validated, rendered, checked, moved into place.
    while made < min(count, len(seeds) + full):
        name = f"bench-{made:04d}"
        source = seeds[made % len(seeds)]
        card, _ = load_data((target / "streams" / source / CARD_NAME).read_text(encoding="utf-8"))
        pipelines = card["spec"]["pipelines"]
        request = scaffold.Request(
            name=name, root=target, source=source, interactive=False, sets=own_places(name, pipelines)
        )
        if scaffold.Scaffolder(request, out=quiet).run() != 0:
            raise SystemExit(f"bench: `okd-streams new {name}` failed")
        made += 1
    # The rest from the scaffolder's plan, made against a copy holding only the seed streams
    # (planning reads every stream's card: against the growing repository that is quadratic).
    with tempfile.TemporaryDirectory(prefix="okd-streams-bench-seeds-") as staging:
        seed_root = Path(staging) / "repo"
        scaffold.copy_checked_tree(REPO, seed_root)
        while made < count:
            name = f"bench-{made:04d}"
            request = scaffold.Request(name=name, root=seed_root, source=seeds[made % len(seeds)], interactive=False)
            plan = scaffold.Scaffolder(request, out=quiet).plan()
            give_own_places(plan.card, name)
            folder = target / "streams" / name
            folder.mkdir()
            (folder / "kustomization.yaml").write_text(edit.dump(plan.kustomization), encoding="utf-8")
            (folder / CARD_NAME).write_text(edit.dump(plan.card), encoding="utf-8")
            (folder / "README.md").write_text(plan.readme, encoding="utf-8")
            for extra in plan.extra_files:
                if extra.is_file():
                    shutil.copy2(extra, folder / extra.name)
            made += 1
    return (
        f"{len(seeds)} streams of the project, {min(full, max(0, count - len(seeds)))} made with "
        f"`okd-streams new`, the rest from the scaffolder's plan, from {', '.join(seeds)} in turn"
    )


# Each synthetic stream publishes to places of its own, as `okd-streams new` makes sure a real
# one does (C010): its own release streams and payload images; builds and images not published.
_OWN_PLACES = {
    ("okd-release", "target-release-stream"): "4-{name}-next",
    ("okd-release", "release-imagestream"): "release-{name}-next",
    ("okd-payload", "release-pushspec"): "quay.io/okd-streams-bench/{name}-payload",
    ("okd-payload", "release-name"): "4.19.0-{name}.1",
    ("okd-payload", "content-pushspec"): "quay.io/okd-streams-bench/{name}-content",
    ("okd-coreos", "upload-container-images"): "false",
    ("okd-coreos", "tag-latest"): "false",
    ("okd-coreos", "upload-bootimages"): "false",
    ("okd-coreos", "s3-bucket-name"): "",
    ("okd-coreos", "s3-endpoint-url"): "",
}
# What `okd-streams new` asks for (it turns the publishing switches off itself).
_ASKED = ("okd-release", "okd-payload")


def own_places(name: str, pipelines: Iterable[str]) -> list[str]:
    """--set values for `okd-streams new` copying a stream whose card runs `pipelines`."""
    return [
        f"{pipeline}.{param}={value.format(name=name)}"
        for (pipeline, param), value in _OWN_PLACES.items()
        if pipeline in _ASKED and pipeline in pipelines
    ]


def give_own_places(card: dict, name: str) -> None:
    """The same for a stream made from the scaffolder's plan (which copies the source's values)."""
    for pipeline, entry in card["spec"]["pipelines"].items():
        for param in entry.get("params") or []:
            value = _OWN_PLACES.get((pipeline, param.get("name")))
            if value is not None:
                param["value"] = value.format(name=name)


def change_one_stream(repo: Path, index: int) -> str:
    """Edit one stream's card (a schedule, through the comment-preserving editor): that stream
    renders again, every other one is unchanged."""
    from okd_streams.files import edit
    from okd_streams.model.repo import discover_streams

    streams = discover_streams(repo)
    stream = streams[index % len(streams)]
    card = edit.load(stream.card_path.read_text(encoding="utf-8"))
    pipelines = card["spec"]["pipelines"]
    key = next(iter(pipelines))
    pipelines[key]["schedule"] = edit.scalar(f"{index % 60} {index % 24} * * *")
    stream.card_path.write_text(edit.dump(card), encoding="utf-8")
    return stream.name


def stream_folders(repo: Path) -> list[str]:
    from okd_streams.model.repo import discover_streams

    return [str(s.directory) for s in discover_streams(repo) if s.kustomization is not None]


# --------------------------------------------------------------------------------------
# tekton-lint


def tekton_lint(prefix: Path) -> Path | None:
    """The tekton-lint executable, installed with npm under `prefix` if needed; None (said
    why) when it cannot be had."""
    binary = prefix / "node_modules" / ".bin" / "tekton-lint"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        log("tekton-lint: node/npm not found: skipping the tekton-lint comparison")
        return None
    log(f"installing {NPM_PACKAGE} with npm into {prefix} ...")
    prefix.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", NPM_PACKAGE],
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"tekton-lint: npm install failed ({exc}): skipping the tekton-lint comparison")
        return None
    if done.returncode != 0 or not binary.exists():
        log(
            f"tekton-lint: npm install failed (exit {done.returncode}): {done.stderr.strip()[-500:]}; "
            "skipping the tekton-lint comparison"
        )
        return None
    return binary


# --------------------------------------------------------------------------------------
# The table


def _fmt_mb(run: Run | None) -> str:
    if run is None or not run.self_mb:
        return f"({run.children_mb:.0f})" if run and run.children_mb else ""
    return f"{run.self_mb:.0f}" + (f" ({run.children_mb:.0f})" if run.children_mb else "")


def print_table(rows: list[Row]) -> None:
    header = ("measurement", "seconds", "ratio", "peak MB", "target", "result")
    lines = [
        (r.what, f"{r.run.seconds:.2f}" if r.run else "-", r.ratio, _fmt_mb(r.run), r.target, r.verdict) for r in rows
    ]
    widths = [max(len(str(x[i])) for x in [header, *lines]) for i in range(len(header))]
    print()
    for number, line in enumerate([header, *lines]):
        print(
            "  ".join(
                str(cell).ljust(widths[i]) if i == 0 else str(cell).rjust(widths[i]) for i, cell in enumerate(line)
            )
        )
        if number == 0:
            print("  ".join("-" * w for w in widths))
    notes = [f"  {r.what}: {r.note}" for r in rows if r.note]
    if notes:
        print()
        print("\n".join(notes))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=200, help="streams in the synthetic repository (200)")
    parser.add_argument(
        "--memory-streams", type=int, default=1000, help="streams for the peak-memory measurement (1000; 0 skips it)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each short measurement; the median is shown")
    parser.add_argument("--skip-tekton-lint", action="store_true", help="do not install or run tekton-lint")
    parser.add_argument("--catalog", type=Path, default=CATALOG, help="tekton catalog to lint (%(default)s)")
    parser.add_argument("--keep", type=Path, help="build the repositories here and keep them")
    args = parser.parse_args(argv)

    from okd_streams.render.kustomize import find_kustomize

    kustomize = find_kustomize()
    work = Path(tempfile.mkdtemp(prefix="okd-streams-bench-")) if args.keep is None else args.keep.resolve()
    work.mkdir(parents=True, exist_ok=True)
    pycache = work / "pycache"
    rows: list[Row] = []
    try:
        env = _environment(None, pycache)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import okd_streams.cli, okd_streams.lint.checking, "
                "okd_streams.lint.linting, okd_streams.rules, okd_streams.argocd",
            ],
            env=env,
            check=True,
        )  # compile the bytecode once
        log(f"kustomize: {' '.join(kustomize.argv)}; {os.cpu_count()} cores")

        # ---- (a)-(d): check on N streams
        repo = work / f"repo-{args.streams}"
        log(f"building a repository of {args.streams} streams in {repo} ...")
        start = time.perf_counter()
        how = build_repository(repo, args.streams)
        log(f"built in {time.perf_counter() - start:.1f}s: {how}")
        folders = stream_folders(repo)
        log(f"(a) sequential kustomize loop over {len(folders)} streams ...")
        base = _measure([sys.executable, "-c", _LOOP, json.dumps(list(kustomize.argv)), *folders], repo, env)
        if base.extra.get("failed"):
            log(f"warning: {base.extra['failed']} streams failed to build in the loop")
        rows.append(
            Row(
                f"kustomize build loop, {len(folders)} streams",
                base,
                "1.00x",
                "baseline",
                note=f"{len(folders) / base.seconds:.0f} streams/s; peak MB: the largest kustomize",
            )
        )
        cache = work / f"cache-{args.streams}"
        shutil.rmtree(cache, ignore_errors=True)
        check_env = _environment(cache, pycache)
        check = ["check", "--format", "json"]
        log("(b) okd-streams check, cold ...")
        cold = okd_streams(check, repo, check_env)
        rows.append(
            Row(
                "okd-streams check, cold",
                cold,
                f"{cold.seconds / base.seconds:.2f}x",
                "<= 0.60x",
                verdict(cold.seconds <= 0.6 * base.seconds),
                note=f"peak MB: okd-streams (largest kustomize); CPU {cold.cpu:.1f}s in all processes "
                f"vs {base.cpu:.1f}s for the loop",
            )
        )
        log("(c) okd-streams check, warm ...")
        warm_runs = [okd_streams(check, repo, check_env) for _ in range(args.repeat)]
        warm = median_run(warm_runs)
        same = all(run.stdout == cold.stdout for run in warm_runs)
        rows.append(
            Row(
                "okd-streams check, warm (nothing changed)",
                warm,
                f"{warm.seconds / base.seconds:.3f}x",
                "<= 1.0s",
                verdict(warm.seconds <= 1.0 and same),
                note=f"median of {args.repeat}; problems identical to the cold run: {'yes' if same else 'NO'}",
            )
        )
        log("(d) okd-streams check, one stream changed ...")
        changed_runs = []
        for index in range(args.repeat):
            name = change_one_stream(repo, 7 + 13 * index)
            changed_runs.append(okd_streams(check, repo, check_env))
        changed = median_run(changed_runs)
        rows.append(
            Row(
                "okd-streams check, one stream changed",
                changed,
                f"{changed.seconds / base.seconds:.3f}x",
                "<= 1.5s",
                verdict(changed.seconds <= 1.5),
                note=f"median of {args.repeat}, a different stream's card each time (last: {name})",
            )
        )

        # ---- (e): lint over the catalog, beside tekton-lint
        lint_rows(args, work, pycache, rows)

        # ---- (f): memory at 1,000 streams
        if args.memory_streams:
            big = work / f"repo-{args.memory_streams}"
            log(f"building a repository of {args.memory_streams} streams ...")
            build_repository(big, args.memory_streams)
            big_cache = work / f"cache-{args.memory_streams}"
            shutil.rmtree(big_cache, ignore_errors=True)
            big_env = _environment(big_cache, pycache)
            log(f"(f) okd-streams check, cold, {args.memory_streams} streams ...")
            big_cold = okd_streams(check, big, big_env)
            rows.append(
                Row(
                    f"okd-streams check, cold, {args.memory_streams} streams",
                    big_cold,
                    "",
                    "<= 500 MB",
                    verdict(big_cold.self_mb <= 500),
                )
            )
            log(f"(f) okd-streams check, one stream changed, {args.memory_streams} streams ...")
            change_one_stream(big, 11)
            big_warm = okd_streams(check, big, big_env)
            rows.append(
                Row(
                    f"okd-streams check, one changed, {args.memory_streams} streams",
                    big_warm,
                    "",
                    "<= 500 MB",
                    verdict(big_warm.self_mb <= 500),
                    note="every other stream from the cache: all renders loaded, the full warm path",
                )
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows)
    failed = [row.what for row in rows if row.verdict == "FAIL"]
    print()
    print(
        f"{len(rows)} measurements, {sum(r.verdict == 'PASS' for r in rows)} targets met"
        + (f"; missed: {'; '.join(failed)}" if failed else "")
    )
    return 0


def lint_rows(args: argparse.Namespace, work: Path, pycache: Path, rows: list[Row]) -> None:
    from okd_streams.model.repo import walk_yaml

    catalog = args.catalog.resolve()
    if not catalog.is_dir():
        log(f"(e) no catalog at {catalog}: skipping the lint comparison")
        return
    folders = sorted(
        p
        for kind in ("task", "pipeline", "stepaction")
        if (catalog / kind).is_dir()
        for name in sorted((catalog / kind).iterdir())
        if name.is_dir()
        for p in name.iterdir()
        if p.is_dir()
    )
    files = [str(f) for folder in folders for f in walk_yaml(folder)]
    env = _environment(work / "cache-lint", pycache)
    lint = ["lint", "--format", "json", *map(str, folders)]
    # Runs of half a second vary by a tenth from one to the next on a shared machine: the
    # default-rules comparison takes the median of at least five on each side.
    repeat = max(args.repeat, 5)
    reference: Run | None = None
    if not args.skip_tekton_lint:
        binary = tekton_lint(REPO / ".cache" / "bench" / "node")
        if binary is not None:
            log(f"(e) tekton-lint on {len(files)} files ...")
            runs = [
                _measure([sys.executable, "-c", _WRAP, str(binary), "--format", "json", *files], catalog, env)
                for _ in range(repeat)
            ]
            reference = median_run(runs)
            if reference.code not in (0, 1) or not reference.stdout.strip().startswith("["):
                log(f"tekton-lint exited {reference.code} without a report: {reference.stderr.strip()[-300:]}")
            rows.append(
                Row(
                    f"tekton-lint, {len(files)} catalog files",
                    reference,
                    "1.00x",
                    "baseline",
                    note=f"{len(files) / reference.seconds:.0f} files/s; median of {repeat} "
                    f"({_spread(runs)}); peak MB: node",
                )
            )
    spreads = {}

    made = iter(range(1_000_000))

    def cold_and_warm(argv: list[str], label: str, times: int) -> tuple[Run, Run]:
        cold_runs = []
        for _ in range(times):
            # Each in a cache folder of its own, new and empty, as on a fresh clone. (Deleting
            # the last run's cache right before a run leaves the file system work, freeing its
            # blocks and inodes, that a first run never meets: it slowed cold runs by 0.02 s.)
            fresh = _environment(work / f"cache-lint-{next(made)}", pycache)
            cold_runs.append(okd_streams(argv, catalog, fresh))
        log(f"(e) okd-streams lint, {label}, warm ...")
        warm_runs = [okd_streams(argv, catalog, fresh) for _ in range(times)]
        spreads[label] = (_spread(cold_runs), _spread(warm_runs))
        return median_run(cold_runs), median_run(warm_runs)

    # One run first, not timed: Python compiles the bytecode of what only `lint` imports (the
    # worker pool, the SQLite table), as it has on any machine that ran okd-streams lint before.
    okd_streams(lint, catalog, _environment(work / "cache-lint-first", pycache))
    log(f"(e) okd-streams lint on {len(folders)} version folders, {len(files)} files, cold ...")
    cold, warm = cold_and_warm(lint, "default rules", repeat)
    # The catalog has no yamllint settings, so by default it is not held to a YAML style (Y002);
    # `conventions: strict` applies okd-streams' own style and every rule at our levels.
    settings = work / "strict.yaml"
    settings.write_text("conventions: strict  # every rule, yamllint (Y002) included\n", encoding="utf-8")
    log("(e) okd-streams lint, every rule (yamllint too), cold ...")
    strict_cold, strict_warm = cold_and_warm(
        ["lint", "--format", "json", "--config", str(settings), *map(str, folders)], "every rule", args.repeat
    )
    same = warm.stdout == cold.stdout
    cold_spread, warm_spread = spreads["default rules"]
    runs = (
        ("cold", cold, ">= 5x faster", f"median of {repeat} ({cold_spread}), each in a new empty cache"),
        (
            "warm",
            warm,
            ">= 5x faster",
            f"median of {repeat} ({warm_spread}); same report as cold: {'yes' if same else 'NO'}",
        ),
        ("cold, + yamllint (strict)", strict_cold, "", "conventions: strict: Y002 runs yamllint on every file"),
        ("warm, + yamllint (strict)", strict_warm, "", ""),
    )
    for label, run, target, note in runs:
        speed = f"{len(files) / run.seconds:.0f} files/s; CPU {run.cpu:.2f}s" + (f"; {note}" if note else "")
        what = f"okd-streams lint, {len(files)} catalog files, {label}"
        if reference is not None:
            factor = reference.seconds / run.seconds
            ok = factor >= 5 and (label != "warm" or same)
            rows.append(Row(what, run, f"{factor:.1f}x faster", target, verdict(ok) if target else "", note=speed))
        else:
            rows.append(Row(what, run, "", "", "", note=speed))


if __name__ == "__main__":
    raise SystemExit(main())
