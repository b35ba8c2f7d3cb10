"""What the user asked for, and the two ways a request ends without a stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from okd_streams.errors import UsageError
from okd_streams.problem import Problem


@dataclass
class Request:
    """What the user asked for (from argparse, or built by a test)."""

    name: str
    root: Path = Path(".")
    source: str | None = None
    components: list[str] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    description: str | None = None
    namespace: str | None = None
    dry_run: bool = False
    git: bool = False
    interactive: bool | None = None  # None: only when stdin and stdout are terminals


class Refused(UsageError):
    """A request that cannot be carried out as given: exit 2, the tree untouched."""

    def __init__(self, problems: list[str] | str, heading: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if heading:
            text = heading + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        elif len(self.problems) == 1:
            text = self.problems[0]
        else:
            text = "\n".join(f"  - {p}" for p in self.problems)
            text = "cannot create the stream:\n" + text
        super().__init__(text)


class CheckFailed(Exception):
    """The new stream renders but has error-level problems: exit 1, nothing written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
