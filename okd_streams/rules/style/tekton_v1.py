"""A Tekton Pipelines object that is not `tekton.dev/v1`.

What it does:
  Reports Task, Pipeline, PipelineRun, TaskRun and other `tekton.dev` objects written in
  `v1beta1` or `v1alpha1`.

Why:
  `tekton.dev/v1beta1` is deprecated upstream since Tekton Pipelines v0.50 and its
  fields differ (resources, `taskRunSpecs`, `serviceAccountName`). okd-streams writes
  every Tekton object in v1; in a foreign tree this is a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.documents import objects
from okd_streams.model.objects import FileContext, Finding

ID = "tekton-v1"
CODE = "S001"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "file"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False
context_key = None  # findings depend on the file alone


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    for document in objects(yaml_file):
        api_version = document.data["apiVersion"]
        group, _, version = api_version.rpartition("/")
        if group == "tekton.dev" and version != "v1" and document.data["kind"] != "StepAction":
            line, column = document.pos(("apiVersion",))
            yield Finding(
                None,
                (),
                f"{document.data['kind']} uses {api_version}; write it as tekton.dev/v1 (v1beta1 is deprecated)",
                file=yaml_file.path,
                line=line,
                column=column,
            )
