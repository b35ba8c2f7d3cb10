"""Read YAML once, fast, keeping where every value came from: the one module that parses YAML.

Files the rules read go through `load_file` / `parse_text`: PyYAML's C parser (libyaml) builds
plain Python data plus a map from each value's path to its 1-based (line, column). Anything
that goes wrong while reading (not UTF-8, binary, too big, syntax, duplicate keys, alias bombs,
absurd depth) becomes a `LoadIssue` in position, never an exception: the caller turns it into
a Problem. Plain data without positions, for what okd-streams reads for itself:

    load_data(text)        the first document, issues as LoadIssues (kustomizations)
    load_file_data(path)   the same for a file, None when unreadable
    load_all_fast(text)    every document of kustomize's output, as fast as it gets
    load_one / load_all    one or every document; raise YamlError or RecursionError
    load_strings(text)     one document with every scalar a string (Tekton param values)
    dump_plain(data)       plain data as block YAML (diffs of rendered objects)

Plain scalars are read as Kubernetes reads them (`okd_streams.files.scalars`: `n` is false,
`10:30` is text); waiver comments are found by `okd_streams.files.directives`. Where the files
are and how their bytes are read safely lives in `okd_streams.files.paths`; comment-preserving
writes in `okd_streams.files.edit` (ruamel.yaml).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from okd_streams.files.directives import Directive
from okd_streams.files.directives import attach as attach_directives
from okd_streams.files.paths import LoadIssue
from okd_streams.files.scalars import BOOL, FLOAT, INT, NULL
from okd_streams.files.scalars import resolve as resolve_plain

MAX_NODES = 500_000  # after alias expansion: stops "billion laughs" documents
MAX_DEPTH = 200


class KubeResolver(Resolver):
    """PyYAML's resolver, but plain scalars resolved as go-yaml v2 resolves them."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return resolve_plain(value)[0]
        return super().resolve(kind, value, implicit)


class KubeConstructor(SafeConstructor):
    """SafeConstructor whose booleans, integers, floats and nulls are go-yaml v2's: an explicit
    tag (`!!int 0o17`) is read as Go reads its text, and refused when Go refuses it."""

    def _go_scalar(self, node: Any, tag: str) -> Any:
        text = self.construct_scalar(node)
        found_tag, value = resolve_plain(text)
        if found_tag == tag or (tag == FLOAT and found_tag == INT):
            return float(value) if tag == FLOAT else value
        raise ConstructorError(None, None, f"cannot read {text!r} as {tag.rsplit(':', 1)[-1]}", node.start_mark)

    def construct_go_bool(self, node: Any) -> Any:
        return self._go_scalar(node, BOOL)

    def construct_go_int(self, node: Any) -> Any:
        return self._go_scalar(node, INT)

    def construct_go_float(self, node: Any) -> Any:
        return self._go_scalar(node, FLOAT)

    def construct_go_null(self, node: Any) -> Any:
        return self._go_scalar(node, NULL)

    yaml_constructors = {  # noqa: RUF012 - PyYAML's registry, read by the class, never changed here
        **SafeConstructor.yaml_constructors,
        BOOL: construct_go_bool,
        INT: construct_go_int,
        FLOAT: construct_go_float,
        NULL: construct_go_null,
    }


class _PureLoader(KubeConstructor, KubeResolver, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader (whose error wording is shown to users), reading plain
    scalars as Kubernetes does."""


if yaml.__with_libyaml__:  # libyaml is an optional part of PyYAML wheels

    class _CLoader(KubeConstructor, KubeResolver, yaml.CSafeLoader):
        """libyaml's safe loader, reading plain scalars as Kubernetes does."""

else:  # pragma: no cover - depends on the wheel
    _CLoader = _PureLoader  # type: ignore[misc, assignment]


_PYTHON_TAG = "tag:yaml.org,2002:python/"  # PyYAML's tags that construct Python objects
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


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
    reasons: dict[str, str] = field(default_factory=dict)  # waived code -> the reason given
    decodes: bool = True  # False when a Kubernetes decoder refuses it whole (a list or mapping as a key)

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
    directives: list[Directive] = field(default_factory=list)

    def named(self, path: str) -> YamlFile:
        """The same parse, shown as another file (its documents' data and positions shared)."""
        documents = [dataclasses.replace(document, path=path) for document in self.documents]
        return YamlFile(path, documents, list(self.issues), self.text, list(self.directives))


def _python_tag_issue(tag: str, mark: Any) -> LoadIssue:
    shown = "!!" + tag[len("tag:yaml.org,2002:") :]
    return LoadIssue(
        mark.line + 1,
        mark.column + 1,
        "tag",
        f"the tag {shown} is Python's, not part of the YAML Kubernetes reads: kubectl and Argo CD "
        "ignore it and read the value beneath, and a Python loader that honours it runs code; "
        "remove the tag",
    )


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
        if node.tag.startswith(_PYTHON_TAG):
            self.issues.append(_python_tag_issue(node.tag, node.start_mark))
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
                self.issues.append(
                    LoadIssue(
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        "key",
                        f"this mapping key is a {'list' if isinstance(key, list) else 'mapping'}: a key must be a "
                        "string (a number or true/false is read as one), and kubectl and Argo CD refuse the "
                        "document (invalid map key)",
                    )
                )
                key = yaml.dump(key, default_flow_style=True).strip()
            elif not isinstance(key, str):
                key = "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
            child = path + (key,)
            if key in result:
                self.issues.append(
                    LoadIssue(
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        "duplicate-key",
                        f'duplicate key "{key}"',
                    )
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


def _expanded_size(root: yaml.Node) -> int:
    """How many values a node tree holds once aliases are expanded, counted over the shared
    node graph (each node once, memoized), so a billion-laughs document costs milliseconds.
    Stops counting past MAX_NODES; depth past MAX_DEPTH is the builder's to report."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        known = sizes.get(id(node))
        if known == -1:  # reached again while counting it
            raise _TooComplex("an alias refers to a mapping or list that contains it (endless nesting)")
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            return 1
        sizes[id(node)] = -1
        total = 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total += size(key, depth + 1) + size(value, depth + 1)
                if total > MAX_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
                if total > MAX_NODES:
                    break
        sizes[id(node)] = total
        return total

    return size(root, 0)


_BLOCK_RUN = re.compile(r"(?:[-?]\s+){64,}")
# Any block run holds two of its steps in a row, starting with "-" or "?": patterns that start
# with a literal character are searched several times faster than one that starts with a class.
_DASH_STEPS = re.compile(r"-\s+[-?]\s")
_QUESTION_STEPS = re.compile(r"\?\s+[-?]\s")
_FLOW = re.compile(r"[\[\]{}]")


def _deeply_nested(text: str) -> bool:
    """Cheap bound on nesting: libyaml's C composer crashes (not raises) past ~20,000 levels."""
    if (_DASH_STEPS.search(text) or _QUESTION_STEPS.search(text)) and _BLOCK_RUN.search(text):
        return True
    if text.count("[") + text.count("{") < MAX_DEPTH:
        return False
    depth = 0
    for match in _FLOW.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def too_deep(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The 1-based line where nesting first exceeds `limit`, else None. Walks libyaml's event
    stream (its parser is iterative, unlike PyYAML's C composer, which recurses and crashes
    the process past ~20,000 levels), so the answer is exact and takes milliseconds."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > limit:
                    return event.start_mark.line + 1  # type: ignore[union-attr]  # parser events have marks
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except (yaml.YAMLError, ValueError, TypeError):
        return None  # the loader reports the syntax error, before any deep level
    return None


class _TooDeepLoader(_PureLoader):
    """What `_Loader` gives for text nested past what any loader survives: it raises
    RecursionError (which callers catch) instead of crashing or scanning for seconds."""

    def check_data(self) -> bool:
        raise RecursionError(f"YAML nested deeper than {_LOADER_DEPTH} levels")

    get_data = get_single_data = check_data


_LOADER_DEPTH = 500  # PyYAML's constructors recurse in Python: RecursionError from ~330 levels on


def _make_loader(stream: Any) -> _PureLoader | _CLoader:
    """A safe loader for `yaml.load(text, Loader=_Loader)`: the fast C one, unless the text is
    nested deeply enough to crash it (a segfault, not an exception): then one that raises
    RecursionError at once. Callers catch RecursionError."""
    if hasattr(stream, "read"):
        stream = stream.read()
    text = stream.decode("utf-8", errors="replace") if isinstance(stream, bytes) else stream
    if isinstance(text, str) and _deeply_nested(text) and too_deep(text, _LOADER_DEPTH) is not None:
        return _TooDeepLoader(stream)
    return _CLoader(stream)


# Used as `Loader=`, which yaml only calls as Loader(stream): typed as the class it stands for.
_Loader = cast("type[yaml.SafeLoader]", _make_loader)


YamlError = yaml.YAMLError  # what `load_one`, `load_all` and `load_strings` raise on text that is not YAML


def load_one(text: str, *, pure: bool = False) -> Any:
    """The single document of `text` as plain data (None when empty), through the guarded C
    loader; raises YamlError (also for a second document) or RecursionError (too deep).
    `pure`: PyYAML's Python parser instead, where its exact wording reaches users (libyaml
    says "mapping values are not allowed in this context" where it says "... here")."""
    return yaml.load(text, Loader=_PureLoader if pure else _Loader)


def load_all(text: str, *, pure: bool = False) -> list[Any]:
    """Every document of `text` as plain data (None for an empty one); raises as `load_one`."""
    return list(yaml.load_all(text, Loader=_PureLoader if pure else _Loader))


def load_strings(text: str) -> Any:
    """The single document of `text` with every scalar a string, as Tekton reads param values
    (PyYAML's Python base loader: its error wording is shown to users)."""
    return yaml.load(text, Loader=yaml.BaseLoader)


class _KubeDumper(KubeResolver, yaml.SafeDumper):
    """Quotes a string that Kubernetes would read as something else (`n`, `1e3`)."""


def dump_plain(data: Any) -> str:
    """Plain data as block YAML, keys in their order, long lines kept whole; what kubectl and
    Argo CD read back is `data` (a string they would take for a boolean or number is quoted)."""
    return yaml.dump(
        data, Dumper=_KubeDumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000
    )


def parse_text(text: str, path: str = "<string>") -> YamlFile:
    """Parse every document of `text`; problems become LoadIssues, never exceptions."""
    return _parse(text, path, fast=True)


def parse_text_nodes(text: str, path: str = "<string>") -> YamlFile:
    """`parse_text` through composed nodes only: the reference the event fast path must equal."""
    return _parse(text, path, fast=False)


def _parse(text: str, path: str, fast: bool) -> YamlFile:
    result = YamlFile(path=path, text=text)
    if _deeply_nested(text):  # cheap pre-check; then an exact one before the C composer runs
        line = too_deep(text)
        if line is not None:
            result.issues.append(LoadIssue(line, 1, "too-complex", f"nesting deeper than {MAX_DEPTH} levels"))
            attach_directives(result)
            return result
    if not (fast and _read_events(result)):
        _read_nodes(result)
    attach_directives(result)
    return result


def _syntax_issue(exc: yaml.MarkedYAMLError) -> LoadIssue:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    reason = exc.problem or exc.context or "invalid YAML"
    return LoadIssue(line, column, "syntax", f"YAML syntax error: {reason}")


def _read_nodes(result: YamlFile) -> None:
    """Compose each document's node tree in C, then build it with `_Builder`: handles every
    input (aliases, merge keys, complex keys), at over twice the event path's cost."""
    path = result.path
    loader = _CLoader(result.text)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            builder = _Builder(loader)
            try:
                if _expanded_size(node) > MAX_NODES:  # alias bombs: refused before anything is built
                    raise _TooComplex(f"more than {MAX_NODES} values after alias expansion")
                data = builder.build(node, (), 0)
            except _TooComplex as exc:
                result.issues.append(LoadIssue(node.start_mark.line + 1, 1, "too-complex", str(exc)))
                index += 1
                continue
            result.issues.extend(builder.issues)
            result.documents.append(
                Document(
                    path,
                    index,
                    data,
                    builder.marks,
                    node.start_mark.line + 1,
                    node.end_mark.line + 1,
                    decodes=not any(issue.kind == "key" for issue in builder.issues),
                )
            )
            index += 1
    except yaml.MarkedYAMLError as exc:
        result.issues.append(_syntax_issue(exc))
    except RecursionError:
        result.issues.append(LoadIssue(1, 1, "too-complex", f"nesting deeper than {MAX_DEPTH} levels"))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        result.issues.append(LoadIssue(1, 1, "syntax", f"YAML error: {first}"))
    finally:
        loader.dispose()


class _Fallback(Exception):
    """Something only the node path reproduces exactly (aliases, merge keys, complex keys...)."""


_MERGE = "tag:yaml.org,2002:merge"
_MISSING = object()
_NO_KEY = object()  # in a mapping, the next scalar or collection is a key
# Plain scalar text -> its value (str, int, float, bool or None; all immutable): keys and values
# repeat across a repository's files. Bounded in entries and in the size of what it keeps.
_PLAIN_VALUES: dict[str, Any] = {}
_PLAIN_VALUES_LIMIT = 50_000
_PLAIN_VALUE_MAX_CHARS = 256


def _scalar_value(loader: Any, value: str, implicit: tuple[bool, bool], tag: str | None) -> Any:
    """What `_Builder.build` makes of a scalar: tag resolution as PyYAML's composer does it,
    then the constructor for the plain types, the text for every other tag."""
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, value, implicit)
    if tag not in _SCALAR_TAGS:
        return value
    try:
        return loader.construct_object(yaml.ScalarNode(tag, value))
    except Exception as exc:  # e.g. `!!int x`: the node path reports it
        raise _Fallback from exc


def _plain_value(value: str) -> Any:
    """An untagged plain scalar's value (libyaml marks those implicit=(True, False)), memoised."""
    data = resolve_plain(value)[1]
    if len(value) <= _PLAIN_VALUE_MAX_CHARS and data == data:  # NaN: a fresh object each time, as before
        if len(_PLAIN_VALUES) >= _PLAIN_VALUES_LIMIT:
            _PLAIN_VALUES.clear()
        _PLAIN_VALUES[value] = data
    return data


def _read_events(result: YamlFile) -> bool:
    """Build data and marks straight from libyaml's event stream, without composing nodes:
    the same result as `_read_nodes`, in under half the time. False (and `result` untouched)
    when the file needs the node path."""
    documents: list[Document] = []
    issues: list[LoadIssue] = []
    try:
        loader = _CLoader(result.text)
    except Exception:  # noqa: BLE001 - the node path raises or reports it the same way
        return False
    try:
        _build_from_events(loader, result.path, documents, issues)
    except yaml.MarkedYAMLError as exc:  # from the parser: construction errors are _Fallback
        issues.append(_syntax_issue(exc))
    except Exception:  # noqa: BLE001 - _Fallback, and anything unusual the node path knows how to report
        return False
    finally:
        loader.dispose()
    result.documents.extend(documents)
    result.issues.extend(issues)
    return True


def _build_from_events(loader: Any, path: str, documents: list[Document], issues: list[LoadIssue]) -> None:
    """Walk the events with an explicit stack, reproducing `_Builder`'s data, marks and
    duplicate-key issues. A document (with its issues) is kept once its end event is parsed,
    as the node path keeps a document once `get_node` returned it."""
    plain_values = _PLAIN_VALUES
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, mapping_end = yaml.MappingStartEvent, yaml.MappingEndEvent
    sequence_start, sequence_end = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    document_start, document_end = yaml.DocumentStartEvent, yaml.DocumentEndEvent
    # The open collection: `container` at `container_path`. In a mapping, `key` is the key
    # whose value comes next (else _NO_KEY: a key comes next), `child` that value's path.
    # Outer collections wait in `stack`; at the bottom, the document itself (container None).
    container: Any = None
    container_path: tuple = ()
    in_mapping = False
    key: Any = _NO_KEY
    child: tuple = ()
    stack: list[tuple[Any, tuple, bool]] = []
    marks: dict[tuple, tuple[int, int]] = {}
    document_issues: list[LoadIssue] = []
    root: Any = None
    start_line = end_line = index = 0
    for events, event in enumerate(iter(loader.get_event, None)):  # None once the stream ended
        kind = event.__class__
        if kind is scalar_event:
            if event.anchor is not None:
                raise _Fallback
            value = event.value
            tag = event.tag
            if tag is not None:
                if tag.startswith(_PYTHON_TAG):
                    raise _Fallback  # the node path reports it
                data = _scalar_value(loader, value, event.implicit, tag)
            elif event.implicit[0]:
                data = plain_values.get(value, _MISSING)
                if data is _MISSING:
                    data = _plain_value(value)
            else:  # quoted or block: never resolved, always a string
                data = value
            if key is not _NO_KEY:
                container[key] = data
                key = _NO_KEY
            elif in_mapping:
                if data.__class__ is not str:
                    data = _key_text(data)
                if data == "<<" or tag == _MERGE:
                    raise _Fallback
                mark = event.start_mark
                position = (mark.line + 1, mark.column + 1)
                if data in container:
                    document_issues.append(
                        LoadIssue(position[0], position[1], "duplicate-key", f'duplicate key "{data}"')
                    )
                key = data
                child = container_path + (data,)
                marks[child] = position
            elif container is not None:
                mark = event.start_mark
                marks.setdefault(container_path + (len(container),), (mark.line + 1, mark.column + 1))
                container.append(data)
            else:
                root = data
                mark = event.start_mark
                marks[()] = (mark.line + 1, mark.column + 1)
                start_line, end_line = mark.line + 1, event.end_mark.line + 1
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or (event.tag is not None and event.tag.startswith(_PYTHON_TAG)):
                raise _Fallback
            new: Any = {} if kind is mapping_start else []
            if key is not _NO_KEY:
                container[key] = new
                new_path = child
            elif in_mapping:  # a mapping or list as a key
                raise _Fallback
            elif container is not None:
                new_path = container_path + (len(container),)
                mark = event.start_mark
                marks.setdefault(new_path, (mark.line + 1, mark.column + 1))
                container.append(new)
            else:
                root = new
                new_path = ()
                mark = event.start_mark
                marks[()] = (mark.line + 1, mark.column + 1)
                start_line = mark.line + 1
            stack.append((container, container_path, in_mapping))
            if len(stack) > MAX_DEPTH:
                raise _Fallback
            container, container_path, in_mapping, key = new, new_path, kind is mapping_start, _NO_KEY
        elif kind is mapping_end or kind is sequence_end:
            if in_mapping and "<key>" in container:  # `_Builder` drops its "<key>" scratch mark
                marks.pop(container_path + ("<key>",), None)
            container, container_path, in_mapping = stack.pop()
            if container is None:
                end_line = event.end_mark.line + 1
        elif kind is document_start:
            marks = {}
            document_issues = []
        elif kind is document_end:
            if events > MAX_NODES:  # events outnumber values: a cheap, safe bound
                raise _Fallback
            documents.append(Document(path, index, root, marks, start_line, end_line))
            issues.extend(document_issues)
            index += 1
        elif kind is alias_event:
            raise _Fallback


def _key_text(key: Any) -> str:
    """A scalar key that is not a string, as `_Builder` names it."""
    return "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)


def load_data(text: str) -> tuple[Any, list[LoadIssue]]:
    """The first document's plain data and the issues found, never an exception: for files
    read without positions (kustomizations, configuration). Data is None when unreadable."""
    parsed = parse_text(text)
    fatal = [issue for issue in parsed.issues if issue.kind not in ("duplicate-key", "tag")]
    if fatal or not parsed.documents:
        return None, parsed.issues
    return parsed.documents[0].data, parsed.issues


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_FAST_NODES = 2_000_000  # past this (aliases expanding), the standard constructor is used


class _NotPlain(Exception):
    pass


def load_all_fast(text: str, strings: dict[str, str] | None = None) -> list[Any]:
    """Every document of `text` as plain data, exactly as `yaml.load_all(text, CSafeLoader)`
    gives it, about a third faster: for the tags kustomize prints (str, map, seq and the
    scalar types) the composed nodes are turned into data directly, without the generic
    constructor's bookkeeping. Anything else (merge keys, custom tags, non-scalar keys, alias
    blow-ups) goes through PyYAML's own constructor, which also raises its own errors.

    `strings`: a table shared by many calls; equal strings (keys, scripts, images that every
    stream's render repeats) are then one object, which keeps a thousand renders in memory."""
    try:
        return _load_all_nodes(text, strings if strings is not None else {})
    except _NotPlain:
        return list(yaml.load_all(text, Loader=_Loader))


def _load_all_nodes(text: str, strings: dict[str, str]) -> list[Any]:
    loader = _Loader(text)
    scalars = loader.yaml_constructors
    budget = [_FAST_NODES]
    share = strings.setdefault

    def build(node: yaml.Node) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise _NotPlain
        tag = node.tag
        kind = node.__class__
        if kind is yaml.ScalarNode:
            if tag == _STR:
                return share(node.value, node.value)
            construct = scalars.get(tag)
            if construct is None or tag in ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"):
                raise _NotPlain
            return construct(loader, node)
        if kind is yaml.MappingNode and tag == _MAP:
            result: dict = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not yaml.ScalarNode or key_node.tag == "tag:yaml.org,2002:merge":
                    raise _NotPlain
                result[share(key_node.value, key_node.value) if key_node.tag == _STR else build(key_node)] = build(
                    value_node
                )
            return result
        if kind is yaml.SequenceNode and tag == _SEQ:
            return [build(item) for item in node.value]
        raise _NotPlain

    documents = []
    try:
        while loader.check_node():
            documents.append(build(loader.get_node()))  # type: ignore[arg-type]  # check_node() said there is one
    except yaml.YAMLError:
        raise _NotPlain from None
    finally:
        loader.dispose()
    return documents
