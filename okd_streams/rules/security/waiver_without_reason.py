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

Fails:
```yaml
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: layer-packages
spec:
  steps:
    - name: layer
      image: quay.io/buildah/stable:v1.38.0
      script: buildah build --isolation chroot -t localhost/os .
      # okd-streams: disable=X006
      securityContext:
        runAsUser: 0
```

Passes:
```yaml
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: layer-packages
spec:
  steps:
    - name: layer
      image: quay.io/buildah/stable:v1.38.0
      script: buildah build --isolation chroot -t localhost/os .
      # okd-streams: disable=X006 reason="RPM scriptlets and SETFCAP need root in the container"
      securityContext:
        runAsUser: 0
```
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.objects import FileContext, Finding

ID = "waiver-without-reason"
CODE = "X000"
LEVEL = "error"
SCOPE = "file"


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
            if getattr(rule, "WAIVER_NEEDS_REASON", False):
                yield Finding(None, (), f'waiver of {rule.CODE} ({rule.ID}) gives no reason: write '
                              f'# okd-streams: disable={code} reason="why this object needs it"',
                              file=yaml_file.path, line=directive.line, column=directive.column)
