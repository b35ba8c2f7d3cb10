"""The real CLI as a test runs it: `okd-streams lint --format json --no-cache PATH...`, its
findings as the JSON report's dicts (path, line, column, level, code, rule, message...)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from okd_streams.cli import main


def lint_json(*paths: Path | str) -> list[dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["lint", "--format", "json", "--no-cache", *(str(path) for path in paths)])
    return json.loads(out.getvalue())
