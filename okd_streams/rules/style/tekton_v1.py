"""A Tekton Pipelines object that is not `tekton.dev/v1`, or in a version Tekton no longer serves.

What it does:
  Reports Task, Pipeline, PipelineRun and TaskRun written in `tekton.dev/v1beta1` (deprecated), and,
  as an error everywhere, any `tekton.dev` kind in a version Tekton's CRDs no longer serve
  (`tekton.dev/v1alpha1` Task, PipelineResource, Condition, Run...). Kinds that have no `v1`
  (StepAction, CustomRun, VerificationPolicy) are left alone in a version Tekton serves.

Why:
  `tekton.dev/v1beta1` is deprecated upstream since Tekton Pipelines v0.50 and its
  fields differ (resources, `taskRunSpecs`, `serviceAccountName`). okd-streams writes
  every Tekton object in v1; in a foreign tree this is a warning. A version that is not
  served is not deprecated but gone: the API server refuses the object (`no matches for kind`).
"""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.documents import objects
from okd_streams.model.objects import FileContext, Finding
from okd_streams.schema.store import crd_kind_names

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
        if group != "tekton.dev" or version == "v1":
            continue
        kind = document.data["kind"]
        served = crd_kind_names(api_version)  # "apiVersion/kind" of every version the CRDs serve
        line, column = document.pos(("apiVersion",))
        if f"{api_version}/{kind}" not in served:
            versions = sorted(key.rpartition("/")[0] for key in served if key.rpartition("/")[2] == kind)
            now = (
                f"; write it as {'tekton.dev/v1' if 'tekton.dev/v1' in versions else versions[-1]}" if versions else ""
            )
            gone = "" if versions else f" ({kind} was removed from Tekton)"
            yield Finding(
                None,
                (),
                f"{kind} uses {api_version}, which Tekton no longer serves{gone}: the API server rejects it "
                f'(no matches for kind "{kind}" in version "{api_version}"){now}',
                level="error",  # not a style: the object cannot be applied, in any tree
                file=yaml_file.path,
                line=line,
                column=column,
            )
        elif f"tekton.dev/v1/{kind}" in served:
            yield Finding(
                None,
                (),
                f"{kind} uses {api_version}; write it as tekton.dev/v1 ({version} is deprecated)",
                file=yaml_file.path,
                line=line,
                column=column,
            )
