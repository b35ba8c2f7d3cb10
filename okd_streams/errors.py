"""Errors that end a command with exit 2 and a one-line message (never a traceback)."""


class UsageError(Exception):
    """Bad arguments discovered after parsing: exit 2 with this message."""
