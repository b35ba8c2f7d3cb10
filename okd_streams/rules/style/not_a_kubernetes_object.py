"""A YAML document where a Kubernetes object belongs that is not one.

What it does:
  In the folders of an okd-streams repository that hold objects (base/, overlays/,
  streams/, argocd/, .tekton/), reports a document that is a list or a scalar, a mapping
  without `apiVersion` and `kind`, or one whose `kind` or `apiVersion` is missing, empty or
  not a string. Kustomizations, patches (`patch*.yaml`), the files a kustomization reads
  as configurations, openapi, replacements or generator inputs, dot-files (such as
  `.yamllint.yaml`) and empty documents are exempt. In any other tree (`okd-streams lint`
  of a foreign folder) only a half object is reported (a Tekton `apiVersion` without a
  `kind`, or a Tekton `kind` without an `apiVersion`), and a list or a scalar in a file
  that also holds Kubernetes objects; GitHub workflows, Helm charts and other YAML pass.
  Each item of a `kind: List` document (in any tree) must be an object too: a mapping with
  a kind and an apiVersion.

Why:
  kubectl, kustomize and Argo CD refuse such a document ("Object 'Kind' is missing"), and
  every Tekton check silently skips it: a Task whose `kind` was lost in an edit is never
  applied and never checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from okd_streams.files.loader import YamlFile
from okd_streams.model.documents import file_path, is_kustomization, is_list, is_patch, list_items
from okd_streams.model.objects import FileContext, Finding

ID = "not-a-kubernetes-object"
CODE = "Y003"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "file"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = False
context_key = None  # findings depend on the file alone

OBJECT_DIRS = {"base", "overlays", "streams", "argocd", ".tekton"}
TEKTON_KINDS = {
    "Task",
    "Pipeline",
    "PipelineRun",
    "TaskRun",
    "StepAction",
    "CustomRun",
    "EventListener",
    "TriggerTemplate",
    "TriggerBinding",
    "ClusterTriggerBinding",
    "Trigger",
    "Interceptor",
    "ClusterInterceptor",
}


def _shape(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _exempt(yaml_file: YamlFile, context: FileContext) -> bool:
    path = file_path(yaml_file.path)
    if is_kustomization(yaml_file) or is_patch(yaml_file) or path.name.startswith("."):
        return True
    return yaml_file.path in getattr(context, "auxiliary", frozenset())


def _strict(yaml_file: YamlFile, context: FileContext) -> bool:
    """Our own repository's object folders: every document must be an object."""
    if getattr(context, "foreign", False):
        return False
    return any(part in OBJECT_DIRS for part in file_path(yaml_file.path).parts[:-1])


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    if not yaml_file.documents or _exempt(yaml_file, context):
        return
    strict = _strict(yaml_file, context)
    # A list or scalar beside objects in one file is a broken manifest anywhere: kubectl apply
    # refuses the whole file ("cannot unmarshal array into Go value of type map").
    manifest = strict or any(
        isinstance(d.data, dict) and isinstance(d.data.get("kind"), str) and isinstance(d.data.get("apiVersion"), str)
        for d in yaml_file.documents
    )
    for document in yaml_file.documents:
        data = document.data
        if data is None:
            continue  # an empty document: kubectl and kustomize skip it too
        line = document.start_line
        if not isinstance(data, dict):
            if strict:
                yield Finding(
                    None,
                    (),
                    f"this document is {_shape(data)}, not a Kubernetes object: files here hold "
                    "one object each, a mapping with apiVersion, kind and metadata",
                    file=yaml_file.path,
                    line=line,
                )
            elif manifest:
                yield Finding(
                    None,
                    (),
                    f"this document is {_shape(data)}, not a Kubernetes object, in a file of "
                    "Kubernetes objects: kubectl and Argo CD refuse the whole file; make it a mapping "
                    "with apiVersion, kind and metadata, or move it out",
                    file=yaml_file.path,
                    line=line,
                )
            continue
        if is_list(data):
            yield from _list_items(yaml_file, document.pos, data)
            continue
        kind, api_version = data.get("kind"), data.get("apiVersion")
        if kind is None and api_version is None:
            if strict:
                yield Finding(
                    None,
                    (),
                    "this mapping has no apiVersion and no kind: kubectl and kustomize refuse "
                    "it; add them (for example apiVersion: tekton.dev/v1, kind: Task)",
                    file=yaml_file.path,
                    line=line,
                )
            continue
        tekton = (isinstance(api_version, str) and "tekton.dev" in api_version) or (
            isinstance(kind, str) and kind in TEKTON_KINDS
        )
        if not strict and not tekton:
            continue
        for key, value in (("kind", kind), ("apiVersion", api_version)):
            if isinstance(value, str) and value.strip():
                continue
            problem = (
                "is missing"
                if value is None
                else f"is {_shape(value)}, not a string"
                if not isinstance(value, str)
                else "is empty"
            )
            where = document.pos((key,)) if value is not None else (line, 1)
            yield Finding(
                None,
                (),
                f"{key} {problem}: kubectl and kustomize refuse an object without a {key}",
                file=yaml_file.path,
                line=where[0],
                column=where[1],
            )


def _list_items(yaml_file: YamlFile, pos: Callable[[tuple], tuple[int, int]], data: dict) -> Iterator[Finding]:
    """Each item of a `kind: List` is applied as an object of its own, in any tree: one that is
    not a mapping, or has no kind or apiVersion, makes kubectl and Argo CD refuse the file."""
    for path, item in list_items(data):
        shown = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path).lstrip(".")
        if not isinstance(item, dict):
            what = "empty" if item is None else _shape(item)
            line, column = pos(path)
            yield Finding(
                None,
                (),
                f"{shown} of this {data['kind']} is {what}, not a Kubernetes object: kubectl and Argo CD "
                "apply each item as an object, and refuse the file",
                file=yaml_file.path,
                line=line,
                column=column,
            )
            continue
        missing = [key for key in ("kind", "apiVersion") if not (isinstance(item.get(key), str) and item[key].strip())]
        if missing:
            present = [key for key in missing if key in item]
            line, column = pos(path + (present[0],)) if present else pos(path)
            yield Finding(
                None,
                (),
                f"{shown} of this {data['kind']} has no {' and no '.join(missing)}: kubectl and Argo CD "
                "apply each item as an object, and refuse one without them",
                file=yaml_file.path,
                line=line,
                column=column,
            )
