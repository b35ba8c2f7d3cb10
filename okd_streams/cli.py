"""`okd-streams`: one entry point, one module per subcommand in okd_streams/commands/.

Exit codes: 0 clean, 1 problems at error level (or a diff, for `diff`), 2 usage,
configuration or environment errors. No traceback reaches a user: set
OKD_STREAMS_DEBUG=1 to see one.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from okd_streams import __version__, commands
from okd_streams.errors import OkdStreamsError


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with `only`, just that subcommand (its module alone is imported)."""
    parser = argparse.ArgumentParser(
        prog="okd-streams",
        description="Scaffold, render, lint and contract-check OKD streams (Kustomize overlays on Tekton bases).",
    )
    parser.add_argument("--version", action="version", version=f"okd-streams {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    chosen = commands.command(only) if only else None
    for module in [chosen] if chosen is not None else commands.COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the program itself (not a caller in a long-lived process, such as a test)
        # A run builds millions of small dicts and lists (rendered objects) and keeps them to
        # the end: with the default thresholds Python's cycle collector rescans them thousands
        # of times (a third of a warm check of 200 streams, more the more streams).
        gc.freeze()
        gc.set_threshold(100_000, 50, 100)
    words = sys.argv[1:] if argv is None else argv
    # `okd-streams check ...`: build only that subcommand's parser (its help and errors are the same).
    only = words[0] if words and not words[0].startswith("-") and commands.command(words[0]) else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except OkdStreamsError as exc:  # the one place errors become messages and exit codes
        print(f"okd-streams: {exc}", file=sys.stderr)
        return exc.EXIT_CODE
    except KeyboardInterrupt:
        print("okd-streams: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("OKD_STREAMS_DEBUG"):
            import traceback

            traceback.print_exc()
        print(
            f"okd-streams: internal error: {type(exc).__name__}: {exc} "
            "(set OKD_STREAMS_DEBUG=1 for a traceback, and please report it)",
            file=sys.stderr,
        )
        return 2


def run() -> None:
    """The installed command and `python -m okd_streams`: `main()`, then the process ends
    without taking its objects apart one by one (a big run holds millions; that took longer
    than writing the report). Everything the command writes is written before it returns:
    files through `with` blocks, the cache in committed transactions; only the standard
    streams are left to flush."""
    exit_now(main())


def exit_now(code: int) -> None:
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader went away (`| head`), or stdout is closed
        pass
    try:
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


if __name__ == "__main__":
    run()
