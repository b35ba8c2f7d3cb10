"""One error hierarchy (okd_streams.errors) and one place (cli.main) that turns an error into
its message and exit code."""

from __future__ import annotations

import argparse

import pytest

from okd_streams import cli, errors
from okd_streams.errors import OkdStreamsError

KINDS = [kind for kind in vars(errors).values() if isinstance(kind, type) and issubclass(kind, OkdStreamsError)]


class _Parser:
    """A parser whose command raises `kind`."""

    def __init__(self, kind: type[OkdStreamsError]) -> None:
        self.kind = kind

    def parse_args(self, argv: list[str] | None) -> argparse.Namespace:
        def run(args: argparse.Namespace) -> int:
            raise self.kind("streams/x: what went wrong, and what to do")

        return argparse.Namespace(run=run)


@pytest.mark.parametrize("kind", KINDS, ids=[kind.__name__ for kind in KINDS])
def test_every_error_ends_the_command_with_its_message_and_exit_2(kind, monkeypatch, capsys):
    monkeypatch.setattr(cli, "build_parser", lambda only=None: _Parser(kind))
    assert cli.main(["check"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "okd-streams: streams/x: what went wrong, and what to do\n")
