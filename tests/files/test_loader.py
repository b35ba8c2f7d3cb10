"""The event fast path of `parse_text` gives exactly what the node path (`parse_text_nodes`)
gives: same documents (data with its types and key order, marks, lines, waivers), same
issues, same directives, on real files, on hand-picked tricky inputs and on random text."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from okd_streams.files import loader as yamlio
from okd_streams.files.loader import YamlFile, parse_text, parse_text_nodes
from tests.conftest import REPO

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "tektoncd-catalog"
REPO_YAML = sorted(p for folder in ("base", "overlays", "streams", "argocd") for p in (REPO / folder).glob("**/*.yaml"))
FUZZ = settings(
    max_examples=int(os.environ.get("OKD_STREAMS_FUZZ_EXAMPLES", 200)),
    derandomize=bool(os.environ.get("CI")),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
set_hypothesis_home_dir(Path(tempfile.mkdtemp(prefix="okd-streams-yamlio-")) / "hypothesis")  # not into the repository


def typed(value: Any) -> Any:
    """`value` with the type of everything in it spelled out: True == 1 and 1 == 1.0 in Python,
    NaN != NaN, and dict equality ignores key order; none of that may hide a difference."""
    if isinstance(value, dict):
        return "dict", tuple((typed(k), typed(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value).__name__, tuple(typed(item) for item in value)
    if isinstance(value, frozenset):
        return "frozenset", tuple(sorted(value))
    return type(value).__name__, repr(value)


def comparable(parsed: YamlFile) -> tuple:
    documents = [
        (
            d.path,
            d.index,
            typed(d.data),
            {typed(k): typed(v) for k, v in d.marks.items()},
            typed(d.start_line),
            typed(d.end_line),
            typed(d.disabled),
            typed(d.reasons),
        )
        for d in parsed.documents
    ]
    issues = [typed((i.line, i.column, i.kind, i.message)) for i in parsed.issues]
    return parsed.path, parsed.text, issues, parsed.directives, documents


def assert_same(text: str, path: str = "example.yaml") -> YamlFile:
    fast = parse_text(text, path)
    assert comparable(fast) == comparable(parse_text_nodes(text, path))
    return fast


def uses_fast_path(text: str) -> bool:
    return yamlio._read_events(YamlFile(path="example.yaml", text=text))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the tektoncd-catalog corpus is not beside the repository")
def test_corpus_files_parse_the_same() -> None:
    files = sorted(CORPUS.glob("**/*.yaml"))
    assert len(files) > 1000
    for path in files:
        assert_same(path.read_bytes().decode("utf-8-sig"), str(path))
    # only templated samples (`{{NAME}}`: a mapping as a key) need the node path
    assert sum(not uses_fast_path(path.read_text(encoding="utf-8-sig")) for path in files) < 20


def test_repository_files_parse_the_same() -> None:
    assert REPO_YAML
    for path in REPO_YAML:
        text = path.read_bytes().decode("utf-8-sig")
        assert_same(text, str(path))
        assert uses_fast_path(text) or "<<" in text or "&" in text, path


FAST = [
    "",
    "# only a comment\n",
    "---\n",
    "---\n...\n",
    "...\n",
    "--- # empty\n---\n---\n",
    "a: 1\n",
    "\ufeffa: 1\n",
    "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
    "a:\tb\n",
    "plain\n",
    "'quoted'\n",
    "- 1\n- 2\n",
    "[]\n",
    "{}\n",
    "a: []\nb: {}\nc: [[], {}]\n",
    "a: 1\n---\nb: 2\n---\n- 3\n...\n--- 4\n",
    "k: " + "x" * 100_000 + "\n",
    "k: '" + "y " * 5_000 + "'\n",
    "a: |\n  one\n  two\n\nb: |-\n  three\nc: |+\n  four\n\nd: >\n  folded\n  text\n",
    "e: >-\n  x\n\n  y\nf: |2\n    indented\n",
    "flow: {a: 1, b: [x, y, {c: d}], 'e': \"f\"}\n",
    'ünïcode: ✓\n日本: 語\n"é": 1\n',
    "a: 1\na: 2\n",
    "a: {x: 1}\nb: 2\na: [1, 2, 3]\n",
    "a: [{x: 1}, {y: 2}]\na: [{z: 3}]\n",
    "m: {k: 1, k: 2}\n",
    "- {a: 1, a: 2}\n- {a: 1, a: 2}\n",
    "yes: no\non: off\ny: n\nTrue: FALSE\n",
    "null: ~\nNULL: Null\n~: x\n",
    "1: one\n0x1f: hex\n0o17: octal\n017: old octal\n1_000: underscores\n1:30: sexagesimal\n",
    "1.5: f\n.inf: inf\n-.INF: ninf\n.nan: nan\n1e3: e\n-0.0: negative zero\n0.0: zero\n",
    "v: [0b101, +12, -0x1F, 190:20:30, 6.8523015e+5, 685.230_15e+03, .5, 1.]\n",
    "bools: [yes, No, ON, off, y, n, true, False]\n",
    "s: !!str 1\ni: !!int \"3\"\nf: !!float '1.5'\nb: !!bool yes\nn: !!null ~\n",
    "!!str 1: a\n!!int '2': b\n",
    "bin: !!binary aGVsbG8=\nts: 2001-12-14t21:59:43.10-05:00\nd: 2002-12-14\nt: !!timestamp 2001-01-01\n",
    "c: !custom text\nm: !thing {a: 1}\ns: !list [1, 2]\ne: ! 12\nq: ! '12'\n",
    "%YAML 1.1\n%TAG !e! tag:example.com,2000:app/\n---\na: !e!foo bar\n",
    "2001-12-14: date key\n",
    "=: value tag\nv: =\n",
    "'<key>': 1\nb: {'<key>': [x, {'<key>': 2}]}\n",
    "a: !!set {x, y}\nb: !!omap [{x: 1}]\n",
    "key with spaces: value with spaces\n'a: b': \"c: d\"\n",
    "a:\n  b:\n    c:\n      - d\n      - e: f\n        g: h\n",
    "- - - a\n    - b\n  - c\n- d\n",
    "? simple key\n: value\n",
    "a: 1 # comment\n# between\nb: 2\n",
    'a: x\n# okd-streams: disable=X004 reason="why"\n---\nb: y  # okd-streams: disable=X006,X007\n',
    "\"\\u00e9\\t\\n\": '\\n'\n",
    "'[a, b]': x\n",
    "a: 1\n" * 3 + "---\n" + "b: 2\n",
]

FALLBACK = [
    "a: &x 1\nb: *x\n",
    "a: &x 1\n",
    "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",
    "a: {<<: {x: 1}, y: 2}\n",
    "a: {!!merge x: {y: 1}}\n",
    "a: &x [1]\n---\nb: &x [2]\n",
    "a: *undefined\n",
    "a: &x 1\nb: &x 2\n",
    "? [a, b]\n: x\n",
    "? {a: 1}\n: x\n",
    "{{NAME}}: x\n",
    "s: !!int x\n",
    "s: !!float nope\n",
    "'<<': x\n",
    "a: [" * 201 + "]" * 201 + "\n",
    "".join(f"{'  ' * i}k{i}:\n" for i in range(210)) + "  " * 210 + "end\n",
    "- " * 70 + "x\n",
    "".join(f"{'  ' * i}- \n" for i in range(210)),
]

SYNTAX_ERRORS = [
    "a: [1, 2\n",
    "a: {b: 1\n",
    "a: 'unterminated\n",
    'a: "bad \\q escape"\n',
    "a: b: c\n",
    "a:\n  - x\n y: 1\n",
    "- a\nb: c\n",
    "a: 1\n---\nb: [\n",
    "a: 1\n---\nb: 2\n---\nc: {\n",
    "a: 1\n--- x\ny: z\n",
    "plain\n: x\n",
    "[1]\n]\n",
    "a: 1\n...\nb\n",
    "a: 1\nb: {x: 1, x: 2}\nc: [\n",  # duplicate keys of a document never completed are not reported
    "a: 1\na: 2\n---\nb: ]\n",  # ... but those of the documents before are
    "\ta: 1\n",
    "a: |\n  x\n y\n",
    "%YAML 2.0\n---\na: 1\n",
    "%FOO bar\n---\na: 1\n",
    "a: !<tag:x> 1\nb: !e!x 2\n",
    "'a': 1\n  'b': 2\n",
    "a: x\x07y\n",
    "a: @at\n",
    "a: `tick\n",
    "key: value\n  : bad\n",
    "a: 1\n--- |\n x\n  y\n- z\n",
]


@pytest.mark.parametrize("text", FAST)
def test_ordinary_inputs_take_the_fast_path_and_parse_the_same(text: str) -> None:
    assert uses_fast_path(text)
    assert_same(text)


@pytest.mark.parametrize("text", FALLBACK)
def test_unusual_inputs_fall_back_to_nodes(text: str) -> None:
    if not yamlio._deeply_nested(text):  # else refused before either path runs
        assert not uses_fast_path(text)
    assert_same(text)


@pytest.mark.parametrize("text", SYNTAX_ERRORS)
def test_syntax_errors_keep_the_same_documents_and_issue(text: str) -> None:
    parsed = assert_same(text)
    assert [issue.kind for issue in parsed.issues if issue.kind != "duplicate-key"] == ["syntax"]


def test_escapes_stay_as_they_were() -> None:
    """PyYAML raises this (text that is not Unicode); the node path never caught it, and the
    fast path does not change that."""
    with pytest.raises(UnicodeEncodeError):
        parse_text_nodes("a: \ud800\n")
    with pytest.raises(UnicodeEncodeError):
        parse_text("a: \ud800\n")


@pytest.mark.parametrize("text", ["a: !!bool maybe\n", "a: !!int ''\n", "a: !!null x\n", "a: !!int 10:30\n"])
def test_a_value_its_tag_cannot_read_is_an_issue(text: str) -> None:
    """As Kubernetes' reader refuses it ("cannot decode !!str `maybe` as a !!bool")."""
    parsed = assert_same(text)
    assert [(issue.line, issue.kind) for issue in parsed.issues] == [(1, "syntax")], parsed.issues


def test_marks_follow_the_builder() -> None:
    parsed = assert_same("a: 1\nb:\n  - x\n  - {c: 2}\na: 3\n")
    document = parsed.documents[0]
    assert document.data == {"a": 3, "b": ["x", {"c": 2}]}
    assert document.marks == {
        (): (1, 1),
        ("a",): (5, 1),
        ("b",): (2, 1),
        ("b", 0): (3, 5),
        ("b", 1): (4, 5),
        ("b", 1, "c"): (4, 6),
    }
    assert [(issue.line, issue.kind) for issue in parsed.issues] == [(5, "duplicate-key")]


def test_scalar_memo_keeps_nan_fresh_and_types_apart() -> None:
    for _ in range(2):
        data = assert_same("a: .nan\nb: 1\nc: '1'\nd: 1.0\ne: true\n").documents[0].data
        assert [type(v).__name__ for v in data.values()] == ["float", "int", "str", "float", "bool"]


# Random YAML-ish text: real structure often enough to parse, broken often enough to fail.
KEYS = [
    "a",
    "b",
    "name",
    "<<",
    "<key>",
    "'q'",
    '"d"',
    "1",
    "yes",
    "null",
    "~",
    "1.5",
    "? x",
    "[k]",
    "{k: v}",
    "&anchor a",
    "*anchor",
    "!!str 1",
    "!!int 2",
    "!t k",
    "",
    "é",
    "a b",
]
VALUES = [
    "1",
    "0o17",
    "0x1f",
    "017",
    "1:30",
    "1_0",
    ".inf",
    "-.nan",
    "~",
    "null",
    "yes",
    "On",
    "n",
    "2001-12-14",
    "x",
    "'s'",
    '"d\\n"',
    "[a, b]",
    "{a: 1}",
    "[",
    "]",
    "{",
    "}",
    "|",
    ">-",
    "|+",
    "!!binary aGk=",
    "!!float 1",
    "!!int x",
    "! 3",
    "&anchor v",
    "*anchor",
    "#c",
    "a # c",
    "- x",
    ": y",
    "'",
    '"',
    "=",
    "@",
    "",
    "\t",
]
TOKENS = st.one_of(st.sampled_from(KEYS), st.sampled_from(VALUES), st.text(max_size=4))
LINE = st.one_of(
    st.builds(
        lambda indent, dash, key, value: " " * indent + dash + key + ": " + value,
        st.integers(0, 6),
        st.sampled_from(["", "- ", "- - "]),
        st.sampled_from(KEYS),
        st.sampled_from(VALUES),
    ),
    st.builds(
        lambda indent, dash, value: " " * indent + dash + value,
        st.integers(0, 6),
        st.sampled_from(["", "- ", "? ", ": "]),
        st.sampled_from(VALUES),
    ),
    st.sampled_from(["---", "...", "--- x", "# okd-streams: disable=X004", "%YAML 1.1", "", "  |", "    text"]),
    st.lists(TOKENS, max_size=5).map(" ".join),
)
LINES = st.builds(
    lambda lines, newline: newline.join(lines) + newline, st.lists(LINE, max_size=14), st.sampled_from(["\n", "\r\n"])
)
# Valid YAML too, in every style PyYAML writes, so that deep and wide documents are compared.
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8), st.sampled_from(VALUES))
DATA = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6) | st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=30,
)
DUMPED = st.builds(
    lambda documents, flow, style: yaml.dump_all(
        documents, default_flow_style=flow, default_style=style, allow_unicode=True, sort_keys=False
    ),
    st.lists(DATA, min_size=1, max_size=3),
    st.sampled_from([None, True, False]),
    st.sampled_from([None, "'", '"', "|", ">"]),
)
TEXT = LINES | DUMPED


@FUZZ
@given(TEXT)
def test_random_text_parses_the_same(text: str) -> None:
    try:
        expected = comparable(parse_text_nodes(text, "fuzz.yaml"))
    except Exception as exc:  # noqa: BLE001 - the node path's own escapes (`!!bool x`) must stay the same
        with pytest.raises(type(exc)):
            parse_text(text, "fuzz.yaml")
        return
    assert comparable(parse_text(text, "fuzz.yaml")) == expected


BLOCK_RUN = re.compile(r"(?:[-?]\s+){64,}")
# Runs of steps of every kind and length, each cut by something that is not a step.
BLOCK_TEXT = st.lists(
    st.builds(
        lambda steps, count, cut: "".join(steps) * count + cut,
        st.lists(st.sampled_from(["- ", "-\n  ", "? ", "?\t", "-\u2003"]), min_size=1, max_size=3),
        st.integers(0, 70),
        st.sampled_from(["", "x", "-", "--- ", "?-", "\n"]),
    ),
    max_size=4,
).map("".join)


@FUZZ
@given(BLOCK_TEXT)
def test_block_run_precheck_is_the_plain_search(text: str) -> None:
    """`_deeply_nested` looks for a run of 64 "- " or "? " through cheaper literal searches first."""
    assert yamlio._deeply_nested(text) == bool(BLOCK_RUN.search(text))
