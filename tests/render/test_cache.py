"""The render cache (okd_streams/render/cache.py): keys, hits and misses, corruption, concurrency,
and that a warm check says exactly what a cold one says. Correctness only: nothing is timed."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from okd_streams.config import Config
from okd_streams.lint.checking import check_repository
from okd_streams.render import kustomization as kz
from okd_streams.render import runner as runner_mod
from okd_streams.render.cache import Cache, FileHashes, render_key
from okd_streams.render.kustomize import build, build_batch, find_kustomize
from okd_streams.render.runner import CachedRenderer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    """A copy of this repository's bases, overlays and streams."""
    root = tmp_path / "repo"
    for name in ("base", "overlays", "streams"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / ".yamllint", root / ".yamllint")
    monkeypatch.setenv("OKD_STREAMS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OKD_STREAMS_NO_CACHE", raising=False)
    return root


def key_of(root: Path, stream: str, kustomize=None) -> str | None:
    kustomize = kustomize or find_kustomize()
    directory = (root / "streams" / stream).resolve()
    return render_key(kustomize, directory, kz.Walker().closure(directory), FileHashes(root))


def counting(monkeypatch) -> dict[str, int]:
    """Count kustomize runs made through the render cache."""
    counts = {"build": 0, "batch": 0}

    def counted_build(directory, *args, **kwargs):
        counts["build"] += 1
        return build(directory, *args, **kwargs)

    def counted_batch(directories, *args, **kwargs):
        counts["batch"] += 1
        return build_batch(directories, *args, **kwargs)

    monkeypatch.setattr(runner_mod, "build", counted_build)
    monkeypatch.setattr(runner_mod, "build_batch", counted_batch)
    return counts


# ---------------------------------------------------------------------------- the store


def test_same_key_hits_and_other_keys_miss(tmp_path):
    store = Cache(tmp_path / "c")
    assert store.get("renders", "a" * 64) is None
    assert store.put("renders", "a" * 64, {"objects": [1, 2, 3]})
    assert store.get("renders", "a" * 64) == {"objects": [1, 2, 3]}
    assert store.get("renders", "b" * 64) is None
    assert (tmp_path / "c" / ".gitignore").read_text().strip().endswith("*")


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"{",
        b"\x00\xff",
        b'{"scheme": "okd-streams-render/1", "key": "other"}',
        b"[1, 2]",
        b'{"key": "' + b"a" * 64 + b'", "value": 1}',
    ],
)
def test_a_corrupt_entry_is_a_miss_and_is_rewritten(tmp_path, garbage):
    store = Cache(tmp_path / "c")
    store.put("renders", "a" * 64, [1])
    (tmp_path / "c" / "renders" / ("a" * 64 + ".json")).write_bytes(garbage)
    assert store.get("renders", "a" * 64) is None
    store.put("renders", "a" * 64, [2])
    assert store.get("renders", "a" * 64) == [2]


def _writer(directory: str, seed: int, rounds: int) -> None:
    store = Cache(Path(directory))
    for i in range(rounds):
        for key in range(8):
            store.put("renders", f"{key:064x}", {"writer": seed, "round": i, "payload": "x" * (20_000 + key)})


def test_concurrent_writers_never_leave_a_partial_entry(tmp_path):
    directory = tmp_path / "c"
    store = Cache(directory)
    for key in range(8):
        store.put("renders", f"{key:064x}", {"writer": -1, "round": -1, "payload": "x" * (20_000 + key)})
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(directory), seed, 40)) for seed in range(2)]
    seen: list = []
    errors: list = []
    done = threading.Event()

    def read() -> None:
        reader = Cache(directory)
        while not done.is_set():
            for key in range(8):
                value = reader.get("renders", f"{key:064x}")
                if value is None or value["payload"] != "x" * (20_000 + key):
                    errors.append(value)
                seen.append(value)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for writer in writers:
        writer.start()
    threads.append(threading.Thread(target=_writer, args=(str(directory), 9, 40)))  # a third writer: a thread
    threads[-1].start()
    for writer in writers:
        writer.join(120)
        assert writer.exitcode == 0
    threads[-1].join()
    done.set()
    for thread in threads[:-1]:
        thread.join()
    assert seen and not errors
    assert not [p for p in (directory / "renders").iterdir() if not p.name.endswith(".json")]  # no temporaries
    for key in range(8):
        assert store.get("renders", f"{key:064x}")["payload"] == "x" * (20_000 + key)


# ---------------------------------------------------------------------------- keys


def test_the_key_follows_the_closure_content(repo):
    first = key_of(repo, "okd-scos")
    assert first is not None and first == key_of(repo, "okd-scos")
    assert key_of(repo, "okd-fcos") != first
    (repo / "streams" / "okd-scos" / "README.md").write_text("not read by kustomize\n")
    assert key_of(repo, "okd-scos") == first
    task = repo / "base" / "tasks" / "cosa-init.yaml"
    task.write_text(task.read_text() + "# a comment is a change too\n")
    second = key_of(repo, "okd-scos")
    assert second != first
    card = repo / "streams" / "okd-scos" / "stream.yaml"
    card.write_text(card.read_text().replace('value: "4.19"', 'value: "4.20"', 1))
    assert key_of(repo, "okd-scos") not in (first, second)


def test_every_closure_file_is_in_the_key(repo):
    directory = (repo / "streams" / "okd-scos").resolve()
    files = sorted(kz.Walker().closure(directory).files)
    assert len(files) > 20
    before = key_of(repo, "okd-scos")
    for path in files:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert key_of(repo, "okd-scos") != before, path
        path.write_bytes(original)
    assert key_of(repo, "okd-scos") == before


def test_another_kustomize_is_another_key(repo):
    kustomize = find_kustomize()
    other = replace(kustomize, version=kustomize.version + "-rebuilt")
    assert key_of(repo, "okd-scos", kustomize) != key_of(repo, "okd-scos", other)


def test_a_second_kustomization_file_changes_the_key(repo):
    before = key_of(repo, "okd-scos")
    (repo / "base" / "kustomization.yml").write_text("resources: []\n")
    assert key_of(repo, "okd-scos") != before


def test_remote_bases_are_never_cached(repo):
    kustomization = repo / "streams" / "okd-scos" / "kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text().replace(
            "resources:\n", "resources:\n  - https://github.com/example/repo//base?ref=v1\n", 1
        )
    )
    assert key_of(repo, "okd-scos") is None


# ---------------------------------------------------------------------------- rendering


def test_a_second_render_comes_from_the_cache(repo, tmp_path, monkeypatch):
    counts = counting(monkeypatch)
    store = Cache(tmp_path / "c")
    folders = [(repo / "streams" / name).resolve() for name in ("okd-fcos", "okd-scos")]
    cold = CachedRenderer(store, base=repo)(folders)
    assert counts["build"] + counts["batch"] >= 1 and all(r.ok and not r.cached for r in cold.values())
    counts.update(build=0, batch=0)
    warm = CachedRenderer(store, base=repo)(folders)
    assert counts == {"build": 0, "batch": 0}
    for folder in folders:
        assert warm[folder].cached
        assert [(o.data, o.origin) for o in warm[folder].objects] == [(o.data, o.origin) for o in cold[folder].objects]


def test_a_corrupt_render_is_built_again(repo, tmp_path, monkeypatch):
    store = Cache(tmp_path / "c")
    folder = (repo / "streams" / "okd-scos").resolve()
    CachedRenderer(store, base=repo)([folder])
    for entry in (tmp_path / "c" / "renders").iterdir():
        entry.write_text(entry.read_text()[: len(entry.read_text()) // 2])
    counts = counting(monkeypatch)
    again = CachedRenderer(store, base=repo)([folder])[folder]
    assert again.ok and not again.cached and counts["build"] == 1
    assert CachedRenderer(store, base=repo)([folder])[folder].cached


def test_only_the_changed_stream_is_rendered_again(repo, tmp_path, monkeypatch):
    store = Cache(tmp_path / "c")
    folders = [(repo / "streams" / name).resolve() for name in ("okd-fcos", "okd-scos")]
    CachedRenderer(store, base=repo)(folders)
    card = repo / "streams" / "okd-fcos" / "stream.yaml"
    card.write_text(card.read_text().replace("schedule: ", "schedule:  ", 1))  # same value, other bytes
    counts = counting(monkeypatch)
    results = CachedRenderer(store, base=repo)(folders)
    assert counts["build"] == 1 and counts["batch"] == 0
    assert results[folders[1]].cached and not results[folders[0]].cached


def namespaces(folders: list[Path]) -> list[str | None]:
    walker = kz.Walker()
    return [walker.namespace(folder) for folder in folders]


def test_a_batch_renders_what_single_builds_render(repo):
    folders = [(repo / "streams" / name).resolve() for name in ("okd-fcos", "okd-scos")]
    batch = build_batch(folders, namespaces(folders))
    assert batch is not None
    for folder in folders:
        alone = build(folder, annotate=False)
        assert [o.data for o in batch[folder].objects] == [o.data for o in alone.objects]


def test_origins_found_from_the_closure_are_those_kustomize_annotates(repo):
    """Renders skip kustomize's originAnnotations (a third of its CPU): every object must
    still be credited to the file kustomize itself would name."""
    folders = [(repo / "streams" / name).resolve() for name in ("okd-fcos", "okd-scos")]
    rendered = CachedRenderer(None, base=repo)(folders)
    for folder in folders:
        annotated = build(folder)  # kustomize's own origins
        assert all(o.origin for o in annotated.objects)
        assert [(o.data, o.origin) for o in rendered[folder].objects] == [(o.data, o.origin) for o in annotated.objects]


def test_a_batch_is_refused_when_it_could_differ(repo):
    copy = repo / "streams" / "okd-copy"
    shutil.copytree(repo / "streams" / "okd-scos", copy)  # same namespace as okd-scos
    folders = [(repo / "streams" / "okd-scos").resolve(), copy.resolve()]
    assert build_batch(folders, namespaces(folders)) is None
    broken = repo / "streams" / "okd-broken"
    shutil.copytree(repo / "streams" / "okd-fcos", broken)
    (broken / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    pair = [(repo / "streams" / "okd-scos").resolve(), broken.resolve()]
    assert build_batch(pair, ["okd-scos-ns", "other"]) is None  # the build fails
    results = CachedRenderer(None, base=repo)([*folders, broken.resolve()])  # falls back to single builds
    assert results[folders[0]].ok and results[folders[1]].ok and not results[broken.resolve()].ok


# ---------------------------------------------------------------------------- whole checks


def as_rows(report) -> list:
    return [json.dumps(p.to_json(), sort_keys=True) for p in report.problems]


def test_warm_check_says_what_cold_check_says(repo, monkeypatch):
    card = repo / "streams" / "okd-scos" / "stream.yaml"  # a problem to find: an unknown param
    card.write_text(card.read_text().replace("- name: branch  #", "- name: brnach  #", 1))
    cold = check_repository(repo, Config(), progress=False)
    assert cold.problems and all(s.rendered for s in cold.summaries)
    counts = counting(monkeypatch)
    warm = check_repository(repo, Config(), progress=False)
    assert counts == {"build": 0, "batch": 0}
    assert as_rows(warm) == as_rows(cold)
    assert [(s.name, s.objects, s.errors, s.warnings) for s in warm.summaries] == [
        (s.name, s.objects, s.errors, s.warnings) for s in cold.summaries
    ]
    uncached = check_repository(repo, Config(), progress=False, cache=False)
    assert as_rows(uncached) == as_rows(cold)


def test_no_cache_neither_reads_nor_writes(repo, tmp_path):
    check_repository(repo, Config(), progress=False, cache=False)
    assert not (tmp_path / "cache").exists()
    check_repository(repo, Config(), progress=False)
    assert any((tmp_path / "cache" / "renders").iterdir())


def test_an_unchanged_repository_reuses_the_whole_report(repo, monkeypatch):
    cold = check_repository(repo, Config(), progress=False, reuse_report=True)
    assert cold.units  # computed, not reused
    counts = counting(monkeypatch)
    reused = check_repository(repo, Config(), progress=False, reuse_report=True)
    assert counts == {"build": 0, "batch": 0} and reused.units == []
    assert as_rows(reused) == as_rows(cold) and reused.summaries == cold.summaries
    (repo / "streams" / "okd-scos" / "README.md").write_text("Any file changed: the check runs again.\n")
    again = check_repository(repo, Config(), progress=False, reuse_report=True)
    assert again.units and as_rows(again) == as_rows(cold) and again.summaries == cold.summaries


def test_a_reused_report_checks_what_the_builds_read_outside_the_repository(repo, tmp_path):
    shared = tmp_path / "shared-base"
    shared.mkdir()
    (shared / "kustomization.yaml").write_text("resources:\n  - config.yaml\n")
    config_map = shared / "config.yaml"
    config_map.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  a: b\n")
    kustomization = repo / "streams" / "okd-scos" / "kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text().replace(
            "resources:\n", f"resources:\n  - {Path('..', '..', '..', 'shared-base')}\n", 1
        )
    )
    first = check_repository(repo, Config(), progress=False, reuse_report=True)
    assert check_repository(repo, Config(), progress=False, reuse_report=True).units == []  # reused
    config_map.write_text(config_map.read_text().replace("a: b", "a: c"))
    again = check_repository(repo, Config(), progress=False, reuse_report=True)
    assert again.units  # the file outside changed: checked again
    assert [s.objects for s in again.summaries] == [s.objects for s in first.summaries]


def test_a_cold_check_parses_each_source_file_once(repo, monkeypatch):
    """Render threads look up resource files (to credit objects to them) through the same
    parsed tree as the rules: no file is read and parsed twice in one run."""
    from okd_streams.files import loader as yamlio

    parsed: list[str] = []
    real = yamlio.parse_text
    monkeypatch.setattr(yamlio, "parse_text", lambda text, path="<string>": parsed.append(path) or real(text, path))
    report = check_repository(repo, Config(), progress=False)
    assert all(s.rendered for s in report.summaries)
    # however it was named; "<...>": not a file (YAML held in an annotation)
    files = [os.path.relpath(p, repo) if os.path.isabs(p) else p for p in parsed if not p.startswith("<")]
    assert any(p.startswith("base/tasks/") for p in files)
    assert len(files) == len(set(files)), sorted({p for p in files if files.count(p) > 1})
