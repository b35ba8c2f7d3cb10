"""Rule docstrings as data: sections, and the Fails/Passes examples as file trees.

An example is a ```yaml block. It is one file, `example.yaml`, unless it starts with a
`# path/to/file.yaml` comment line; several files are separated by `# file: path` lines.
Examples that contain a `streams/` path are checked as an okd-streams repository
(`okd-streams check`); any other is linted as a foreign tree (`okd-streams lint`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

SECTIONS = ("What it does", "Why", "Fails", "Passes")
_SECTION = re.compile(r"^(What it does|Why|Fails|Passes|Options):\s*$", re.MULTILINE)
_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
_FILE = re.compile(r"^# (?:file: )?([\w./-]+\.ya?ml|[\w./-]*Kustomization)\s*$")


@dataclass
class RuleDoc:
    summary: str
    sections: dict[str, str]

    def example(self, section: str) -> dict[str, str]:
        block = _BLOCK.search(self.sections.get(section, ""))
        return split_files(block.group(1)) if block else {}


def parse(rule: ModuleType) -> RuleDoc:
    text = (rule.__doc__ or "").strip()
    summary, _, body = text.partition("\n")
    sections: dict[str, str] = {}
    matches = list(_SECTION.finditer(body))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        sections[match.group(1)] = body[match.end():end].strip("\n")
    return RuleDoc(summary.strip(), sections)


def split_files(block: str) -> dict[str, str]:
    files: dict[str, list[str]] = {}
    current = None
    for line in block.splitlines():
        match = _FILE.match(line)
        if match and (current is None or line.startswith("# file: ") or not files.get(current)):
            current = match.group(1)
            files.setdefault(current, [])
            continue
        if current is None:
            current = "example.yaml"
            files.setdefault(current, [])
        files[current].append(line)
    return {path: "\n".join(lines).strip("\n") + "\n" for path, lines in files.items()}
