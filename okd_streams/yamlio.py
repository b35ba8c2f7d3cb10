"""Read YAML once, fast, keeping where every value came from.

Read-only parsing uses PyYAML's C parser (libyaml) and builds plain Python data plus a
map from each value's path to its 1-based (line, column). Anything that goes wrong while
reading (not UTF-8, binary, too big, syntax, duplicate keys, alias bombs, absurd depth)
becomes a `LoadIssue` in position, never an exception: the caller turns it into a Problem.
Writing (comment-preserving) lives in `okd_streams.edit`, with ruamel.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is an optional part of PyYAML wheels; fall back quietly
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NODES = 500_000  # after alias expansion: stops "billion laughs" documents
MAX_DEPTH = 200

Path_ = tuple  # a path into a document: keys (str) and list indexes (int)

_DIRECTIVE = re.compile(r"#\s*okd-streams:\s*disable=([A-Za-z0-9_,\- ]+)")
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass
class LoadIssue:
    """Something wrong with the file itself (not with what it describes)."""

    line: int
    column: int
    kind: str  # "syntax" | "duplicate-key" | "encoding" | "too-large" | "too-complex"
    message: str


@dataclass
class Document:
    """One YAML document: its data and the position of each value in the file."""

    path: str
    index: int
    data: Any
    marks: dict[tuple, tuple[int, int]]
    start_line: int
    end_line: int
    disabled: frozenset[str] = frozenset()

    def pos(self, path: tuple = ()) -> tuple[int, int]:
        """Position of `path`, or of its nearest ancestor present in the file."""
        path = tuple(path)
        while path:
            found = self.marks.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return self.marks.get((), (self.start_line, 1))

    def has(self, path: tuple) -> bool:
        return tuple(path) in self.marks


@dataclass
class YamlFile:
    path: str
    documents: list[Document] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    text: str = ""


class _TooComplex(Exception):
    pass


class _Builder:
    """Turn a composed node tree into plain data plus positions."""

    def __init__(self, constructor: Any) -> None:
        self.constructor = constructor
        self.nodes = 0
        self.marks: dict[tuple, tuple[int, int]] = {}
        self.issues: list[LoadIssue] = []

    def build(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooComplex(f"more than {MAX_NODES} values after alias expansion")
        if depth > MAX_DEPTH:
            raise _TooComplex(f"nesting deeper than {MAX_DEPTH} levels")
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if node.tag in _SCALAR_TAGS:
            return self.constructor.construct_object(node)
        # timestamps, binary and custom tags: keep the text, as Kubernetes would see it
        return node.value if isinstance(node.value, str) else str(node.value)

    def _mapping(self, node: yaml.MappingNode, path: tuple, depth: int) -> dict:
        result: dict = {}
        for key_node, value_node in self._merged_pairs(node):
            key = self.build(key_node, path + ("<key>",), depth + 1)
            if isinstance(key, (list, dict)):
                key = yaml.dump(key, default_flow_style=True).strip()
            elif not isinstance(key, str):
                key = "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
            child = path + (key,)
            if key in result:
                self.issues.append(
                    LoadIssue(key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                              "duplicate-key", f'duplicate key "{key}"')
                )
            self.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1)
            self.marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        self.marks.pop(path + ("<key>",), None)
        return result

    @staticmethod
    def _merged_pairs(node: yaml.MappingNode) -> list:
        pairs = []
        merged = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    if isinstance(source, yaml.MappingNode):
                        merged.extend(source.value)
            else:
                pairs.append((key_node, value_node))
        explicit = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
        return [(k, v) for k, v in merged if not (isinstance(k, yaml.ScalarNode) and k.value in explicit)] + pairs


def decode(raw: bytes) -> tuple[str | None, LoadIssue | None]:
    """Bytes to text, refusing what is not a UTF-8 text file."""
    if len(raw) > MAX_FILE_BYTES:
        return None, LoadIssue(1, 1, "too-large",
                               f"file is {len(raw)} bytes; okd-streams reads YAML files up to {MAX_FILE_BYTES}")
    if b"\x00" in raw:
        return None, LoadIssue(1, 1, "encoding", "binary file (contains NUL bytes), not YAML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, LoadIssue(line, 1, "encoding", f"not UTF-8 text (bad byte at offset {exc.start})")
    return text, None


_BLOCK_RUN = re.compile(r"(?:[-?]\s+){64,}")
_FLOW = re.compile(r"[\[\]{}]")


def _deeply_nested(text: str) -> bool:
    """Cheap bound on nesting: libyaml's C composer crashes (not raises) past ~20,000 levels."""
    if _BLOCK_RUN.search(text):
        return True
    if text.count("[") + text.count("{") < MAX_DEPTH:
        return False
    depth = 0
    for match in _FLOW.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def parse_text(text: str, path: str = "<string>") -> YamlFile:
    """Parse every document of `text`; problems become LoadIssues, never exceptions."""
    result = YamlFile(path=path, text=text)
    # The pure-Python loader raises RecursionError where the C one would crash.
    loader = yaml.SafeLoader(text) if _deeply_nested(text) else _Loader(text)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            builder = _Builder(loader)
            try:
                data = builder.build(node, (), 0)
            except _TooComplex as exc:
                result.issues.append(LoadIssue(node.start_mark.line + 1, 1, "too-complex", str(exc)))
                index += 1
                continue
            result.issues.extend(builder.issues)
            result.documents.append(
                Document(path, index, data, builder.marks, node.start_mark.line + 1, node.end_mark.line + 1)
            )
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        result.issues.append(LoadIssue(line, column, "syntax", f"YAML syntax error: {reason}"))
    except RecursionError:
        result.issues.append(LoadIssue(1, 1, "too-complex", f"nesting deeper than {MAX_DEPTH} levels"))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        result.issues.append(LoadIssue(1, 1, "syntax", f"YAML error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"))
    finally:
        loader.dispose()
    _attach_directives(result)
    return result


def _attach_directives(result: YamlFile) -> None:
    """`# okd-streams: disable=CODE` inside a document silences CODE for that document."""
    if "okd-streams:" not in result.text or not result.documents:
        return
    for number, line in enumerate(result.text.splitlines(), start=1):
        match = _DIRECTIVE.search(line)
        if not match:
            continue
        codes = frozenset(c.strip() for c in match.group(1).split(",") if c.strip())
        # A comment above the first key belongs to the document that follows it.
        target = next((d for d in result.documents if number <= d.end_line), result.documents[-1])
        target.disabled = target.disabled | codes


def load_file(path: Path, display: str | None = None) -> YamlFile:
    """Read and parse one file. `display` is the path shown in problems."""
    shown = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return YamlFile(path=shown, issues=[LoadIssue(1, 1, "encoding", f"cannot read file: {exc.strerror or exc}")])
    text, issue = decode(raw)
    if issue:
        return YamlFile(path=shown, issues=[issue])
    return parse_text(text, shown)


def load_all_data(text: str) -> list[Any]:
    """Plain data of every document, for rendered output (trusted, no positions needed)."""
    return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
