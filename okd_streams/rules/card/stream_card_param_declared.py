"""A stream card param that its Pipeline does not declare.

What it does:
  Checks each param under `spec.pipelines.<pipeline>.params` of a stream card against
  the params the rendered Pipeline declares, and reports one it does not declare,
  listing those it does.

Why:
  Tekton ignores a PipelineRun param its Pipeline does not declare: a misspelled name
  in the card means the stream silently runs with the Pipeline's default instead of the
  value its owner set.

Fails:
```yaml
# file: base/kustomization.yaml
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - pipelines/build.yaml
# file: base/pipelines/build.yaml
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: build
spec:
  params:
    - name: version
      default: "4.19"
  tasks:
    - name: compile
      params:
        - name: version
          value: $(params.version)
      taskSpec:
        params:
          - name: version
        steps: [{name: make, image: "alpine:3.20", script: "make VERSION=$(params.version)"}]
# file: streams/demo/kustomization.yaml
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: demo
resources:
  - ../../base
# file: streams/demo/stream.yaml
apiVersion: okd-streams.io/v1alpha1
kind: StreamCard
metadata:
  name: demo
spec:
  description: A demo stream.
  owners: [okd-wg]
  os: scos
  version: "4.20"
  namespace: demo
  sync: manual
  pipelines:
    build:
      schedule: "@daily"
      params:
        - name: verison
          value: "4.20"
```

Passes:
```yaml
# file: base/kustomization.yaml
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - pipelines/build.yaml
# file: base/pipelines/build.yaml
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: build
spec:
  params:
    - name: version
      default: "4.19"
  tasks:
    - name: compile
      params:
        - name: version
          value: $(params.version)
      taskSpec:
        params:
          - name: version
        steps: [{name: make, image: "alpine:3.20", script: "make VERSION=$(params.version)"}]
# file: streams/demo/kustomization.yaml
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: demo
resources:
  - ../../base
# file: streams/demo/stream.yaml
apiVersion: okd-streams.io/v1alpha1
kind: StreamCard
metadata:
  name: demo
spec:
  description: A demo stream.
  owners: [okd-wg]
  os: scos
  version: "4.20"
  namespace: demo
  sync: manual
  pipelines:
    build:
      schedule: "@daily"
      params:
        - name: version
          value: "4.20"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit
from okd_streams.rules.card import _shared as _card
from okd_streams.tekton import binding

ID = "stream-card-param-declared"
CODE = "C003"
LEVEL = "error"
SCOPE = "unit"


def check(unit: Unit) -> Iterator[Finding]:
    if not unit.stream or not unit.rendered or unit.build_error is not None:
        return
    card = _card.card_obj(unit)
    if card is None:
        return
    for key, entry in _card.pipelines(card):
        pipeline = _card.card_pipeline(unit, key)
        if pipeline is None:
            continue  # stream-card-pipeline-exists (C002)
        declarations = pipeline.spec.get("params")
        args = binding.card_args(entry.get("params"), ("spec", "pipelines", key, "params"))
        declared = ", ".join(binding.P.specs(declarations)) or "none"
        for issue in binding.check(args, declarations, f"stream {unit.stream}", f'Pipeline "{pipeline.name}"'):
            if issue.kind == "extra" and issue.arg:
                yield Finding(card, issue.arg.path + ("name",),
                              f'the stream card sets param "{issue.name}" for Pipeline "{pipeline.name}", which '
                              f"does not declare it (declared: {declared}); Tekton would ignore it")
