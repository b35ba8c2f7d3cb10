#!/usr/bin/env python3
"""Scaffold a new stream: `python scripts/new_stream.py NAME [options]` (same as `okd-streams new`).

Run it from the repository root with the venv's python (`.venv/bin/python`, after `make setup`)
or any python that has okd-streams installed; `--help` lists the options. With another python,
it uses the checkout's okd_streams, and restarts itself with .venv/bin/python when a
dependency is missing there.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _import_main():
    try:
        from okd_streams.cli import main

        return main
    except ModuleNotFoundError as exc:
        missing = exc.name
    if str(ROOT) not in sys.path:  # not installed: use the checkout's package
        sys.path.insert(0, str(ROOT))
        try:
            from okd_streams.cli import main

            return main
        except ModuleNotFoundError as exc:
            missing = exc.name
    venv_python = ROOT / ".venv" / "bin" / "python"
    if venv_python.is_file() and not os.environ.get("OKD_STREAMS_REEXEC"):
        os.environ["OKD_STREAMS_REEXEC"] = "1"
        os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.stderr.write(
        f"new_stream.py: this python ({sys.executable}) cannot import {missing}: run `make setup`, "
        "then `.venv/bin/python scripts/new_stream.py ...`\n"
    )
    raise SystemExit(2)


if __name__ == "__main__":
    raise SystemExit(_import_main()(["new", *sys.argv[1:]]))
