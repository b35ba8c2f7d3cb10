"""The objects a TriggerTemplate creates on each event are held to their own schemas, at their
place in the TriggerTemplate. Triggers creates them with the dynamic client and no field
validation asked, so the API server's default drops a field its structural schema prunes (a
warning: it does nothing); inside an embedded spec the CRD keeps unknown fields and Tekton's
webhook decodes them strictly (an error, as the oracle shows on the rendered run). A value
holding `$(tt.params.x)` comes with the event and is not judged."""

from __future__ import annotations

from pathlib import Path

from tests.cli import lint_json

TEMPLATE = """\
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: build
spec:
  params:
    - name: revision
    - name: timeout
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: build-$(tt.params.revision)-
      spec:
        timeouts:
          pipeline: $(tt.params.timeout)
        {params}:
          - name: revision
            value: $(tt.params.revision)
        pipelineSpec:
          params:
            - name: revision
          tasks:
            - name: fetch
              taskSpec:
                steps:
                  - name: git
                    image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
                    script: echo $(params.revision)
            - name: compile
              {run_after}: [fetch]
              retries: {retries}
              taskSpec:
                steps:
                  - name: make
                    image: registry.access.redhat.com/ubi9/ubi-minimal:9.4
                    script: make
"""


def findings(tmp_path: Path, **fields: str) -> list[tuple[int, int, str, str]]:
    values = {"params": "params", "run_after": "runAfter", "retries": "3", **fields}
    (tmp_path / "build.yaml").write_text(TEMPLATE.format(**values), encoding="utf-8")
    return [
        (p["line"], p["column"], p["code"], p["level"])
        for p in lint_json(tmp_path / "build.yaml")
        if p["level"] != "info"
    ]


def test_a_clean_template_with_params_gives_nothing(tmp_path: Path) -> None:
    assert findings(tmp_path) == []  # the name and timeout filled in from the event are not judged


def test_a_field_the_api_server_drops_is_a_warning(tmp_path: Path) -> None:
    # dropped, the params are missing when the run starts: R020 says that, as an error
    assert findings(tmp_path, params="parms") == [(14, 7, "R020", "error"), (17, 9, "V001", "warning")]


def test_a_field_tekton_s_webhook_decodes_is_an_error(tmp_path: Path) -> None:
    assert findings(tmp_path, run_after="runAftr") == [(31, 15, "V001", "error")]
    assert findings(tmp_path, run_after="runafter") == []  # Go's decoder matches it as runAfter


def test_a_wrong_type_is_an_error(tmp_path: Path) -> None:
    assert findings(tmp_path, retries='"3"') == [(32, 15, "V002", "error")]


LABELLED = """\
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: build
spec:
  params:
    - name: revision
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: build-
        labels:
          okd.io/revision: $(tt.params.revision)
          $(tt.params.revision): built
          okd.io/stream: OKD on SCOS
      spec:
        pipelineRef:
          name: build
"""


def test_labels_filled_in_from_the_event_are_not_judged_and_the_rest_are(tmp_path: Path) -> None:
    (tmp_path / "build.yaml").write_text(LABELLED, encoding="utf-8")
    found = [(p["line"], p["column"], p["code"]) for p in lint_json(tmp_path / "build.yaml") if p["level"] == "error"]
    assert found == [(16, 11, "V004")]  # the label value with spaces the API server refuses
