"""The new stream checked before it is kept: its schedules, its rendered object names, and
`okd-streams check` on a scratch copy of the repository with the stream in place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from okd_streams import rules as registry
from okd_streams.config import load_config
from okd_streams.lint.checking import check_repository
from okd_streams.model.objects import Obj, get
from okd_streams.model.repo import SOURCE_DIRS, STREAMS_DIR
from okd_streams.problem import Problem
from okd_streams.streams.scaffold.card import card_pipelines
from okd_streams.streams.scaffold.naming import object_name_problems
from okd_streams.streams.scaffold.plan import Plan, schedule_problem
from okd_streams.streams.scaffold.request import CheckFailed, Refused


def check(root: Path, built: Path, plan: Plan) -> list[str]:
    """Refuse on a bad schedule; run `okd-streams check` on a copy of the repository with the
    new stream in place; refuse on an object name over Kubernetes' limits or on any
    error-level problem the new stream brings. Returns notes (new warnings, and errors that
    were there before) to print."""
    problems = [
        f"{key}: {schedule_problem(get(entry, 'schedule'))}"
        for key, entry in card_pipelines(plan.card).items()
        if schedule_problem(get(entry, "schedule"))
    ]
    if problems:
        raise Refused(problems, "cannot create the stream:")
    objects, blocking, notes = _repository_check(root, built, plan)
    problems = object_name_problems(objects, plan.namespace)
    if problems:
        raise Refused(problems, "cannot create the stream:")
    if blocking:
        raise CheckFailed(blocking)
    return [
        f"{'warning' if p.level != 'error' else 'note'}: {p.path}:{p.line}:{p.column}: {p.level} "
        f"{p.message} [{p.code}]" + ("" if p.level != "error" else " (there before: not caused by the new stream)")
        for p in notes
    ]


def _repository_check(root: Path, built: Path, plan: Plan) -> tuple[list[Obj], list[Problem], list[Problem]]:
    """`okd-streams check` for the new stream, on a scratch copy of the repository's checked
    folders with streams/NAME in place: its rendered unit, the file rules on its files and the
    repo-scope (Argo CD) rules about it. The source stream is checked the same way first, so
    problems it shows too (in the bases, say) are told apart: those are not the new stream's."""
    with tempfile.TemporaryDirectory(prefix="okd-streams-new-") as scratch:
        shadow = Path(scratch) / root.name
        copy_checked_tree(root, shadow)
        config = load_config(shadow, rule_code=registry.code_of)
        before = check_repository(shadow, config, [plan.source], progress=False, only_files=[]).problems
        folder = shadow / STREAMS_DIR / plan.name
        shutil.copytree(built, folder, symlinks=True)
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        report = check_repository(shadow, config, [plan.name], progress=False, only_files=files)
    objects = [obj for unit in report.units for obj in unit.objects]
    known = set()
    for p in before:
        known.add((p.path, p.line, p.column, p.code, p.message))
        known.add((p.path, p.line, p.column, p.code, p.message.replace(plan.source, plan.name)))
    mine = f"{STREAMS_DIR}/{plan.name}/"
    blocking, notes = [], []
    for problem in report.problems:
        key = (problem.path, problem.line, problem.column, problem.code, problem.message)
        new = problem.path.startswith(mine) or key not in known
        if problem.level == "error" and new:
            blocking.append(problem)
        elif problem.level == "error" or (problem.level == "warning" and new):
            notes.append(problem)
    return objects, blocking, notes


def copy_checked_tree(root: Path, target: Path) -> None:
    """The folders `okd-streams check` reads (base, overlays, streams without hidden folders,
    argocd, .tekton) and the top-level files (configuration), symlinks kept as symlinks."""
    target.mkdir(parents=True)
    for child in sorted(root.iterdir()):
        if child.is_file() and not child.is_symlink():
            shutil.copy2(child, target / child.name)
    for name in SOURCE_DIRS:
        folder = root / name
        if folder.is_dir() and not folder.is_symlink():
            top = str(folder)
            ignore = (
                (lambda where, names, top=top: [n for n in names if n.startswith(".")] if where == top else [])
                if name == STREAMS_DIR
                else None
            )
            shutil.copytree(folder, target / name, symlinks=True, ignore=ignore)
        elif folder.is_symlink():
            os.symlink(os.readlink(folder), target / name)
