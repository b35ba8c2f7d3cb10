"""ApplicationSet expansion, as Argo CD's controller does it (applicationset/).

For each ApplicationSet, its git generator runs over this working tree
(applicationset/generators/git.go): the files generator lists files matching each `path`
glob (Argo CD's default globbing is `git ls-files -- <glob>`, where `*` also matches `/`;
its optional "new" globbing is doublestar, where it does not: okd-streams uses the default
and warns when the two disagree), drops files matching an `exclude` entry, sorts them, and
parses each one like sigs.k8s.io/yaml (first document; a mapping is one param set, a list
is one per item; numbers become JSON float64). With `goTemplate` the params are the file's
data plus `path` {path, basename, filename, basenameNormalized, filenameNormalized,
segments} and `values`. The directories generator lists directories (hidden ones skipped)
matched with Go's path.Match.

Then the template is rendered per param set (applicationset/utils: every string field and
map key through Go's text/template, see okd_streams.argocd.gotemplate), the
`resources-finalizer.argocd.argoproj.io` finalizer added unless the template has finalizers
or the ApplicationSet preserves resources on deletion, and `templatePatch` rendered the same
way and merged in as a strategic merge patch (the Application type has no list merge keys:
maps merge, lists are replaced, null deletes), restoring `project`.
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okd_streams.argocd import gotemplate
from okd_streams.argocd.globs import doublestar_match, git_pathspec_match, go_path_match
from okd_streams.argocd.results import APP_VERSION, FINALIZER, App, Argo, Issue, canonical, stream_of_path
from okd_streams.files.git import tracked_files
from okd_streams.files.loader import Document, YamlError, load_one
from okd_streams.model.context import RepoContext
from okd_streams.model.objects import Obj, get
from okd_streams.model.repo import SKIP_DIRS

# The parts of the Application type a template may set (pkg/apis/application/v1alpha1/types.go).
# Argo CD drops any other field silently (CRD pruning, then a typed decode); okd-streams reports it.
_SOURCE = {
    "repoURL": None,
    "path": None,
    "targetRevision": None,
    "chart": None,
    "helm": None,
    "kustomize": None,
    "directory": None,
    "plugin": None,
    "ref": None,
    "name": None,
}
_APP_SCHEMA: dict = {
    "metadata": {"name": None, "namespace": None, "labels": None, "annotations": None, "finalizers": None},
    "spec": {
        "project": None,
        "source": _SOURCE,
        "sources": None,
        "sourceHydrator": None,
        "destination": {"server": None, "name": None, "namespace": None},
        "syncPolicy": {
            "automated": {"prune": None, "selfHeal": None, "allowEmpty": None, "enabled": None},
            "syncOptions": None,
            "managedNamespaceMetadata": {"labels": None, "annotations": None},
            "retry": {
                "limit": None,
                "refresh": None,
                "backoff": {"duration": None, "factor": None, "maxDuration": None},
            },
        },
        "ignoreDifferences": None,
        "info": None,
        "revisionHistoryLimit": None,
    },
}


def expand(appset: Obj, context: RepoContext, argo: Argo) -> None:
    spec = appset.spec
    if spec.get("goTemplate") is not True:
        argo.issues.append(
            Issue(
                f'ApplicationSet "{appset.name}" does not set goTemplate: true; okd-streams emulates only Go templates '
                "(fasttemplate is deprecated upstream)",
                obj=appset,
                path=("spec", "goTemplate"),
            )
        )
        return
    options = spec.get("goTemplateOptions", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        argo.issues.append(
            Issue("goTemplateOptions must be a list of strings", obj=appset, path=("spec", "goTemplateOptions"))
        )
        return
    template = spec.get("template")
    if not isinstance(template, dict):
        argo.issues.append(Issue(f'ApplicationSet "{appset.name}" has no template', obj=appset, path=("spec",)))
        return
    if "strategy" in spec:
        argo.issues.append(
            Issue(
                "spec.strategy (progressive syncs) is not emulated offline: the order in which "
                "Argo CD updates Applications is not verified",
                obj=appset,
                path=("spec", "strategy"),
                level="warning",
            )
        )
    for path in unknown_fields(template, _APP_SCHEMA):
        argo.issues.append(
            Issue(
                f"the template sets {'.'.join(map(str, path))}, which is not a field of an Argo CD Application: "
                "Argo CD drops it silently",
                obj=appset,
                path=("spec", "template") + path,
            )
        )
    preserve = get(spec, "syncPolicy", "preserveResourcesOnDeletion") is True
    patch = spec.get("templatePatch")
    if patch is not None and not isinstance(patch, str):
        argo.issues.append(
            Issue(
                "templatePatch must be a string (a YAML or JSON document with Go templates)",
                obj=appset,
                path=("spec", "templatePatch"),
            )
        )
        return
    generators = spec.get("generators")
    if not isinstance(generators, list) or not generators:
        argo.issues.append(
            Issue(f'ApplicationSet "{appset.name}" has no generators', obj=appset, path=("spec", "generators"))
        )
        return
    for index, generator in enumerate(generators):
        where = ("spec", "generators", index)
        for params, origin in _generate(generator, where, appset, context, argo):
            app = _render_app(template, patch, params, options, preserve, appset, origin, context, argo)
            if app is not None:
                argo.apps.append(app)


@dataclass
class _Origin:
    file: str | None  # repo-relative path of the generator's file, or the directory
    card: Document | None
    stream: str | None


def _generate(
    generator: Any, where: tuple, appset: Obj, context: RepoContext, argo: Argo
) -> Iterable[tuple[dict, _Origin]]:
    kinds = [k for k in generator if k != "selector"] if isinstance(generator, dict) else []
    if len(kinds) != 1:
        argo.issues.append(
            Issue("a generator must have exactly one kind (git, list, matrix, ...)", obj=appset, path=where)
        )
        return
    if generator.get("selector"):
        argo.issues.append(
            Issue("a generator selector is not emulated offline", obj=appset, path=where + ("selector",))
        )
        return
    kind = kinds[0]
    body = generator[kind]
    if kind != "git":
        argo.issues.append(
            Issue(
                f'the "{kind}" generator is not emulated offline (okd-streams emulates the git '
                "files and directories generators)",
                obj=appset,
                path=where + (kind,),
            )
        )
        return
    if not isinstance(body, dict):
        argo.issues.append(Issue("the git generator must be a mapping", obj=appset, path=where + (kind,)))
        return
    where = where + ("git",)
    if body.get("template"):
        argo.issues.append(
            Issue("a generator template is not emulated offline", obj=appset, path=where + ("template",))
        )
        return
    prefix = body.get("pathParamPrefix") or ""
    values = body.get("values") or {}
    if not isinstance(prefix, str) or not isinstance(values, dict):
        argo.issues.append(Issue("pathParamPrefix must be a string and values a mapping", obj=appset, path=where))
        return
    files = body.get("files")
    directories = body.get("directories")
    if files:
        yield from _files_generator(files, prefix, values, where, appset, context, argo)
    elif directories:
        yield from _directories_generator(directories, prefix, values, where, appset, context, argo)
    else:
        argo.issues.append(Issue("the git generator lists neither files nor directories", obj=appset, path=where))


def _entries(items: Any, key: str, where: tuple, appset: Obj, argo: Argo) -> tuple[list[str], list[str]] | None:
    if not isinstance(items, list):
        argo.issues.append(Issue(f"{key} must be a list of {{path, exclude}}", obj=appset, path=where + (key,)))
        return None
    include: list[str] = []
    exclude: list[str] = []
    for index, item in enumerate(items):
        pattern = item.get("path") if isinstance(item, dict) else None
        if not isinstance(pattern, str) or not pattern:
            argo.issues.append(Issue(f"{key}[{index}] needs a path", obj=appset, path=where + (key, index)))
            return None
        (exclude if item.get("exclude") is True else include).append(pattern)
    return include, exclude


def _files_generator(
    items: Any, prefix: str, values: dict, where: tuple, appset: Obj, context: RepoContext, argo: Argo
) -> Iterable[tuple[dict, _Origin]]:
    entries = _entries(items, "files", where, appset, argo)
    if entries is None:
        return
    include, exclude = entries
    listing = repo_files(context)
    found: set[str] = set()
    for pattern in include:
        matched = {p for p in listing if git_pathspec_match(pattern, p)}
        strict = {p for p in listing if doublestar_match(pattern, p)}
        if matched != strict:
            differ = sorted(matched ^ strict)[:3]
            argo.issues.append(
                Issue(
                    f'files path "{pattern}" matches differently under Argo CD\'s default git globbing (`*` also '
                    f"matches /) and its new globbing (--enable-new-git-file-globbing): {', '.join(differ)}; "
                    "make the pattern unambiguous",
                    obj=appset,
                    path=where + ("files",),
                    level="warning",
                )
            )
        found |= matched
    for pattern in exclude:
        for path in sorted(p for p in found if git_pathspec_match(pattern, p)):
            argo.excluded[path] = pattern
            found.discard(path)
    for path in sorted(found):
        stream = stream_of_path(posixpath.dirname(path), context)
        yaml_file = context.tree.file(context.root / path)
        origin = _Origin(path, None, stream)
        if yaml_file.issues:
            issue = yaml_file.issues[0]
            argo.issues.append(
                Issue(
                    f"Argo CD cannot parse {path} for the files generator: {issue.message}",
                    file=yaml_file.path,
                    line=issue.line,
                    column=issue.column,
                    stream=stream,
                )
            )
            argo.failed_streams.add(stream or path)
            continue
        document = yaml_file.documents[0] if yaml_file.documents else None
        data = document.data if document is not None else {}
        origin.card = document
        if data is None:
            data = {}
        objects = [data] if isinstance(data, dict) else data if isinstance(data, list) else None
        if objects is None or not all(isinstance(o, dict) for o in objects):
            argo.issues.append(
                Issue(
                    f"Argo CD cannot use {path} for the files generator: it is neither a mapping "
                    "nor a list of mappings (unable to parse file)",
                    file=yaml_file.path,
                    stream=stream,
                )
            )
            argo.failed_streams.add(stream or path)
            continue
        for item in objects:
            params = _json_numbers(copy.deepcopy(item))
            path_param = {
                "path": _go_dir(path),
                "basename": posixpath.basename(_go_dir(path)) or ".",
                "filename": posixpath.basename(path),
                "basenameNormalized": gotemplate.sanitize_name(posixpath.basename(_go_dir(path)) or "."),
                "filenameNormalized": gotemplate.sanitize_name(posixpath.basename(path)),
                "segments": _go_dir(path).split("/"),
            }
            _set_path(params, path_param, prefix)
            if not _values(params, values, appset, where, argo, origin):
                continue
            yield params, origin


def _directories_generator(
    items: Any, prefix: str, values: dict, where: tuple, appset: Obj, context: RepoContext, argo: Argo
) -> Iterable[tuple[dict, _Origin]]:
    entries = _entries(items, "directories", where, appset, argo)
    if entries is None:
        return
    include, exclude = entries
    directories = sorted({posixpath.dirname(p) for p in repo_files(context)} - {""})
    # parents too: git tracks files, and every folder holding one is a directory
    every = set()
    for directory in directories:
        parts = directory.split("/")
        for end in range(1, len(parts) + 1):
            every.add("/".join(parts[:end]))
    for directory in sorted(every):
        if any(part.startswith(".") for part in directory.split("/")):
            continue
        included = any(go_path_match(p, directory) for p in include)
        excluded = [p for p in exclude if go_path_match(p, directory)]
        if excluded and included:
            argo.excluded[directory] = excluded[0]
        if not included or excluded:
            continue
        params: dict = {}
        path_param = {
            "path": directory,
            "basename": posixpath.basename(directory),
            "basenameNormalized": gotemplate.sanitize_name(posixpath.basename(directory)),
            "segments": directory.split("/"),
        }
        _set_path(params, path_param, prefix)
        stream = stream_of_path(directory, context)
        card = None
        if stream is not None:
            found = context.stream(stream)
            card = found.card(context.tree) if found else None
        origin = _Origin(directory, card, stream)
        if _values(params, values, appset, where, argo, origin):
            yield params, origin


def _set_path(params: dict, path_param: dict, prefix: str) -> None:
    if prefix:
        params[prefix] = {"path": path_param}
    else:
        params["path"] = path_param


def _values(params: dict, values: dict, appset: Obj, where: tuple, argo: Argo, origin: _Origin) -> bool:
    """Argo CD's appendTemplatedValues: `.values` is always set (an empty map without values)."""
    rendered = {}
    for key, value in values.items():
        try:
            rendered[str(key)] = gotemplate.render(str(value), params, _options(appset))
        except gotemplate.TemplateError as exc:
            argo.issues.append(
                Issue(
                    f"generator value {key!r} for {origin.file}: {exc}",
                    obj=appset,
                    path=where + ("values", key),
                    stream=origin.stream,
                )
            )
            argo.failed_streams.add(origin.stream or origin.file or "")
            return False
    params["values"] = rendered
    return True


def _options(appset: Obj) -> list[str]:
    options = appset.spec.get("goTemplateOptions", [])
    return options if isinstance(options, list) else []


def _go_dir(path: str) -> str:
    directory = posixpath.dirname(path)
    return posixpath.normpath(directory) if directory else "."


def _json_numbers(value: Any) -> Any:
    """sigs.k8s.io/yaml goes through JSON: every number a generator yields is a float64."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: _json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_numbers(v) for v in value]
    return value


# ---------------------------------------------------------------- template rendering


class _RenderFailure(Exception):
    def __init__(self, error: gotemplate.TemplateError, path: tuple, source: str) -> None:
        super().__init__(str(error))
        self.error = error
        self.path = path
        self.source = source


def _render_value(value: Any, params: dict, options: list[str], path: tuple) -> Any:
    if isinstance(value, str):
        try:
            return gotemplate.render(value, params, options)
        except gotemplate.TemplateError as exc:
            raise _RenderFailure(exc, path, value) from None
    if isinstance(value, dict):
        rendered = {}
        for key, item in value.items():
            new_key = _render_value(key, params, options, path + (key,)) if isinstance(key, str) else key
            rendered[new_key] = _render_value(item, params, options, path + (key,))
        return rendered
    if isinstance(value, list):
        return [_render_value(item, params, options, path + (i,)) for i, item in enumerate(value)]
    return value


def _render_app(
    template: dict,
    patch: str | None,
    params: dict,
    options: list[str],
    preserve: bool,
    appset: Obj,
    origin: _Origin,
    context: RepoContext,
    argo: Argo,
) -> App | None:
    try:
        rendered = _render_value(copy.deepcopy(template), params, options, ())
    except _RenderFailure as failure:
        _template_issue(failure, ("spec", "template") + failure.path, appset, origin, argo)
        return None
    metadata = rendered.get("metadata") if rendered.get("metadata") is not None else {}
    if not isinstance(metadata, dict):
        argo.issues.append(
            Issue("template.metadata must be a mapping", obj=appset, path=("spec", "template", "metadata"))
        )
        return None
    if not preserve and not metadata.get("finalizers"):
        metadata["finalizers"] = [FINALIZER]
    app_data = {
        "apiVersion": APP_VERSION,
        "kind": "Application",
        "metadata": metadata,
        "spec": rendered.get("spec") if isinstance(rendered.get("spec"), dict) else {},
    }
    if patch is not None:
        try:
            text = gotemplate.render(patch, params, options)
        except gotemplate.TemplateError as exc:
            _template_issue(_RenderFailure(exc, (), patch), ("spec", "templatePatch"), appset, origin, argo)
            return None
        try:
            parsed = _patch_data(text) if text.strip() else None
        except YamlError as exc:
            argo.issues.append(
                Issue(
                    f"templatePatch for {origin.file} renders to invalid YAML: {str(exc).splitlines()[0]}",
                    obj=appset,
                    path=("spec", "templatePatch"),
                    stream=origin.stream,
                )
            )
            argo.failed_streams.add(origin.stream or origin.file or "")
            return None
        if parsed is not None and not isinstance(parsed, dict):
            argo.issues.append(
                Issue(
                    f"templatePatch for {origin.file} renders to a {type(parsed).__name__}, not a "
                    "mapping (okd-streams emulates YAML/JSON patches, not json+patch arrays)",
                    obj=appset,
                    path=("spec", "templatePatch"),
                    stream=origin.stream,
                )
            )
            argo.failed_streams.add(origin.stream or origin.file or "")
            return None
        if parsed:
            for path in unknown_fields(parsed, _APP_SCHEMA):
                argo.issues.append(
                    Issue(
                        f"templatePatch sets {'.'.join(map(str, path))}, which is not a field of an Argo CD "
                        "Application: Argo CD drops it silently",
                        obj=appset,
                        path=("spec", "templatePatch"),
                        stream=origin.stream,
                    )
                )
            project = app_data["spec"].get("project")
            app_data = merge_patch(app_data, parsed)
            app_data.setdefault("spec", {})
            if isinstance(app_data["spec"], dict):
                app_data["spec"]["project"] = project  # Argo CD: a patch cannot change the project
    if not isinstance(app_data.get("metadata"), dict):
        app_data["metadata"] = {}
    # Argo CD >= 2.14 always puts the Application in the ApplicationSet's namespace (the
    # appsets-in-any-namespace boundary), whatever the template or patch says.
    app_data["metadata"]["namespace"] = appset.namespace or "argocd"
    app = App(canonical(app_data), appset=appset, generator_file=origin.file, card=origin.card)
    app.stream = stream_of_path(app.path, context) or origin.stream
    return app


def _template_issue(failure: _RenderFailure, path: tuple, appset: Obj, origin: _Origin, argo: Argo) -> None:
    """A template that fails for one param set: at the card when the card is what is wrong."""
    stream = origin.stream
    argo.failed_streams.add(stream or origin.file or "")
    message = (
        f"Argo CD cannot render the ApplicationSet template for {origin.file}: {failure.error}; the "
        "ApplicationSet controller reports an error and creates no Application for it"
    )
    if isinstance(failure.error, gotemplate.UnsupportedTemplate):
        argo.issues.append(Issue(f"template {failure.source!r}: {failure.error}", obj=appset, path=path, stream=stream))
        return
    match = re.search(r"at <\.([^>]*)>", str(failure.error))
    card = origin.card
    candidates = [tuple(match.group(1).split("."))] if match else []
    candidates += [f for f in getattr(failure.error, "fields", ()) if f and card is not None and card.has(f)]
    if candidates and card is not None and isinstance(card.data, dict):
        names = candidates[0]
        if names and names[0] not in ("path", "values"):
            present = names
            while present and not card.has(present):
                present = present[:-1]
            line, column = card.pos(present)
            missing = ".".join(names)
            argo.issues.append(
                Issue(
                    f"{message} (the template reads .{missing} from this file)",
                    file=card.path,
                    line=line,
                    column=column,
                    stream=stream,
                )
            )
            return
    argo.issues.append(Issue(message, obj=appset, path=path, stream=stream))


def merge_patch(original: Any, patch: Any) -> Any:
    """A strategic merge patch on a type without list merge keys: maps merge, lists replace, null deletes."""
    if not isinstance(original, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(original)
    for key, value in patch.items():
        if isinstance(key, str) and key.startswith("$"):
            raise gotemplate.UnsupportedTemplate(f"strategic merge directive {key} is not supported offline")
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge_patch(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def unknown_fields(data: Any, schema: dict, path: tuple = ()) -> Iterable[tuple]:
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if key not in schema:
            yield path + (key,)
        elif isinstance(schema[key], dict):
            yield from unknown_fields(value, schema[key], path + (key,))


def repo_files(context: RepoContext) -> list[str]:
    """The files Argo CD would see after this change is committed: tracked and not ignored."""
    if "files" not in context.cache:
        context.cache["files"] = _list_files(context.root)
    return context.cache["files"]


def _list_files(root: Path) -> list[str]:
    tracked = tracked_files(root)
    if tracked is not None:
        return tracked
    found = []
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)  # tool folders are never committed
        for name in files:
            found.append(Path(current, name).relative_to(root).as_posix())
    return sorted(found)


def _patch_data(text: str) -> Any:
    """A rendered templatePatch as data, through the C loader (one per Application: the pure
    Python parser took a tenth of a second on 200 streams). Invalid YAML raises YamlError with
    PyYAML's Python wording, the one Argo CD's users see quoted."""
    try:
        return load_one(text)
    except YamlError as fast:
        try:
            load_one(text, pure=True)
        except YamlError as worded:
            raise worded from None
        raise fast from None
