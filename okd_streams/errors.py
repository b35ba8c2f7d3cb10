"""Errors that end a command with exit 2 and a one-line message (never a traceback).

Every error a user must act on is an `OkdStreamsError`; okd_streams.cli is the one place that
turns it into `okd-streams: <message>` on stderr and its exit code. Findings are not errors:
they are Problems, reported with exit 1.
"""

from __future__ import annotations


class OkdStreamsError(Exception):
    """Ends the command: its message on one line, exit code EXIT_CODE."""

    EXIT_CODE = 2


class UsageError(OkdStreamsError):
    """Bad arguments discovered after parsing (no such stream, conflicting options)."""


class NotARepository(UsageError):
    """`check` (or another repository command) outside an okd-streams repository."""


class GitError(UsageError):
    """Not a git repository, an unknown revision, or a git command that failed."""


class GitMissing(GitError):
    """The git command is not on PATH."""


class BareRepository(GitError):
    """A repository without a work tree."""


class ConfigError(OkdStreamsError):
    """A configuration the user must fix: .okd-streams.yaml, or the .yamllint it points to."""


class ToolError(OkdStreamsError):
    """A program okd-streams runs is missing from this environment, or cannot run."""


class KustomizeMissing(ToolError):
    """No kustomize could be found."""


class GraphvizError(ToolError):
    """`dot` is not on PATH, or failed."""
