"""Problem output formats: text, json, github annotations, SARIF 2.1.0 and JUnit XML."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TextIO

from okd_streams import __version__
from okd_streams.problem import Problem

FORMATS = ("text", "json", "github", "sarif", "junit")


def text(problems: list[Problem]) -> str:
    return "".join(f"{p.path}:{p.line}:{p.column}: {p.level} {p.message} [{p.code}]\n" for p in problems)


def as_json(problems: list[Problem]) -> str:
    """`json.dumps([p.to_json() ...], indent=2)`, byte for byte, without the pure-Python
    encoder that `indent` selects (a tenth of a lint's time on thousands of problems)."""
    if not problems:
        return "[]\n"
    string, scalar = _json_string, _json_scalar
    # The fields of Problem.to_json, in its order (tests/test_output.py holds the two equal).
    return (
        "[\n"
        + ",\n".join(
            f'  {{\n    "path": {string(p.path)},\n    "line": {scalar(p.line)},\n    "column": {scalar(p.column)},\n'
            f'    "level": {string(p.level)},\n    "code": {string(p.code)},\n    "rule": {string(p.rule)},\n'
            f'    "message": {string(p.message)},\n    "stream": {scalar(p.stream)}\n  }}'
            for p in problems
        )
        + "\n]\n"
    )


_json_string = json.encoder.encode_basestring_ascii  # what json.dumps uses for str, in C


def _json_scalar(value: object) -> str:
    if isinstance(value, str):
        return _json_string(value)
    if value.__class__ is int:
        return int.__repr__(value)
    return "null" if value is None else json.dumps(value)


def _github_escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(problems: list[Problem]) -> str:
    command = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for p in problems:
        title = _github_escape(f"{p.code} {p.rule}", True)
        lines.append(
            f"::{command[p.level]} file={_github_escape(p.path, True)},line={p.line},col={p.column},"
            f"title={title}::{_github_escape(p.message)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")


def sarif(problems: list[Problem]) -> str:
    from okd_streams import rules as registry

    used = sorted({p.code for p in problems})
    rule_index = {code: i for i, code in enumerate(used)}
    descriptors = []
    for code in used:
        try:
            rule = registry.get(code)
            summary = (rule.__doc__ or "").strip().splitlines()[0] if rule.__doc__ else rule.ID
            name = rule.ID
        except ValueError:
            summary, name = code, code
        descriptors.append(
            {
                "id": code,
                "name": name,
                "shortDescription": {"text": summary},
                "helpUri": f"https://github.com/okd-project/okd-streams/blob/main/docs/reference/rules.md#{code.lower()}",
            }
        )
    level = {"error": "error", "warning": "warning", "info": "note"}
    results = [
        {
            "ruleId": p.code,
            "ruleIndex": rule_index[p.code],
            "level": level[p.level],
            "message": {"text": p.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": p.path},
                        "region": {"startLine": p.line, "startColumn": p.column},
                    }
                }
            ],
            **({"properties": {"stream": p.stream}} if p.stream else {}),
        }
        for p in problems
    ]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "okd-streams",
                        "version": __version__,
                        "informationUri": "https://github.com/okd-project/okd-streams",
                        "rules": descriptors,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def junit(problems: list[Problem]) -> str:
    """One test suite per stream (or file set), one failing test case per problem."""
    from xml.sax.saxutils import escape, quoteattr  # imported here: it brings in urllib, http and ssl

    suites: dict[str, list[Problem]] = {}
    for p in problems:
        suites.setdefault(p.stream or "files", []).append(p)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="okd-streams" tests="{max(1, len(problems))}" '
        f'failures="{sum(p.level == "error" for p in problems)}">',
    ]
    if not suites:
        out.append('  <testsuite name="okd-streams" tests="1" failures="0">')
        out.append('    <testcase classname="okd-streams" name="no problems"/>')
        out.append("  </testsuite>")
    for name, members in sorted(suites.items()):
        failures = sum(p.level == "error" for p in members)
        out.append(f'  <testsuite name={quoteattr(name)} tests="{len(members)}" failures="{failures}">')
        for p in members:
            case = quoteattr(f"{p.path}:{p.line}:{p.column} {p.code}")
            out.append(f"    <testcase classname={quoteattr(name)} name={case}>")
            tag = "failure" if p.level == "error" else "system-out"
            if tag == "failure":
                out.append(
                    f"      <failure type={quoteattr(p.code)} message={quoteattr(p.message)}>{escape(p.rule)}</failure>"
                )
            else:
                out.append(f"      <system-out>{escape(p.level + ': ' + p.message)}</system-out>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


WRITERS: dict[str, Callable[[list[Problem]], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
    "sarif": sarif,
    "junit": junit,
}


def write(problems: list[Problem], fmt: str, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(WRITERS[fmt](problems))


class Progress:
    """`[12/200] rendered okd-scos` on one refreshed stderr line, only on a terminal."""

    def __init__(self, total: int, verb: str, enabled: bool | None = None) -> None:
        self.total = total
        self.verb = verb
        self.done = 0
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def step(self, label: str) -> None:
        self.done += 1
        if self.enabled:
            sys.stderr.write(f"\r\033[K[{self.done}/{self.total}] {self.verb} {label}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
