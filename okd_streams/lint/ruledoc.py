"""Rule documentation as data: the docstring's sections, and the example folder of each rule.

A rule's docstring holds its summary line and the sections "What it does", "Why" and
optionally "Options". Its examples are files, as pylint keeps them
(doc/data/messages/<symbol>/bad.py, good.py), in `okd_streams/rules/examples/<CODE>/`:

    bad/          the failing tree: real files, as a user would have them
    good.diff     a unified diff turning bad/ into the passing tree; the two trees share
                  everything else (`diff -ruN bad good > good.diff` in that folder writes one)
    expected.txt  what the failing tree gives for this code, one `path:line:column: level CODE`
                  a line (paths relative to the tree)

A tree that has a `streams/` folder is checked as an okd-streams repository (`okd-streams
check`); any other is linted as a foreign tree (`okd-streams lint`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from types import ModuleType

SECTIONS = ("What it does", "Why")
FOLDER = "okd_streams/rules/examples"
_SECTION = re.compile(r"^(What it does|Why|Options):\s*$", re.MULTILINE)
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_EXPECTED = re.compile(r"^(.+):(\d+):(\d+): (error|warning|info) ([A-Z]\d{3})$")


@dataclass
class RuleDoc:
    summary: str
    sections: dict[str, str]


def parse(rule: ModuleType) -> RuleDoc:
    text = (rule.__doc__ or "").strip()
    summary, _, body = text.partition("\n")
    sections: dict[str, str] = {}
    matches = list(_SECTION.finditer(body))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        sections[match.group(1)] = body[match.end() : end].strip("\n")
    return RuleDoc(summary.strip(), sections)


# --- examples ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Expected:
    """A finding the failing tree gives: where, at which level, of which code."""

    path: str
    line: int
    column: int
    level: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.level} {self.code}"


@dataclass(frozen=True)
class Example:
    code: str
    bad: dict[str, str]  # path in the tree -> text, sorted by path
    good: dict[str, str]
    expected: list[Expected]

    @property
    def repository(self) -> bool:
        """Checked as an okd-streams repository (else linted as a foreign tree)."""
        return any(path.startswith("streams/") for path in (*self.bad, *self.good))

    @property
    def command(self) -> str:
        return "okd-streams check" if self.repository else "okd-streams lint"


def _examples() -> Traversable:
    # Package data, so that `explain` works from an installed package too.
    return resources.files("okd_streams.rules").joinpath("examples")


def codes() -> list[str]:
    """The codes that have an example folder."""
    return sorted(
        entry.name for entry in _examples().iterdir() if entry.is_dir() and not entry.name.startswith(("_", "."))
    )


def example(code: str) -> Example:
    """The example of `code`; FileNotFoundError when it has none."""
    folder = _examples().joinpath(code)
    if not folder.is_dir():
        raise FileNotFoundError(f"no example folder for {code}")
    bad = dict(sorted(_tree(folder.joinpath("bad"), "")))
    good = apply_diff(bad, _read(folder.joinpath("good.diff")))
    return Example(code, bad, good, parse_expected(_read(folder.joinpath("expected.txt"))))


def _read(entry: Traversable) -> str:
    return entry.read_bytes().decode("utf-8")  # bytes as they are: no newline translation


def _tree(folder: Traversable, prefix: str) -> list[tuple[str, str]]:
    files = []
    for entry in folder.iterdir():
        if entry.is_dir():
            files += _tree(entry, f"{prefix}{entry.name}/")
        else:
            files.append((prefix + entry.name, _read(entry)))
    return files


def parse_expected(text: str) -> list[Expected]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _EXPECTED.match(line)
        if not match:
            raise ValueError(f"expected.txt line {number}: not `path:line:column: level CODE`: {line!r}")
        path, row, column, level, code = match.groups()
        found.append(Expected(path, int(row), int(column), level, code))
    return found


def apply_diff(tree: dict[str, str], diff: str) -> dict[str, str]:
    """`tree` with the unified diff applied, strictly: each hunk at its stated line, its context
    and removed lines exactly as in the file. Paths drop their first part (bad/, good/), as
    `patch -p1` does; a hunk from line 0 makes a file, a hunk to line 0 (or to /dev/null)
    removes one."""
    files = dict(tree)
    lines = split_lines(diff)
    if any(line.startswith("\\") for line in lines):
        raise ValueError("diff: `\\ No newline at end of file`: end every file with a newline")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("--- "):
            i += 1  # `diff -ruN` and git headers between the files
            continue
        if i + 1 == len(lines) or not lines[i + 1].startswith("+++ "):
            raise ValueError(f"diff line {i + 1}: `---` without `+++`")
        old, new = _diff_path(lines[i]), _diff_path(lines[i + 1])
        path = old if new is None else new
        if path is None:
            raise ValueError(f"diff line {i + 1}: /dev/null on both sides")
        i, text = _patch(files.get(path, ""), lines, i + 2, path)
        if new is None and text:
            raise ValueError(f"diff: {path} goes to /dev/null but keeps lines")
        if text is None or new is None:
            files.pop(path, None)
        else:
            files[path] = text
    return dict(sorted(files.items()))


def _diff_path(header: str) -> str | None:
    """The tree path of a `---`/`+++` line (None for /dev/null), without a timestamp."""
    name = header[4:].rstrip("\n").split("\t", 1)[0]
    return None if name == "/dev/null" else name.partition("/")[2]


def _patch(text: str, lines: list[str], i: int, path: str) -> tuple[int, str | None]:
    """Apply the hunks of one file from lines[i]: (the next line, the new text or None when
    the file is removed)."""
    source = split_lines(text)
    result: list[str] = []
    taken = 0  # source lines consumed
    removed_all = False
    while i < len(lines) and (match := _HUNK.match(lines[i])):
        start, count, new_start, new_count = (int(g) if g is not None else 1 for g in match.groups())
        removed_all = new_start == new_count == 0
        first = start - 1 if count else start  # an empty range names the line before it
        if first < taken:
            raise ValueError(f"diff line {i + 1}: hunks of {path} overlap or are out of order")
        result += source[taken:first]
        taken = first
        i += 1
        old_seen = new_seen = 0
        while i < len(lines) and (old_seen < count or new_seen < new_count):
            # an editor may strip the space of an empty context line
            mark, line = (" ", "\n") if lines[i] == "\n" else (lines[i][:1], lines[i][1:])
            if mark not in (" ", "-", "+"):
                raise ValueError(f"diff line {i + 1}: hunk of {path} is shorter than its header says")
            if mark != "+":
                if taken >= len(source) or source[taken] != line:
                    raise ValueError(f"diff line {i + 1}: does not match line {taken + 1} of {path}")
                taken += 1
                old_seen += 1
            if mark != "-":
                result.append(line)
                new_seen += 1
            i += 1
        if (old_seen, new_seen) != (count, new_count):
            raise ValueError(f"diff line {i}: hunk of {path} is shorter than its header says")
    result += source[taken:]
    return i, None if removed_all and not result else "".join(result)


def split_lines(text: str) -> list[str]:
    """Lines with their "\\n", split at "\\n" only (str.splitlines also splits at \\r, \\f...)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


# --- as Markdown -------------------------------------------------------------------------------


def sections(example: Example) -> dict[str, str]:
    """ "Fails" and "Passes" in Markdown, for `explain` and docs/rules.md: the failing tree's
    files and what it gives, then the files of the passing tree that differ from it."""
    folder = f"{FOLDER}/{example.code}"
    expected = "".join(f"{e}\n" for e in example.expected)
    fails = [
        f"`{example.command}` on these files (`{folder}/bad/`):",
        *_files(example.bad),
        f"reports (path:line:column: level code):\n\n```text\n{expected}```",
    ]
    changed = {path: text for path, text in example.good.items() if example.bad.get(path) != text}
    removed = [path for path in example.bad if path not in example.good]
    passes = [
        f"`{example.command}` reports no {example.code} once `{folder}/good.diff` makes these changes:",
        *_files(changed),
        *(f"`{path}` is removed." for path in removed),
    ]
    if len(changed) + len(removed) < len(example.bad.keys() | example.good.keys()):
        passes.append("The other files are as in the failing example.")
    return {"Fails": "\n\n".join(fails), "Passes": "\n\n".join(passes)}


def _files(tree: dict[str, str]) -> list[str]:
    blocks = []
    for path, text in tree.items():
        body = text if text.endswith("\n") or not text else text + "\n"
        blocks.append(f"`{path}`:\n\n```yaml\n{body}```")
    return blocks
