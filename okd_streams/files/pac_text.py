"""A `.tekton/` file as Pipelines-as-Code reads it. PaC fills `{{ name }}` placeholders in the
text before it parses the YAML (its templates package, with PLACEHOLDER), so a value written
as a bare placeholder, `value: {{revision}}`, is a plain string to PaC, where a YAML reader
sees a mapping (`{{revision}}` is a flow mapping with a mapping for a key) or a syntax error
(`{{revision}}-x`); so is an item of a flow sequence (`args: [{{revision}}]`). Such a value
is read here as the quoted string it stands for; positions
stay where they were (the quote takes the place of the first brace, the rest of the line
moves right by two)."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"{{([^}]{2,})}}")
FOLDER = ".tekton"

# A block value (`key: {{x}}`, `- {{x}}`, `- key: {{x}}`) that starts with a placeholder, up to
# a comment. A line with no key or dash before it is left alone (a placeholder as a key).
_BARE = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)*(?:[^ \t#'\"{\[][^#]*?:[ \t]+|-[ \t]+))"
    r"(?P<value>{{[^}]{2,}}}[^#]*?)(?P<tail>[ \t]+#.*)?$"
)
# A flow sequence as a block value (`args: [{{x}}, y]`, `- [{{x}}]`), and in it an item that
# starts with a placeholder, between `[` or `,` and `,` or `]` (no quotes or brackets in it).
_FLOW = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)*(?:[^ \t#'\"{\[][^#]*?:[ \t]+)?)(?P<flow>\[.*)$")
_FLOW_ITEM = re.compile(r"(?<=[\[,])(?P<space>[ \t]*)(?P<value>{{[^}]{2,}}}[^,\]\[{}'\"#]*?)(?=[ \t]*[,\]])")
_BLOCK_SCALAR = re.compile(r"(?:^|[ \t:])[|>][-+0-9]*[ \t]*(?:#.*)?$")  # `script: |`, `- >-`


def as_pac_reads(text: str) -> str:
    """`text` with each bare placeholder value or flow item quoted; block scalars (scripts) untouched."""
    if "{{" not in text:
        return text
    lines = text.split("\n")
    block_indent: int | None = None  # inside a block scalar opened at this indentation
    for number, line in enumerate(lines):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        if _BLOCK_SCALAR.search(line):
            block_indent = indent
            continue
        if "{{" not in line:
            continue
        ending = "\r" if line.endswith("\r") else ""  # a file with Windows line ends
        line = line.removesuffix("\r")
        found = _BARE.match(line)
        if found is not None and ": " not in found["value"] and PLACEHOLDER.match(found["value"]):
            value = found["value"].replace("'", "''")
            lines[number] = f"{found['lead']}'{value}'{found['tail'] or ''}{ending}"
        elif (flow := _FLOW.match(line)) is not None:
            items = _FLOW_ITEM.sub(_quoted_item, flow["flow"])
            lines[number] = f"{flow['lead']}{items}{ending}"
    return "\n".join(lines)


def _quoted_item(found: re.Match[str]) -> str:
    value = found["value"]
    return f"{found['space']}'{value}'" if PLACEHOLDER.match(value) else found[0]
