"""The GitHub workflow (issue 19, item 4) against the GitHub workflow JSON schema that
check-jsonschema vendors, offline: a broken workflow fails `make test`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.y*ml"))
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    # --builtin-schema: the schema shipped inside the package, never downloaded
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_there_is_a_workflow():
    assert [p.name for p in WORKFLOWS] == ["check.yaml"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_the_github_schema(workflow):
    done = schema_check(workflow)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "    runs-on: ubuntu-24.04\n    timeout-minutes: 30\n    permissions:",
            "    timeout-minutes: 30\n    permissions:",
        ),
        ("      - uses: actions/checkout@v4\n", "      - usses: actions/checkout@v4\n"),
        ("  pull_request:\n", "  pull-request:\n"),
        ("    timeout-minutes: 30\n    steps:", "    timeout-minutes: thirty\n    steps:"),
    ],
    ids=["no-runs-on", "misspelt-uses", "unknown-event", "timeout-not-a-number"],
)
def test_a_broken_copy_fails_the_schema(tmp_path, old, new):
    text = (REPO / ".github/workflows/check.yaml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "check.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    done = schema_check(broken)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Schema validation errors" in done.stdout + done.stderr


def test_workflow_runs_what_the_issue_asks():
    text = (REPO / ".github/workflows/check.yaml").read_text(encoding="utf-8")
    for needed in (
        "pull_request:",
        "run: make check",
        "--format github",
        "--format sarif > okd-streams.sarif",
        "github/codeql-action/upload-sarif@",
        "sarif_file: okd-streams.sarif",
        "security-events: write",
        "run: make test",
        ".venv/bin/pre-commit run --all-files",
    ):
        assert needed in text, needed
