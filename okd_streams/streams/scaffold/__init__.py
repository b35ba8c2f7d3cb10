"""Scaffold a new stream: `okd-streams new NAME` and `scripts/new_stream.py NAME`.

The new stream starts as a copy of an existing one (`--from`, default okd-scos): its
kustomization gets the new namespace and any extra components, its stream card the new
name, namespace, description, owners and schedules and the `--set` values, its README a
paragraph saying what it is. Everything the user typed is validated before anything is
kept; the values are checked against the contract of the *rendered* Pipelines of the new
stream (so a component's params and defaults count), with the real kustomize.

Writing is atomic: the stream is built in a hidden folder inside streams/, rendered, checked
with the same rules as `okd-streams check`, and only then renamed to streams/NAME. Any
refusal, failure or Ctrl-C removes the hidden folder: the tree is left exactly as it was.

One job per module: request (what was asked, how it is refused), naming (names,
namespaces, Argo CD destinations), plan (what the new stream gets), card (round-trip edits
of the card, the README), contract (the rendered Pipelines' params), prompts (values from
--set and the terminal), checks (`okd-streams check` on a scratch copy), write (the hidden
folder, clean-ups, signals). This module runs them in order: `new`.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from okd_streams.files.git import BareRepository, Git, GitError, GitMissing
from okd_streams.model.objects import Obj
from okd_streams.model.repo import STREAMS_DIR, find_root
from okd_streams.render.kustomize import RenderResult, build
from okd_streams.streams.scaffold import checks, write
from okd_streams.streams.scaffold.card import card_pipelines, identifying_values
from okd_streams.streams.scaffold.checks import copy_checked_tree
from okd_streams.streams.scaffold.contract import Contract, pipeline_for, read_contract, read_destinations
from okd_streams.streams.scaffold.destinations import Destinations
from okd_streams.streams.scaffold.plan import DEFAULT_SOURCE, Plan, make_plan
from okd_streams.streams.scaffold.prompts import apply_values
from okd_streams.streams.scaffold.request import CheckFailed, Refused, Request

__all__ = ["DEFAULT_SOURCE", "CheckFailed", "Refused", "Request", "Scaffolder", "copy_checked_tree", "new"]


def new(
    request: Request,
    out: Callable[[str], None] | None = None,
    ask: Callable[[str], str] | None = None,
    err: Callable[[str], None] | None = None,
) -> int:
    """Scaffold; exit 0 done, 1 the new stream has error-level problems, 2 refused, 130 interrupted.
    In every case but 0 the tree is as it was."""
    err = err or (lambda text: print(text, file=sys.stderr))
    restore = write.interrupt_on_termination()
    try:
        return Scaffolder(request, out, ask).run()
    except CheckFailed as exc:
        for problem in exc.problems:
            err(f"{problem.path}:{problem.line}:{problem.column}: {problem.level} {problem.message} [{problem.code}]")
        err(
            f"okd-streams: the new stream {request.name} would not pass `okd-streams check` "
            f"({len(exc.problems)} error(s) above): nothing was written"
        )
        return 1
    except KeyboardInterrupt:
        err("okd-streams: interrupted: nothing was written")
        return 130
    finally:
        restore()


class Scaffolder:
    """One `okd-streams new`: plan, build in a hidden folder, check, move into place (and commit)."""

    def __init__(
        self, request: Request, out: Callable[[str], None] | None = None, ask: Callable[[str], str] | None = None
    ) -> None:
        self.request = request
        self.out = out or (lambda text: print(text))
        self.ask = ask or input
        self.root = find_root(request.root)
        self.temp: Path | None = None

    def run(self) -> int:
        request = self.request
        repo = self._git_precheck() if request.git else None
        plan = self.plan()
        final = self.root / STREAMS_DIR / plan.name
        branched = committed = False
        try:
            self.temp = write.hidden_folder(self.root / STREAMS_DIR, plan.name)
            self._write(plan)
            contract, destinations = self._contract(plan)
            apply_values(plan, contract, request, self.out, self.ask, destinations)
            self._write(plan)
            for note in self._check(plan):
                self.out(note)
            if request.dry_run:
                self._show(plan)
                return 0
            if final.exists() or final.is_symlink():
                raise Refused(f"streams/{plan.name} appeared while the stream was being built: nothing written")
            original = None
            if repo is not None:
                branched = True  # from here on, a failure undoes the branch too
                original = repo.new_branch(f"stream/{plan.name}")
            try:
                write.move_into_place(self.temp, final)
            except OSError as exc:
                raise Refused(
                    f"cannot move the new stream into streams/{plan.name}: {exc}; nothing was written"
                ) from None
            self.temp = None
            if repo is None:
                self._report(plan)
                return 0
            commit = self._git_commit(repo, plan)
            committed = True
            self._report(plan)
            self.out(
                f"Committed streams/{plan.name}/ on the new branch stream/{plan.name} as {commit[:12]} "
                f'"Add stream {plan.name}".'
            )
            self.out(
                f"You are now on branch stream/{plan.name} (you were on {original}). Push it and open a "
                f"pull request:\n  git push -u {repo.remote()} stream/{plan.name}"
            )
            return 0
        finally:
            temp, self.temp = self.temp, None
            if temp is not None:
                write.uninterrupted(lambda: shutil.rmtree(temp, ignore_errors=True))
            if repo is not None and branched and not committed:
                write.uninterrupted(lambda: repo.undo_branch(f"stream/{plan.name}", final))

    def plan(self) -> Plan:
        """Everything decided before the first render (no writes)."""
        return make_plan(self.request, self.root, self.out)

    # -- building and checking, in the hidden folder --------------------------------------
    def _write(self, plan: Plan) -> None:
        assert self.temp is not None
        write.write_files(self.temp, plan)

    def _render(self, plan: Plan) -> RenderResult:
        assert self.temp is not None
        result = build(self.temp)
        if not result.ok:
            raise Refused(
                f"the new stream does not build with kustomize: {self._shown(result.error or 'kustomize failed', plan)}"
            )
        return result

    def _contract(self, plan: Plan) -> tuple[Contract, Destinations]:
        result = self._render(plan)
        objects = [Obj(r.data, "") for r in result.objects]
        pipelines = card_pipelines(plan.card)
        if plan.dropped_components:  # their pipelines went with them: so do the card's entries
            for key in [key for key in pipelines if pipeline_for(objects, key) is None]:
                del pipelines[key]
                self.out(
                    f"note: the new stream has no Pipeline {key} (it came with "
                    f"{', '.join(plan.dropped_components)}): its entry in the stream card is left out"
                )
            if not pipelines:
                raise Refused(
                    f"without {', '.join(plan.dropped_components)} the new stream runs no Pipeline of its "
                    "stream card: copy another stream (--from)"
                )
            plan.refresh_readme()
            self._write(plan)
        keys = list(pipelines)
        contract, problems = read_contract(objects, keys)
        if problems:
            raise Refused(problems)
        return contract, read_destinations(objects, keys)

    def _check(self, plan: Plan) -> list[str]:
        assert self.temp is not None
        return checks.check(self.root, self.temp, plan)

    def _shown(self, text: str, plan: Plan) -> str:
        if self.temp is None:
            return text
        return text.replace(self.temp.name, plan.name)

    # -- output ----------------------------------------------------------------------------
    def _show(self, plan: Plan) -> None:
        assert self.temp is not None
        for path in sorted(self.temp.rglob("*")):
            if path.is_file():
                relative = path.relative_to(self.temp)
                self.out(f"--- streams/{plan.name}/{relative} (new)")
                try:
                    self.out(path.read_text(encoding="utf-8").rstrip("\n"))
                except (UnicodeDecodeError, OSError):
                    self.out("(binary file)")
        self.out(f"Dry run: streams/{plan.name}/ renders and passes the checks; nothing was written.")
        self._review(plan)

    def _review(self, plan: Plan) -> None:
        copied = identifying_values(plan.card, plan.source, plan.chosen)
        if copied:
            self.out(f"Review these values copied from {plan.source}, which name it: " + ", ".join(copied))

    def _report(self, plan: Plan) -> None:
        components = (
            f" with the {', '.join(plan.added_components)} component" + ("s" if len(plan.added_components) > 1 else "")
            if plan.added_components
            else ""
        )
        files = ", ".join(
            sorted(
                str(p.relative_to(self.root / STREAMS_DIR / plan.name))
                for p in (self.root / STREAMS_DIR / plan.name).rglob("*")
                if p.is_file()
            )
        )
        self.out(
            f"Created streams/{plan.name}/ ({files}): a copy of {plan.source}{components}, in namespace "
            f"{plan.namespace}; it renders and passes every check."
        )
        self._review(plan)
        self.out(
            f"Next: edit streams/{plan.name}/stream.yaml and README.md, run `make check`, and open a pull request; "
            f"`okd-streams onboard {plan.name}` prints what the cluster admin creates for it."
        )
        catalog = self.root / "docs" / "reference" / "streams.md"
        try:
            listed = f'id="stream-{plan.name}"' in catalog.read_text(encoding="utf-8", errors="replace")
        except OSError:
            listed = True  # no catalog
        if not listed:
            self.out(
                "The stream catalog docs/reference/streams.md will list it after `make docs` (in this pull "
                "request or a later one: `make check` notes the stream, it does not fail)."
            )

    # -- git (files/git.py runs it; the wording of --git's refusals is the command's) ------
    def _git_precheck(self) -> Git:
        try:
            repo = Git(self.root)
        except ImportError as exc:  # pragma: no cover - GitPython is a dependency
            raise Refused(f"--git needs GitPython and git: {exc}") from None
        except GitMissing:
            raise Refused("--git needs the git command on PATH") from None
        except BareRepository:
            raise Refused("--git needs a work tree, not a bare repository") from None
        except GitError as exc:
            raise Refused(f"--git: {exc}") from None
        if not repo.has_head():
            raise Refused("--git: the repository has no commit yet; commit the repository first")
        branch = f"stream/{self.request.name}"
        if branch in repo.branches():
            raise Refused(
                f"--git: branch {branch} already exists; delete it (git branch -D {branch}) or pick another name"
            )
        try:
            status = repo.status()
        except GitError as exc:
            raise Refused(f"--git: {exc}") from None
        streams_prefix = str(repo.prefix / STREAMS_DIR) + "/"
        dirty = [
            f"{code.strip() or code} {path}" for code, path in status if code != "??" or path.startswith(streams_prefix)
        ]
        if dirty:
            shown = "; ".join(dirty[:10]) + (f"; and {len(dirty) - 10} more" if len(dirty) > 10 else "")
            raise Refused(
                f"--git needs a clean work tree so that the commit holds only streams/"
                f"{self.request.name}/; commit or stash these first: {shown}"
            )
        return repo

    def _git_commit(self, repo: Git, plan: Plan) -> str:
        try:
            return repo.commit_folder(self.root / STREAMS_DIR / plan.name, f"Add stream {plan.name}")
        except GitError as exc:
            raise Refused(
                f"--git: git commit failed (a commit hook said no?), so nothing was written, and you are "
                f"back on your branch; git said:\n{exc}"
            ) from None
