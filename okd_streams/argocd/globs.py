"""Globs as Argo CD matches them: one translator to regular expressions, four dialects.

Argo CD matches paths and names with four glob syntaxes (read in its source):
- the git files generator, by default: `git ls-files -- <pattern>` (reposerver -> util/git
  LsFiles), a git pathspec where `*` and `?` also match `/` and a pattern without a
  wildcard is a path prefix;
- the same generator with --enable-new-git-file-globbing: bmatcuk/doublestar, where `*`
  stays within one folder, a `**` segment spans folders and `{a,b}` alternates;
- the git directories generator: Go's path.Match (applicationset/generators/git.go
  filterApps), where `*` and `?` never match `/`;
- AppProject allow lists (util/glob.Match, gobwas/glob without separators): `*` matches
  anything, `/` included, and `{a,b}` alternates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Dialect:
    any_char: str  # what one `?` (and each character of a `*`) may match: "." crosses folders, "[^/]" does not
    braces: bool  # `{a,b}` alternates
    globstar: bool  # a whole `**` segment spans folders


GIT_PATHSPEC = Dialect(".", braces=False, globstar=False)
DOUBLESTAR = Dialect("[^/]", braces=True, globstar=True)
GO_PATH = Dialect("[^/]", braces=False, globstar=False)
ARGO_GLOB = Dialect(".", braces=True, globstar=False)


def git_pathspec_match(pattern: str, path: str) -> bool:
    """`git ls-files -- <pattern>` (no pathspec magic): `*` and `?` also match `/`; no wildcard is a prefix."""
    pattern = pattern.lstrip("/") if pattern.startswith("/") else pattern
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if not GLOB_CHARS & set(pattern.replace("\\", "")):
        literal = pattern.replace("\\", "").rstrip("/")
        return path == literal or path.startswith(literal + "/") or literal in ("", ".")
    return _compiled(pattern, GIT_PATHSPEC).fullmatch(path) is not None


def doublestar_match(pattern: str, path: str) -> bool:
    """Argo CD's new git file globbing (bmatcuk/doublestar): `*` stays within one folder, `**` spans folders."""
    return _compiled(pattern.lstrip("/"), DOUBLESTAR).fullmatch(path) is not None


def go_path_match(pattern: str, name: str) -> bool:
    """Go's path.Match: `*` and `?` never match `/`; an invalid pattern matches nothing."""
    if pattern.count("/") != name.count("/"):
        return False
    return _compiled(pattern, GO_PATH).fullmatch(name) is not None


def argo_glob(pattern: str, text: str) -> bool:
    """Argo CD's util/glob.Match (gobwas/glob, no separators): `*` matches anything, `{a,b}` alternates."""
    return _compiled(pattern, ARGO_GLOB).fullmatch(text) is not None


@lru_cache(maxsize=4096)
def _compiled(pattern: str, dialect: Dialect) -> re.Pattern:
    """A glob's regex, translated and compiled once (the same few patterns are matched per path or object)."""
    return re.compile(translate(pattern, dialect), re.DOTALL)


def translate(pattern: str, dialect: Dialect) -> str:
    """The regular expression (for fullmatch) of `pattern` in `dialect`."""
    if not dialect.globstar:
        return _segment(pattern, dialect.any_char, dialect.braces)
    parts = pattern.split("/")
    out = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append("(?:.*)" if last else "(?:[^/]*/)*")
            continue
        out.append(_segment(part, dialect.any_char, dialect.braces))
        if not last:
            out.append("/")
    return "".join(out)


def _segment(segment: str, any_char: str, braces: bool) -> str:
    regex, i = [], 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            regex.append(any_char + "*")
        elif char == "?":
            regex.append(any_char)
        elif char == "[":
            piece, i = _class(segment, i)
            regex.append(piece)
            continue
        elif char == "{" and braces and "}" in segment[i:]:
            end = segment.index("}", i)
            options = segment[i + 1 : end].split(",")
            regex.append("(?:" + "|".join(_segment(o, any_char, False) for o in options) + ")")
            i = end + 1
            continue
        elif char == "\\" and i + 1 < len(segment):
            i += 1
            regex.append(re.escape(segment[i]))
        else:
            regex.append(re.escape(char))
        i += 1
    return "".join(regex)


def _class(pattern: str, i: int) -> tuple[str, int]:
    """A [...] character class starting at pattern[i] as a regex, and the index after it."""
    j = i + 1
    negate = j < len(pattern) and pattern[j] in "!^"
    if negate:
        j += 1
    start = j
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    if j >= len(pattern):
        return re.escape("["), i + 1
    body = pattern[start:j].replace("\\", "\\\\").replace("^", "\\^")
    return f"[{'^' if negate else ''}{body}]", j + 1
