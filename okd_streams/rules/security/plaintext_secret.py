"""A secret value written in the repository: a Secret with data, stringData, or a secretGenerator.

What it does:
  Reports, in every YAML file of the repository, a `Secret` whose `data` or `stringData`
  holds values, a `stringData` anywhere else (a Secret inside a TriggerTemplate, a patch),
  and a kustomization `secretGenerator` that builds a Secret from literals or files kept
  next to it. Values that are only Tekton variables (`$(tt.params.token)`) are filled in
  at run time and pass. List the secrets a stream needs with `okd-streams secrets`.

Why:
  Anything in the repository is readable by everyone who can read the repository, and
  stays in git history after it is deleted; base64 in `data` is an encoding, not
  encryption. Streams reference secrets by name; an operator creates them in the stream's
  namespace out of band (or with a sealed/external secrets controller). Waive a test
  fixture with `# okd-streams: disable=X001 reason="..."`. In a foreign tree (a catalog's
  samples) this is a warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from okd_streams.files.loader import YamlFile
from okd_streams.model.documents import expanded, is_kustomization
from okd_streams.model.objects import FileContext, Finding, Obj, get
from okd_streams.tekton import variables
from okd_streams.tekton.containers import MAX_DEPTH, mappings

ID = "plaintext-secret"
CODE = "X001"
LEVEL = "error"
FOREIGN_LEVEL = "warning"
SCOPE = "file"
PER_OBJECT = False
APPLIES_TO = None
WAIVER_NEEDS_REASON = True
context_key = None  # findings depend on the file alone


def _only_variables(value: str) -> bool:
    """A string made of Tekton `$(...)` variables only (filled at run time), or empty."""
    rest = value
    for reference in variables.references(value):
        rest = rest.replace(reference.raw, "")
    return not rest.strip()


def _holds_values(values: Any) -> bool:
    if not isinstance(values, dict):
        return values not in (None, "", [], {})
    return any(not (isinstance(v, str) and _only_variables(v)) and v is not None for v in values.values())


def _secret_generator(obj: Obj) -> Iterator[Finding]:
    generators = obj.data.get("secretGenerator")
    for index, entry in enumerate(generators if isinstance(generators, list) else []):
        if not isinstance(entry, dict):
            continue
        sources = [key for key in ("literals", "files", "envs", "env") if entry.get(key)]
        if sources:
            name = entry.get("name") if isinstance(entry.get("name"), str) else "?"
            yield Finding(
                obj,
                ("secretGenerator", index, sources[0]),
                f'secretGenerator "{name}" builds a Secret from {sources[0]} kept in the repository: '
                "create the Secret out of band and reference it by name",
            )


def check_file(yaml_file: YamlFile, context: FileContext) -> Iterator[Finding]:
    text = yaml_file.text  # the source of the documents
    for document in expanded(yaml_file):  # each item of a kind: List is an object of its own
        if not isinstance(document.data, dict):
            continue
        obj = Obj(document.data, yaml_file.path, document)
        if is_kustomization(yaml_file):
            yield from _secret_generator(obj)
            continue
        reported: set[tuple] = set()
        if obj.kind == "Secret":
            for key in ("data", "stringData"):
                if _holds_values(obj.data.get(key)):
                    reported.add((key,))
                    yield Finding(
                        obj,
                        (key,),
                        f'Secret "{obj.name}" holds its values in the repository ({key}): '
                        "delete the object and create the Secret in the namespace out of band; "
                        "reference it by name",
                    )
        if text and "stringData" not in text and "\\" not in text:
            continue  # no key can read stringData: only an escape in a "quoted" key hides it from the text
        for parent, mapping in mappings(document.data):
            if "stringData" not in mapping or len(parent) >= MAX_DEPTH:  # walk() goes no deeper
                continue
            path, value = parent + ("stringData",), mapping["stringData"]
            if path in reported or not _holds_values(value):
                continue
            name = get(document.data, *path[:-1], "metadata", "name")
            what = f'Secret "{name}"' if isinstance(name, str) else "a Secret"
            yield Finding(
                obj,
                path,
                f"{what} inside {obj.label()} holds plaintext values (stringData): reference "
                "a Secret created out of band instead",
            )
