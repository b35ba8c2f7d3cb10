"""The command ends with os._exit (cli.run): what it writes must still all arrive, with its code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.lint.test_lint import many_sets

ROOT = Path(__file__).resolve().parent.parent


def test_the_installed_command_is_cli_run():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["okd-streams"] == "okd_streams.cli:run"


def test_a_large_report_arrives_whole_with_the_exit_code(tmp_path):
    paths = many_sets(tmp_path, 40, rendered=False)
    environment = {**os.environ, "OKD_STREAMS_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "okd_streams", "lint", "--format", "json", *map(str, paths)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr  # broken references are errors
    report = json.loads(done.stdout)
    assert len(report) >= 80 and {p["code"] for p in report} >= {"T020", "Y001"}


@pytest.mark.parametrize("sets", [1, 200])  # a report still in the buffer at the end; one far larger than a pipe
def test_a_reader_that_goes_away_gets_no_traceback(tmp_path, sets):
    paths = many_sets(tmp_path, sets, rendered=False)
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}  # as a shell's
    environment["OKD_STREAMS_CACHE_DIR"] = str(tmp_path / "cache")
    process = subprocess.Popen(
        [sys.executable, "-m", "okd_streams", "lint", "--format", "json", *map(str, paths)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if sets > 1:
        process.stdout.read(10)
    process.stdout.close()  # `okd-streams lint ... | head -c 10`, or a reader gone before the end
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err, err
