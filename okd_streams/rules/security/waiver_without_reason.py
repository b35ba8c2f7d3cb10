"""A waiver of a security rule that does not say why.

What it does:
  Reports a `# okd-streams: disable=CODE` comment that waives a rule requiring a reason
  (every security rule, X001-X099) without `reason="..."`. The waiver still applies: the
  finding is this one, at the comment, until the reason is written.

Why:
  A security waiver is a decision a reviewer must be able to check: which step needs
  root, and why. The reason stays next to the object, in git blame, for the next
  reviewer. Turn the requirement off (not recommended) with `X000: off` in
  `.okd-streams.yaml`.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.objects import FileContext, Finding

ID = "waiver-without-reason"
CODE = "X000"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "file"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False
context_key = None  # findings depend on the file alone


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    from okd_streams import rules as registry  # the registry imports this module

    for directive in yaml_file.directives:
        if directive.reason:
            continue
        for code in directive.codes:
            try:
                rule = registry.get(code)
            except ValueError:
                continue
            if rule.WAIVER_NEEDS_REASON:
                yield Finding(
                    None,
                    (),
                    f"waiver of {rule.CODE} ({rule.ID}) gives no reason: write "
                    f'# okd-streams: disable={code} reason="why this object needs it"',
                    file=yaml_file.path,
                    line=directive.line,
                    column=directive.column,
                )
