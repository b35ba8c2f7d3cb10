"""Output formats: each parses as what it claims to be and says the same problems."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from okd_streams.lint import output
from okd_streams.problem import Problem

PROBLEMS = [
    Problem(
        "streams/okd-scos/stream.yaml",
        12,
        7,
        "C001",
        "error",
        "stream-card-schema",
        'param "version" is a list: "quoted", back\\slash, tab\t, new\nline, ünïcode, \u2028',
        "okd-scos",
    ),
    Problem("base/tasks/cosa-build.yaml", 3, 1, "X003", "info", "image-pinned-by-tag", "pin it: a%b,c:d", None),
    Problem("argocd/apps.yaml", 1, 1, "A001", "warning", "appset", "<tag> & 'quotes'", "okd-fcos"),
]

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
problems = st.lists(
    st.builds(
        Problem,
        texts,
        st.integers(1, 10**6),
        st.integers(1, 10**4),
        texts,
        st.sampled_from(["error", "warning", "info"]),
        texts,
        texts,
        st.none() | texts,
    ),
    max_size=5,
)


@settings(
    max_examples=int(os.environ.get("OKD_STREAMS_FUZZ_EXAMPLES", "200")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
)
@given(problems)
def test_json_is_what_json_dumps_with_indent_writes(found):
    assert output.as_json(found) == json.dumps([p.to_json() for p in found], indent=2) + "\n"


def test_json_round_trips_every_field():
    assert [Problem(**row) for row in json.loads(output.as_json(PROBLEMS))] == PROBLEMS


def test_text_is_one_line_per_problem_with_its_place_and_code():
    lines = output.text(PROBLEMS[1:]).splitlines()
    assert lines == [
        "base/tasks/cosa-build.yaml:3:1: info pin it: a%b,c:d [X003]",
        "argocd/apps.yaml:1:1: warning <tag> & 'quotes' [A001]",
    ]


def test_github_annotations_escape_what_the_runner_would_split_on():
    first, second, third = output.github(PROBLEMS).rstrip("\n").split("\n")  # the runner splits on newlines only
    assert first.startswith("::error file=streams/okd-scos/stream.yaml,line=12,col=7,title=C001 stream-card-schema::")
    assert "new%0Aline" in first
    assert (
        second == "::notice file=base/tasks/cosa-build.yaml,line=3,col=1,title=X003 image-pinned-by-tag::"
        "pin it: a%25b,c:d"
    )
    assert third.startswith("::warning ")


def test_sarif_has_one_result_per_problem_and_a_descriptor_per_rule():
    run = json.loads(output.sarif(PROBLEMS))["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["C001", "X003", "A001"]
    assert [d["id"] for d in run["tool"]["driver"]["rules"]] == ["A001", "C001", "X003"]
    first = run["results"][0]
    assert first["level"] == "error" and first["properties"] == {"stream": "okd-scos"}
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 12, "startColumn": 7}
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "C001"


def test_junit_is_xml_with_a_failure_per_error():
    root = ET.fromstring(output.junit(PROBLEMS))
    assert root.get("failures") == "1" and root.get("tests") == "3"
    failures = root.findall(".//failure")
    assert [f.get("type") for f in failures] == ["C001"] and "\n" in failures[0].get("message")
    assert ET.fromstring(output.junit([])).find(".//testcase").get("name") == "no problems"
