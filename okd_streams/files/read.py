"""YAML files from disk: read safely (okd_streams.files.paths), then parsed by the one loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from okd_streams.files import loader, pac_text
from okd_streams.files.loader import YamlFile
from okd_streams.files.paths import decode, outside, read_limited, symlink_issue


def load_file(
    path: Path,
    display: str | None = None,
    boundaries: list[Path] | tuple[Path, ...] = (),
    parsed: dict[str, YamlFile] | None = None,
    raw: bytes | None = None,
) -> YamlFile:
    """Read and parse one file. `display` is the path shown in problems. With `boundaries`, a
    file that is (through a symlink) outside all of them is not read: a "symlink" issue.
    `parsed`: files already parsed in this run by text; a file with the same text (a catalog's
    versions share their samples) is not parsed again but shares that parse (read-only data).
    `raw`: the file's bytes, already read as `read_limited` reads them (to hash them)."""
    shown = display or str(path)
    escaped = outside(path, boundaries)
    if escaped is not None:
        return YamlFile(path=shown, issues=[symlink_issue(escaped)])
    if raw is None:
        raw, issue = read_limited(path)
        if issue:
            return YamlFile(path=shown, issues=[issue])
    assert raw is not None  # read_limited gives bytes or an issue
    text, issue = decode(raw)
    if issue:
        return YamlFile(path=shown, issues=[issue])
    assert text is not None  # decode gives text or an issue
    if pac_text.FOLDER in path.parts:
        text = pac_text.as_pac_reads(text)
    if parsed is None:
        return loader.parse_text(text, shown)
    same = parsed.get(text)
    if same is None:
        same = parsed[text] = loader.parse_text(text, shown)
    return same if same.path == shown else same.named(shown)


def load_file_data(path: Path) -> Any:
    """The first document's plain data of a file, or None when unreadable: never blocks on a
    FIFO, never reads a huge file whole, never crashes on deep nesting or an alias bomb."""
    raw, issue = read_limited(path)
    if issue is not None or raw is None:
        return None
    text, issue = decode(raw)
    if issue is not None or text is None:
        return None
    return loader.load_data(text)[0]
