"""Helpers for the Argo CD rules (A0xx): where to report, and the shared expansion."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from okd_streams.files.loader import Document
from okd_streams.model.context import RepoContext, RepoFinding
from okd_streams.model.objects import Obj

if TYPE_CHECKING:
    from okd_streams import argocd


def _lazy(name: str) -> ModuleType:
    """`name`, imported when first used: these rules run in `check` only (repository scope),
    and a `lint` of Tekton files should not spend a hundredth of a second importing Argo CD's
    expansion (importlib's LazyLoader, as the standard library documents it)."""
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


if not TYPE_CHECKING:
    argocd = _lazy("okd_streams.argocd")


def expansion(context: RepoContext) -> argocd.Argo | None:
    """The expanded argocd/ when it could be rendered (A001 reports when it could not)."""
    argo = argocd.analyze(context)
    if argo is None or argo.build_error is not None:
        return None
    return argo


def at_obj(obj: Obj | None, path: tuple, message: str, stream: str | None, level: str | None = None) -> RepoFinding:
    if obj is None:
        return RepoFinding(None, (), message, level=level, file="", stream=stream)
    return RepoFinding(obj, tuple(path), message, level=level, stream=stream)


def at_app(app: argocd.App, path: tuple, message: str, level: str | None = None) -> RepoFinding:
    """At the field of the Application's source: the ApplicationSet template, or the static Application."""
    shown, line, column = app.at(path)
    return RepoFinding(None, (), message, level=level, file=shown, line=line, column=column, stream=app.stream)


def at_document(
    document: Document, path: tuple, message: str, stream: str | None, level: str | None = None
) -> RepoFinding:
    line, column = document.pos(path)
    return RepoFinding(None, (), message, level=level, file=document.path, line=line, column=column, stream=stream)


def at_file(
    shown: str, message: str, stream: str | None, line: int = 1, column: int = 1, level: str | None = None
) -> RepoFinding:
    return RepoFinding(None, (), message, level=level, file=shown, line=line, column=column, stream=stream)


def folder(context: RepoContext, path: str) -> str:
    return context.display(Path(context.root, path))
