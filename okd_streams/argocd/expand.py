"""Argo CD, offline: expand argocd/'s ApplicationSet as Argo CD would, and check the result.

Argo CD cannot run here (no cluster). What it would do with this repository is
deterministic up to the point where it talks to a cluster, so okd-streams does that part
itself, following Argo CD's own code:

1. Render argocd/ with the real kustomize (as `kubectl apply -k argocd/` and the bootstrap
   Application do), keeping where each object came from.
2. For each ApplicationSet, run its git generator over this working tree
   (applicationset/generators/git.go): the files generator lists files matching each
   `path` glob (Argo CD's default globbing is `git ls-files -- <glob>`, where `*` also
   matches `/`; its optional "new" globbing is doublestar, where it does not: okd-streams
   uses the default and warns when the two disagree), drops files matching an `exclude`
   entry, sorts them, and parses each one like sigs.k8s.io/yaml (first document; a
   mapping is one param set, a list is one per item; numbers become JSON float64). With
   `goTemplate` the params are the file's data plus `path` {path, basename, filename,
   basenameNormalized, filenameNormalized, segments} and `values`. The directories
   generator lists directories (hidden ones skipped) matched with Go's path.Match.
3. Render the template per param set (applicationset/utils: every string field and map
   key through Go's text/template, see okd_streams.argocd.gotemplate), add the
   `resources-finalizer.argocd.argoproj.io` finalizer unless the template has finalizers
   or the ApplicationSet preserves resources on deletion, then render `templatePatch`
   the same way and merge it in as a strategic merge patch (the Application type has no
   list merge keys: maps merge, lists are replaced, null deletes), restoring `project`.
4. Hand the Applications, plus any static Application in argocd/, to the A rules, which
   check them against the AppProjects and the rendered streams.

Anything Argo CD would do that this module does not emulate is reported as unsupported,
never guessed.
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from okd_streams.argocd import gotemplate
from okd_streams.files.loader import Document
from okd_streams.model.context import RepoContext
from okd_streams.model.kinds import group_of, is_cluster_scoped
from okd_streams.model.objects import Obj, get
from okd_streams.model.repo import SKIP_DIRS, STREAMS_DIR, unit_from_render
from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import KustomizeMissing, RenderResult

ARGOCD_DIR = "argocd"
ARGO_GROUP = "argoproj.io"
APP_VERSION = "argoproj.io/v1alpha1"
FINALIZER = "resources-finalizer.argocd.argoproj.io"
GENERATE_PATHS = "argocd.argoproj.io/manifest-generate-paths"

# The parts of the Application type a template may set (pkg/apis/application/v1alpha1/types.go).
# Argo CD drops any other field silently (CRD pruning, then a typed decode); okd-streams reports it.
_SOURCE = {"repoURL": None, "path": None, "targetRevision": None, "chart": None, "helm": None,
           "kustomize": None, "directory": None, "plugin": None, "ref": None, "name": None}
_APP_SCHEMA: dict = {
    "metadata": {"name": None, "namespace": None, "labels": None, "annotations": None, "finalizers": None},
    "spec": {
        "project": None, "source": _SOURCE, "sources": None, "sourceHydrator": None,
        "destination": {"server": None, "name": None, "namespace": None},
        "syncPolicy": {
            "automated": {"prune": None, "selfHeal": None, "allowEmpty": None, "enabled": None},
            "syncOptions": None, "managedNamespaceMetadata": {"labels": None, "annotations": None},
            "retry": {"limit": None, "refresh": None,
                      "backoff": {"duration": None, "factor": None, "maxDuration": None}},
        },
        "ignoreDifferences": None, "info": None, "revisionHistoryLimit": None,
    },
}


# ---------------------------------------------------------------- results

@dataclass
class Issue:
    """Something Argo CD would fail on (or okd-streams cannot emulate) while expanding."""

    message: str
    obj: Obj | None = None  # an object of argocd/ (positions via obj.at(path))
    path: tuple = ()
    file: str | None = None  # or a file (display path) and a line
    line: int = 1
    column: int = 1
    stream: str | None = None
    level: str | None = None  # None: the rule's level


@dataclass
class App:
    """An Application as Argo CD would create it, and where it came from."""

    data: dict
    appset: Obj | None = None  # the ApplicationSet that generates it (None: a static Application)
    static: Obj | None = None  # the Application object of argocd/ (static Applications)
    generator_file: str | None = None  # repo-relative path of the generator's file (a stream card)
    card: Document | None = None  # the document the params came from
    stream: str | None = None  # streams/<stream> is the source path

    @property
    def name(self) -> str:
        value = get(self.data, "metadata", "name")
        return value if isinstance(value, str) else ""

    @property
    def project(self) -> str:
        value = get(self.data, "spec", "project")
        return value if isinstance(value, str) else ""

    @property
    def source(self) -> dict:
        value = get(self.data, "spec", "source")
        return value if isinstance(value, dict) else {}

    @property
    def path(self) -> str:
        value = self.source.get("path")
        return value if isinstance(value, str) else ""

    @property
    def destination(self) -> dict:
        value = get(self.data, "spec", "destination")
        return value if isinstance(value, dict) else {}

    @property
    def automated(self) -> dict | None:
        value = get(self.data, "spec", "syncPolicy", "automated")
        if not isinstance(value, dict) or value.get("enabled") is False:
            return None
        return value

    def at(self, path: tuple) -> tuple[str, int, int]:
        """Where a field of this Application is written: the template in argocd/, or the static object."""
        origin = self.static or self.appset
        if origin is None:
            return "", 1, 1
        if self.appset is not None and self.static is None:
            return origin.at(("spec", "template") + tuple(path))
        return origin.at(path)


@dataclass
class Argo:
    """argocd/ rendered, its ApplicationSets expanded."""

    directory: Path
    shown: str  # display path of argocd/
    kustomization: str | None = None
    build_error: str | None = None
    objects: list[Obj] = field(default_factory=list)
    appsets: list[Obj] = field(default_factory=list)
    projects: dict[str, Obj] = field(default_factory=dict)
    apps: list[App] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)  # repo path of an excluded file -> pattern
    failed_streams: set[str] = field(default_factory=set)  # streams whose params failed to render


# ---------------------------------------------------------------- entry point

def analyze(context: RepoContext) -> Argo | None:
    """The expansion, once per context (None when the repository has no argocd/ folder)."""
    if "argocd" not in context.cache:
        context.cache["argocd"] = _analyze(context)
    return context.cache["argocd"]


def _analyze(context: RepoContext) -> Argo | None:
    directory = context.root / ARGOCD_DIR
    if not directory.is_dir():
        return None
    argo = Argo(directory, context.display(directory))
    kustomization = kz.kustomization_file(directory)
    if kustomization is None:
        argo.build_error = (f"{argo.shown}/ has no kustomization.yaml: `kubectl apply -k {argo.shown}/` and the "
                            "bootstrap Application need one")
        return argo
    argo.kustomization = context.display(kustomization)
    try:
        result = context.build(directory)
    except KustomizeMissing as exc:
        argo.build_error = str(exc)
        return argo
    if not result.ok:
        argo.build_error = f"kustomize build {argo.shown} failed: {result.error}"
        return argo
    unit = unit_from_render(result, context.tree, argo.shown)
    argo.objects = unit.objects
    for obj in argo.objects:
        if obj.group != ARGO_GROUP:
            continue
        if obj.kind == "ApplicationSet":
            argo.appsets.append(obj)
        elif obj.kind == "AppProject":
            argo.projects[obj.name] = obj
        elif obj.kind == "Application":
            argo.apps.append(_static_app(obj, context))
    for appset in argo.appsets:
        _expand(appset, context, argo)
    _check_names(argo)
    return argo


def _static_app(obj: Obj, context: RepoContext) -> App:
    app = App(canonical(copy.deepcopy(obj.data)), static=obj)
    app.stream = stream_of_path(app.path, context)
    return app


def stream_of_path(path: str, context: RepoContext) -> str | None:
    """The stream whose folder is `path` (repo-relative), if any."""
    parts = posixpath.normpath(path).split("/") if path else []
    if len(parts) == 2 and parts[0] == STREAMS_DIR and context.stream(parts[1]) is not None:
        return parts[1]
    return None


_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _check_names(argo: Argo) -> None:
    """What the API server would refuse when the controller creates the Applications."""
    for app in argo.apps:
        if app.static is not None:
            continue
        where = ("spec", "template", "metadata")
        if not _DNS_SUBDOMAIN.match(app.name) or len(app.name) > 253:
            argo.issues.append(Issue(
                f'the ApplicationSet names an Application "{app.name}" (from {app.generator_file}), which is not a '
                "valid Kubernetes name (lowercase DNS subdomain); the API server refuses it. Use "
                "{{ .path.basenameNormalized }} or the normalize function", obj=app.appset, path=where + ("name",),
                stream=app.stream))
        labels = get(app.data, "metadata", "labels")
        for key, value in (labels.items() if isinstance(labels, dict) else []):
            if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
                argo.issues.append(Issue(
                    f'label {key}="{value}" of Application "{app.name}" is not a valid label value (at most 63 '
                    "characters, alphanumerics, -, _ and . inside); the API server refuses the Application",
                    obj=app.appset, path=where + ("labels", key), stream=app.stream))
    seen: dict[str, App] = {}
    for app in argo.apps:
        other = seen.get(app.name)
        if other is None:
            seen[app.name] = app
            continue
        holder = app.appset or app.static
        argo.issues.append(Issue(
            f'two Applications are named "{app.name}" ({_describe(other)} and {_describe(app)}); Argo CD keeps '
            "one and the ApplicationSet controller reports an error: give each a distinct name",
            obj=holder, path=("spec", "template", "metadata", "name") if app.static is None else ("metadata", "name"),
            stream=app.stream))


def _describe(app: App) -> str:
    if app.static is not None:
        return f"Application in {app.static.file}"
    return f"generated from {app.generator_file or app.path}"


# ---------------------------------------------------------------- ApplicationSet expansion

def _expand(appset: Obj, context: RepoContext, argo: Argo) -> None:
    spec = appset.spec
    if spec.get("goTemplate") is not True:
        argo.issues.append(Issue(
            f'ApplicationSet "{appset.name}" does not set goTemplate: true; okd-streams emulates only Go templates '
            "(fasttemplate is deprecated upstream)", obj=appset, path=("spec", "goTemplate")))
        return
    options = spec.get("goTemplateOptions", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        argo.issues.append(Issue("goTemplateOptions must be a list of strings", obj=appset,
                                 path=("spec", "goTemplateOptions")))
        return
    template = spec.get("template")
    if not isinstance(template, dict):
        argo.issues.append(Issue(f'ApplicationSet "{appset.name}" has no template', obj=appset, path=("spec",)))
        return
    if "strategy" in spec:
        argo.issues.append(Issue("spec.strategy (progressive syncs) is not emulated offline: the order in which "
                                 "Argo CD updates Applications is not verified", obj=appset,
                                 path=("spec", "strategy"), level="warning"))
    for path in unknown_fields(template, _APP_SCHEMA):
        argo.issues.append(Issue(
            f"the template sets {'.'.join(map(str, path))}, which is not a field of an Argo CD Application: "
            "Argo CD drops it silently", obj=appset, path=("spec", "template") + path))
    preserve = get(spec, "syncPolicy", "preserveResourcesOnDeletion") is True
    patch = spec.get("templatePatch")
    if patch is not None and not isinstance(patch, str):
        argo.issues.append(Issue("templatePatch must be a string (a YAML or JSON document with Go templates)",
                                 obj=appset, path=("spec", "templatePatch")))
        return
    generators = spec.get("generators")
    if not isinstance(generators, list) or not generators:
        argo.issues.append(Issue(f'ApplicationSet "{appset.name}" has no generators', obj=appset,
                                 path=("spec", "generators")))
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


def _generate(generator: Any, where: tuple, appset: Obj, context: RepoContext,
              argo: Argo) -> Iterable[tuple[dict, _Origin]]:
    kinds = [k for k in generator if k != "selector"] if isinstance(generator, dict) else []
    if len(kinds) != 1:
        argo.issues.append(Issue("a generator must have exactly one kind (git, list, matrix, ...)", obj=appset,
                                 path=where))
        return
    if generator.get("selector"):
        argo.issues.append(Issue("a generator selector is not emulated offline", obj=appset,
                                 path=where + ("selector",)))
        return
    kind = kinds[0]
    body = generator[kind]
    if kind != "git":
        argo.issues.append(Issue(f'the "{kind}" generator is not emulated offline (okd-streams emulates the git '
                                 "files and directories generators)", obj=appset, path=where + (kind,)))
        return
    if not isinstance(body, dict):
        argo.issues.append(Issue("the git generator must be a mapping", obj=appset, path=where + (kind,)))
        return
    where = where + ("git",)
    if body.get("template"):
        argo.issues.append(Issue("a generator template is not emulated offline", obj=appset,
                                 path=where + ("template",)))
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


def _files_generator(items: Any, prefix: str, values: dict, where: tuple, appset: Obj, context: RepoContext,
                     argo: Argo) -> Iterable[tuple[dict, _Origin]]:
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
            argo.issues.append(Issue(
                f'files path "{pattern}" matches differently under Argo CD\'s default git globbing (`*` also '
                f"matches /) and its new globbing (--enable-new-git-file-globbing): {', '.join(differ)}; "
                "make the pattern unambiguous", obj=appset, path=where + ("files",), level="warning"))
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
            argo.issues.append(Issue(f"Argo CD cannot parse {path} for the files generator: {issue.message}",
                                     file=yaml_file.path, line=issue.line, column=issue.column, stream=stream))
            argo.failed_streams.add(stream or path)
            continue
        document = yaml_file.documents[0] if yaml_file.documents else None
        data = document.data if document is not None else {}
        origin.card = document
        if data is None:
            data = {}
        objects = [data] if isinstance(data, dict) else data if isinstance(data, list) else None
        if objects is None or not all(isinstance(o, dict) for o in objects):
            argo.issues.append(Issue(f"Argo CD cannot use {path} for the files generator: it is neither a mapping "
                                     "nor a list of mappings (unable to parse file)", file=yaml_file.path,
                                     stream=stream))
            argo.failed_streams.add(stream or path)
            continue
        for item in objects:
            params = _json_numbers(copy.deepcopy(item))
            path_param = {
                "path": _go_dir(path), "basename": posixpath.basename(_go_dir(path)) or ".",
                "filename": posixpath.basename(path),
                "basenameNormalized": gotemplate.sanitize_name(posixpath.basename(_go_dir(path)) or "."),
                "filenameNormalized": gotemplate.sanitize_name(posixpath.basename(path)),
                "segments": _go_dir(path).split("/"),
            }
            _set_path(params, path_param, prefix)
            if not _values(params, values, appset, where, argo, origin):
                continue
            yield params, origin


def _directories_generator(items: Any, prefix: str, values: dict, where: tuple, appset: Obj, context: RepoContext,
                           argo: Argo) -> Iterable[tuple[dict, _Origin]]:
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
        path_param = {"path": directory, "basename": posixpath.basename(directory),
                      "basenameNormalized": gotemplate.sanitize_name(posixpath.basename(directory)),
                      "segments": directory.split("/")}
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
            argo.issues.append(Issue(f"generator value {key!r} for {origin.file}: {exc}", obj=appset,
                                     path=where + ("values", key), stream=origin.stream))
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


def _render_app(template: dict, patch: str | None, params: dict, options: list[str], preserve: bool,
                appset: Obj, origin: _Origin, context: RepoContext, argo: Argo) -> App | None:
    try:
        rendered = _render_value(copy.deepcopy(template), params, options, ())
    except _RenderFailure as failure:
        _template_issue(failure, ("spec", "template") + failure.path, appset, origin, argo)
        return None
    metadata = rendered.get("metadata") if rendered.get("metadata") is not None else {}
    if not isinstance(metadata, dict):
        argo.issues.append(Issue("template.metadata must be a mapping", obj=appset,
                                 path=("spec", "template", "metadata")))
        return None
    if not preserve and not metadata.get("finalizers"):
        metadata["finalizers"] = [FINALIZER]
    app_data = {"apiVersion": APP_VERSION, "kind": "Application", "metadata": metadata,
                "spec": rendered.get("spec") if isinstance(rendered.get("spec"), dict) else {}}
    if patch is not None:
        try:
            text = gotemplate.render(patch, params, options)
        except gotemplate.TemplateError as exc:
            _template_issue(_RenderFailure(exc, (), patch), ("spec", "templatePatch"), appset, origin, argo)
            return None
        try:
            parsed = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError as exc:
            argo.issues.append(Issue(f"templatePatch for {origin.file} renders to invalid YAML: "
                                     f"{str(exc).splitlines()[0]}", obj=appset, path=("spec", "templatePatch"),
                                     stream=origin.stream))
            argo.failed_streams.add(origin.stream or origin.file or "")
            return None
        if parsed is not None and not isinstance(parsed, dict):
            argo.issues.append(Issue(f"templatePatch for {origin.file} renders to a {type(parsed).__name__}, not a "
                                     "mapping (okd-streams emulates YAML/JSON patches, not json+patch arrays)",
                                     obj=appset, path=("spec", "templatePatch"), stream=origin.stream))
            argo.failed_streams.add(origin.stream or origin.file or "")
            return None
        if parsed:
            for path in unknown_fields(parsed, _APP_SCHEMA):
                argo.issues.append(Issue(
                    f"templatePatch sets {'.'.join(map(str, path))}, which is not a field of an Argo CD "
                    "Application: Argo CD drops it silently", obj=appset, path=("spec", "templatePatch"),
                    stream=origin.stream))
            project = app_data["spec"].get("project")
            app_data = merge_patch(app_data, parsed)
            app_data.setdefault("spec", {})
            if isinstance(app_data["spec"], dict):
                app_data["spec"]["project"] = project  # Argo CD: a patch cannot change the project
    if not isinstance(app_data.get("metadata"), dict):
        app_data["metadata"] = {}
    if not app_data["metadata"].get("namespace"):
        app_data["metadata"]["namespace"] = appset.namespace or "argocd"  # the ApplicationSet's namespace
    app = App(canonical(app_data), appset=appset, generator_file=origin.file, card=origin.card)
    app.stream = stream_of_path(app.path, context) or origin.stream
    return app


_ORDER = {"metadata": ("name", "namespace", "labels", "annotations", "finalizers"),
          "spec": ("project", "source", "sources", "destination", "syncPolicy", "ignoreDifferences")}


def canonical(app: dict) -> dict:
    """The Application with its keys in the order `kubectl get -o yaml` readers expect (content unchanged)."""
    result = {key: app[key] for key in ("apiVersion", "kind", "metadata", "spec") if key in app}
    result.update({key: value for key, value in app.items() if key not in result})
    for section, order in _ORDER.items():
        value = result.get(section)
        if isinstance(value, dict):
            ordered = {key: value[key] for key in order if key in value}
            ordered.update({key: item for key, item in value.items() if key not in ordered})
            result[section] = ordered
    return result


def _template_issue(failure: _RenderFailure, path: tuple, appset: Obj, origin: _Origin, argo: Argo) -> None:
    """A template that fails for one param set: at the card when the card is what is wrong."""
    stream = origin.stream
    argo.failed_streams.add(stream or origin.file or "")
    message = (f"Argo CD cannot render the ApplicationSet template for {origin.file}: {failure.error}; the "
               "ApplicationSet controller reports an error and creates no Application for it")
    if isinstance(failure.error, gotemplate.UnsupportedTemplate):
        argo.issues.append(Issue(f"template {failure.source!r}: {failure.error}", obj=appset, path=path,
                                 stream=stream))
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
            argo.issues.append(Issue(f"{message} (the template reads .{missing} from this file)", file=card.path,
                                     line=line, column=column, stream=stream))
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


# ---------------------------------------------------------------- the repository's files and globs

def repo_files(context: RepoContext) -> list[str]:
    """The files Argo CD would see after this change is committed: tracked and not ignored."""
    if "files" not in context.cache:
        context.cache["files"] = _list_files(context.root)
    return context.cache["files"]


def _list_files(root: Path) -> list[str]:
    done: subprocess.CompletedProcess[bytes] | None
    top: subprocess.CompletedProcess[str] | None
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                               "--exclude-standard", "--full-name"], capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        done = top = None
    if done is not None and top is not None and done.returncode == 0 and top.returncode == 0 \
            and Path(top.stdout.strip()).resolve() == root.resolve():
        names = [n.decode("utf-8", "surrogateescape") for n in done.stdout.split(b"\0") if n]
        return sorted({n for n in names if (root / n).is_file()})
    found = []
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)  # tool folders are never committed
        for name in files:
            found.append(Path(current, name).relative_to(root).as_posix())
    return sorted(found)


_GLOB_CHARS = set("*?[")


def _class(pattern: str, i: int) -> tuple[str, int]:
    """A [...] character class starting at pattern[i] as a regex, and the index after it."""
    j = i + 1
    negate = j < len(pattern) and pattern[j] in "!^"
    if negate:
        j += 1
    start = j
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    if j >= len(pattern):
        return re.escape("["), i + 1
    body = pattern[start:j].replace("\\", "\\\\").replace("^", "\\^")
    return f"[{'^' if negate else ''}{body}]", j + 1


def git_pathspec_match(pattern: str, path: str) -> bool:
    """`git ls-files -- <pattern>` (no pathspec magic): `*` and `?` also match `/`; no wildcard is a prefix."""
    pattern = pattern.lstrip("/") if pattern.startswith("/") else pattern
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if not _GLOB_CHARS & set(pattern.replace("\\", "")):
        literal = pattern.replace("\\", "").rstrip("/")
        return path == literal or path.startswith(literal + "/") or literal in ("", ".")
    regex, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            regex.append(".*")
        elif char == "?":
            regex.append(".")
        elif char == "[":
            piece, i = _class(pattern, i)
            regex.append(piece)
            continue
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            regex.append(re.escape(pattern[i]))
        else:
            regex.append(re.escape(char))
        i += 1
    return re.fullmatch("".join(regex), path, re.DOTALL) is not None


def doublestar_match(pattern: str, path: str) -> bool:
    """Argo CD's new git file globbing (bmatcuk/doublestar): `*` stays within one folder, `**` spans folders."""
    pattern = pattern.lstrip("/")
    regex = _doublestar_regex(pattern)
    return regex is not None and re.fullmatch(regex, path, re.DOTALL) is not None


def _doublestar_regex(pattern: str) -> str | None:
    parts = pattern.split("/")
    out = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append("(?:.*)" if last else "(?:[^/]*/)*")
            continue
        out.append(_segment_regex(part, brace=True))
        if not last:
            out.append("/")
    return "".join(out)


def _segment_regex(segment: str, brace: bool = False, any_char: str = "[^/]") -> str:
    regex, i = [], 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            regex.append(any_char + "*")
        elif char == "?":
            regex.append(any_char)
        elif char == "[":
            piece, i = _class(segment, i)
            regex.append(piece)
            continue
        elif char == "{" and brace and "}" in segment[i:]:
            end = segment.index("}", i)
            options = segment[i + 1:end].split(",")
            regex.append("(?:" + "|".join(_segment_regex(o, any_char=any_char) for o in options) + ")")
            i = end + 1
            continue
        elif char == "\\" and i + 1 < len(segment):
            i += 1
            regex.append(re.escape(segment[i]))
        else:
            regex.append(re.escape(char))
        i += 1
    return "".join(regex)


def go_path_match(pattern: str, name: str) -> bool:
    """Go's path.Match: `*` and `?` never match `/`; an invalid pattern matches nothing."""
    if pattern.count("/") != name.count("/"):
        return False
    return _compiled(pattern, False, "[^/]").fullmatch(name) is not None


def argo_glob(pattern: str, text: str) -> bool:
    """Argo CD's util/glob.Match (gobwas/glob, no separators): `*` matches anything, `{a,b}` alternates."""
    return _compiled(pattern, True, ".").fullmatch(text) is not None


@lru_cache(maxsize=4096)
def _compiled(pattern: str, brace: bool, any_char: str) -> re.Pattern:
    """A glob's regex, translated and compiled once (the same few patterns are matched per object)."""
    return re.compile(_segment_regex(pattern, brace=brace, any_char=any_char), re.DOTALL)


# ---------------------------------------------------------------- AppProject semantics

def _patterns(project: Obj, key: str) -> list:
    value = project.spec.get(key)
    return value if isinstance(value, list) else []


def normalize_repo(url: str) -> str:
    """Argo CD's git.NormalizeGitURL, roughly: case, surrounding space, trailing .git and /."""
    url = url.strip().lower()
    url = url[:-1] if url.endswith("/") else url
    return url[:-4] if url.endswith(".git") else url


def _allowed(patterns: list[str], text: str, match: Callable[[str, str], bool]) -> bool:
    """Allow/deny lists: a `!pattern` match denies; otherwise any plain match allows."""
    if any(p.startswith("!") and match(p[1:], text) for p in patterns if isinstance(p, str)):
        return False
    return any(isinstance(p, str) and not p.startswith("!") and match(p, text) for p in patterns)


def source_permitted(project: Obj, repo_url: str) -> bool:
    patterns = [p for p in _patterns(project, "sourceRepos") if isinstance(p, str)]
    return _allowed(patterns, normalize_repo(repo_url), lambda p, t: p == "*" or argo_glob(normalize_repo(p), t))


def destination_permitted(project: Obj, server: str, name: str, namespace: str) -> bool:
    """AppProject.IsDestinationPermitted: (server or name) and namespace match one entry, none denies."""
    allow, deny = False, False
    for entry in _patterns(project, "destinations"):
        if not isinstance(entry, dict):
            continue
        ns_pattern = found if isinstance(found := entry.get("namespace"), str) else ""
        server_pattern = found if isinstance(found := entry.get("server"), str) else ""
        name_pattern = found if isinstance(found := entry.get("name"), str) else ""
        negated = ns_pattern.startswith("!") or server_pattern.startswith("!") or name_pattern.startswith("!")
        cluster = ((server_pattern and argo_glob(server_pattern.lstrip("!"), server))
                   or (name_pattern and argo_glob(name_pattern.lstrip("!"), name)))
        in_namespace = argo_glob(ns_pattern.lstrip("!"), namespace)
        if negated:
            if cluster and in_namespace:
                deny = True
        elif cluster and in_namespace:
            allow = True
    return allow and not deny


def kind_permitted(project: Obj, group: str, kind: str, namespaced: bool) -> tuple[bool, str]:
    """AppProject.IsGroupKindPermitted; also names the list that decided."""
    def listed(key: str) -> bool:
        for entry in _patterns(project, key):
            if isinstance(entry, dict) and argo_glob(str(entry.get("group", "")), group) \
                    and argo_glob(str(entry.get("kind", "")), kind):
                return True
        return False

    if namespaced:
        whitelist = _patterns(project, "namespaceResourceWhitelist")
        if whitelist and not listed("namespaceResourceWhitelist"):
            return False, "namespaceResourceWhitelist"
        if listed("namespaceResourceBlacklist"):
            return False, "namespaceResourceBlacklist"
        return True, ""
    if not listed("clusterResourceWhitelist"):
        return False, "clusterResourceWhitelist"
    if listed("clusterResourceBlacklist"):
        return False, "clusterResourceBlacklist"
    return True, ""


# ---------------------------------------------------------------- what an Application deploys

@dataclass
class Deployed:
    objects: list[Obj]
    error: str | None = None  # the source cannot be rendered (already reported elsewhere when a stream)


def deployed(context: RepoContext, argo: Argo, app: App) -> Deployed | None:
    """The objects Argo CD would sync for `app`, rendered with the same kustomize (cached).

    None when the source is not something okd-streams renders (another repository, a Helm
    chart, several sources): A002 says so.
    """
    cache = context.cache.setdefault("deployed", {})
    key = app.path
    if key in cache:
        return cache[key]
    found: Deployed | None = None
    if app.stream is not None:
        unit = context.unit(app.stream)
        if unit is not None:
            found = Deployed(unit.objects, unit.build_error)
    elif posixpath.normpath(app.path or ".") == ARGOCD_DIR and argo.build_error is None:
        found = Deployed(argo.objects)
    else:
        directory = (context.root / app.path) if app.path else None
        if directory is not None and kz.kustomization_file(directory) is not None:
            try:
                result = context.build(directory)
            except KustomizeMissing as exc:
                result = RenderResult(directory, error=str(exc))
            if result.ok:
                found = Deployed(unit_from_render(result, context.tree, app.path).objects)
            else:
                found = Deployed([], result.error)
    cache[key] = found
    return found


def object_namespace(obj: Obj, app: App) -> str:
    """The namespace Argo CD applies a namespaced object to: its own, else the destination's."""
    return obj.namespace or (app.destination.get("namespace") or "")


def object_key(obj: Obj, app: App) -> tuple[str, str, str, str]:
    group = group_of(obj.api_version)
    namespace = "" if is_cluster_scoped(group, obj.kind) else object_namespace(obj, app)
    return group, obj.kind, namespace, obj.name


def generate_paths(app: App) -> list[str] | None:
    """The repo-relative paths of the manifest-generate-paths annotation (None: no annotation)."""
    annotations = get(app.data, "metadata", "annotations")
    value = annotations.get(GENERATE_PATHS) if isinstance(annotations, dict) else None
    if not isinstance(value, str):
        return None
    paths = []
    for item in value.split(";"):
        item = item.strip()
        if not item:
            continue
        if item.startswith("/"):
            paths.append(posixpath.normpath(item.lstrip("/")) if item.strip("/") else ".")
        else:
            paths.append(posixpath.normpath(posixpath.join(app.path or ".", item)))
    return paths


def path_covered(path: str, patterns: list[str]) -> bool:
    """Argo CD: a changed file refreshes the app when it is a declared path, lies under one, or matches a glob."""
    for pattern in patterns:
        if pattern in (".", ""):
            return True
        if path == pattern or path.startswith(pattern.rstrip("/") + "/"):
            return True
        if _GLOB_CHARS & set(pattern) and go_path_match(pattern, path):
            return True
    return False
