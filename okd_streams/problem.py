"""The one value every check produces: a problem at a place in a file."""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("error", "warning", "info")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}


@dataclass(frozen=True, order=True)
class Problem:
    """A finding. Sorts by file, then position, then code; line and column are 1-based."""

    path: str
    line: int
    column: int
    code: str
    level: str
    rule: str
    message: str
    stream: str | None = None

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "level": self.level,
            "code": self.code,
            "rule": self.rule,
            "message": self.message,
            "stream": self.stream,
        }

    def as_row(self) -> list:
        """The fields in order (`Problem(*row)` makes it again): how the cache stores problems."""
        return [self.path, self.line, self.column, self.code, self.level, self.rule, self.message, self.stream]

    def with_level(self, level: str) -> Problem:
        return Problem(self.path, self.line, self.column, self.code, level, self.rule, self.message, self.stream)


def exit_code(problems: list[Problem], strict: bool = False) -> int:
    """0 clean, 1 when any error (or, with strict, any warning) is present."""
    failing = {"error", "warning"} if strict else {"error"}
    return 1 if any(p.level in failing for p in problems) else 0
