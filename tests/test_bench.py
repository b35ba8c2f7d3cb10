"""The benchmark's synthetic repository can still be built: `make bench` is run rarely, and a
change to the streams' contract (a new destination to give every copy) must not break it
unnoticed. Speed itself is measured by `make bench`, never here."""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench
from okd_streams.config import Config
from okd_streams.lint.checking import check_repository
from okd_streams.model.repo import discover_streams


def test_the_synthetic_repository_builds_and_passes_check(tmp_path: Path) -> None:
    target = tmp_path / "repo"
    seeds = len(discover_streams(bench.REPO))
    bench.build_repository(target, seeds + 3, full=2)  # two through the whole scaffolder, one from a plan
    names = [s.name for s in discover_streams(target)]
    assert len(names) == seeds + 3
    report = check_repository(target, Config(), None, progress=False)
    assert [p for p in report.problems if p.level == "error"] == []
