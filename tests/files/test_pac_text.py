"""A `.tekton/` file is read as Pipelines-as-Code reads it: its `{{ name }}` placeholders are
filled in the text before the YAML is parsed, so a bare `value: {{revision}}` is a string
there, not a mapping with a mapping for a key; anywhere else it is what kubectl reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from okd_streams.files.pac_text import as_pac_reads
from tests.cli import lint_json


@pytest.mark.parametrize(
    "line,read",
    [
        ("  value: {{revision}}", "  value: '{{revision}}'"),
        ("  value: {{ repo_url }}-x  # the clone URL", "  value: '{{ repo_url }}-x'  # the clone URL"),
        ("  - {{ source_branch }}", "  - '{{ source_branch }}'"),
        ("  - name: {{repo_name}}", "  - name: '{{repo_name}}'"),
        ("  url: {{body.repository.ssh_url}}", "  url: '{{body.repository.ssh_url}}'"),
        ("  value: {{it's}}", "  value: '{{it''s}}'"),
        # items of a flow sequence
        ("  args: [{{ source_branch }}]", "  args: ['{{ source_branch }}']"),
        ('  command: [echo, {{revision}}, "{{ repo_url }}"]', "  command: [echo, '{{revision}}', \"{{ repo_url }}\"]"),
        (
            "  - [{{sender}} , {{ pull_request_number }}-x]  # who",
            "  - ['{{sender}}' , '{{ pull_request_number }}-x']  # who",
        ),
        # left as they are: already a string, quoted, a one-letter name PaC does not fill, a key
        ("  image: quay.io/x:{{revision}}", "  image: quay.io/x:{{revision}}"),
        ('  value: "{{revision}}"', '  value: "{{revision}}"'),
        ("  value: {{a}}", "  value: {{a}}"),
        ("{{ key }}: value", "{{ key }}: value"),
        ("  script: echo [{{revision}}]", "  script: echo [{{revision}}]"),
        ("  args: ['{{revision}}', [{{a}}]]", "  args: ['{{revision}}', [{{a}}]]"),
    ],
)
def test_a_bare_placeholder_value_is_read_as_a_string(line: str, read: str) -> None:
    assert as_pac_reads(line) == read


def test_windows_line_ends_stay() -> None:
    assert as_pac_reads("a:\r\n  value: {{revision}}\r\n") == "a:\r\n  value: '{{revision}}'\r\n"


def test_a_script_is_left_as_written() -> None:
    text = "script: |\n  value: {{revision}}\n  echo\nnext: {{revision}}\n"
    assert as_pac_reads(text) == "script: |\n  value: {{revision}}\n  echo\nnext: '{{revision}}'\n"


RUN = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: on-pull-request
  annotations:
    pipelinesascode.tekton.dev/on-event: "[pull_request]"
spec:
  params:
    - name: revision
      value: {{revision}} # the commit PaC fills in
    - name: branches
      value: [{{ source_branch }}, main]
  pipelineSpec:
    params:
      - name: revision
      - name: branches
        type: array
    tasks:
      - name: show
        taskSpec:
          steps:
            - name: echo
              image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
              script: echo $(params.revision)
"""


def problems(path: Path) -> list[tuple[int, int, str]]:
    return [(p["line"], p["column"], p["code"]) for p in lint_json(path) if p["level"] == "error"]


def test_in_a_tekton_folder_pac_reads_it(tmp_path: Path) -> None:
    (tmp_path / ".tekton").mkdir()
    (tmp_path / ".tekton" / "on-pull-request.yaml").write_text(RUN, encoding="utf-8")
    assert problems(tmp_path) == []


def test_elsewhere_kubectl_reads_it(tmp_path: Path) -> None:
    (tmp_path / "on-pull-request.yaml").write_text(RUN, encoding="utf-8")
    # a mapping as a key: kubectl refuses it
    assert [p for p in problems(tmp_path) if p[2] == "Y001"] == [(10, 15, "Y001"), (12, 16, "Y001")]
