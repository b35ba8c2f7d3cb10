"""Git, the one module that runs it: what changed between revisions, read-only checkouts of a
revision, the files git tracks, and a new branch holding one new folder (`okd-streams new --git`).

Paths come back relative to the okd-streams root (which may be a sub-folder of the git
work tree); changes outside it are dropped. A checkout of another revision is a detached
`git worktree` in a temporary folder, removed (and pruned) whatever happens: the user's
working tree, index and branches are never touched. Only `new_branch` and `commit_folder`
change the repository, and `undo_branch` takes that back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from okd_streams.errors import BareRepository, GitError, GitMissing

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's well-known empty tree
WORKING_TREE = "working tree"
STATUS_WORDS = {
    "A": "added",
    "C": "copied",
    "D": "deleted",
    "M": "modified",
    "R": "renamed",
    "T": "type changed",
    "U": "unmerged",
    "?": "untracked",
}


@dataclass(frozen=True)
class Change:
    """One changed path, relative to the okd-streams root (POSIX separators)."""

    path: str
    status: str  # one letter: A C D M R T U, or ? for an untracked file
    old_path: str | None = None  # for renames and copies

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.old_path is None else (self.old_path, self.path)

    def describe(self) -> str:
        if self.status in ("R", "C") and self.old_path:
            return f"{self.path} ({STATUS_WORDS[self.status]} from {self.old_path})"
        return f"{self.path} ({STATUS_WORDS.get(self.status, 'changed')})"

    def to_json(self) -> dict:
        return {"path": self.path, "status": STATUS_WORDS.get(self.status, "changed"), "old_path": self.old_path}


class Git:
    """The git repository holding an okd-streams root."""

    def __init__(self, root: Path) -> None:
        import git

        self.root = root.resolve()
        try:
            self.repo = git.Repo(self.root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(f"{self.root} is not inside a git repository") from None
        except git.GitCommandNotFound:
            raise GitMissing("git is not installed (it is needed to compare revisions)") from None
        if self.repo.bare or self.repo.working_tree_dir is None:
            raise BareRepository(f"{self.root} is in a bare git repository")
        self.toplevel = Path(self.repo.working_tree_dir).resolve()
        try:
            relative = self.root.relative_to(self.toplevel)
        except ValueError:
            raise GitError(f"{self.root} is not inside the work tree {self.toplevel}") from None
        self.prefix = PurePosixPath(*relative.parts) if relative.parts else PurePosixPath()
        self._previous: Any = None  # the branch (or detached commit) new_branch left

    def _git(self, *args: str, config: tuple[str, ...] = ()) -> str:
        import git

        options = [item for setting in config for item in ("-c", setting)]
        try:
            return self.repo.git.execute(["git", *options, *args], strip_newline_in_stdout=False)
        except git.CommandError as exc:
            message = (exc.stderr or "").strip().removeprefix("stderr:").strip().strip("'").strip()
            raise GitError(f"git {args[0]} failed: {message.splitlines()[0] if message else exc}") from None

    def resolve(self, revision: str) -> str:
        """The commit a revision names (full hash); GitError when it names none."""
        if not revision or revision.startswith("-"):
            raise GitError(f"not a revision: {revision!r}")
        import git
        from gitdb.exc import BadName, BadObject

        try:
            return self.repo.commit(revision).hexsha
        except (BadName, BadObject, ValueError, git.GitCommandError):
            raise GitError(f"unknown revision {revision!r} (fetch it first, e.g. `git fetch origin main`)") from None

    def merge_base(self, revision: str, other: str = "HEAD") -> str:
        """Where `revision` and `other` forked: what a pull request changes, like `git diff REV...`."""
        first, second = self.resolve(revision), self.resolve(other)
        found = self._git("merge-base", first, second).strip()
        if not found:
            raise GitError(f"{revision} and {other} have no common ancestor")
        return found

    def has_head(self) -> bool:
        try:
            _ = self.repo.head.commit  # raises ValueError when there is no commit yet
        except ValueError:
            return False
        return True

    # -- changed paths ---------------------------------------------------------------------------

    def _from_toplevel(self, path: str) -> str | None:
        pure = PurePosixPath(path)
        if not self.prefix.parts:
            return str(pure)
        try:
            return str(pure.relative_to(self.prefix))
        except ValueError:
            return None

    def _parse_name_status(self, output: str) -> list[Change]:
        fields = output.split("\0")
        changes: list[Change] = []
        index = 0
        while index < len(fields):
            status = fields[index]
            if not status:
                index += 1
                continue
            letter = status[0]
            if letter in ("R", "C") and index + 2 < len(fields):
                old, new = fields[index + 1], fields[index + 2]
                index += 3
            elif index + 1 < len(fields):
                old, new = None, fields[index + 1]
                index += 2
            else:
                break
            new_rel = self._from_toplevel(new)
            old_rel = self._from_toplevel(old) if old is not None else None
            if new_rel is None:
                if old_rel is not None:  # moved out of the okd-streams root: a deletion here
                    changes.append(Change(old_rel, "D"))
            elif old is not None and old_rel is None:  # moved in from outside: an addition here
                changes.append(Change(new_rel, "A"))
            else:
                changes.append(Change(new_rel, letter, old_rel))
        return changes

    def _diff(self, *args: str) -> list[Change]:
        output = self._git("diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-color", *args, "--")
        return self._parse_name_status(output)

    def untracked(self) -> list[Change]:
        output = self._git("ls-files", "--others", "--exclude-standard", "-z", "--full-name", "--", str(self.toplevel))
        found = []
        for path in filter(None, output.split("\0")):
            relative = self._from_toplevel(path)
            if relative is not None:
                found.append(Change(relative, "?"))
        return found

    def changes(self, base: str, head: str | None = None) -> list[Change]:
        """What changed from `base` to `head` (a revision), or to the working tree when head is None
        (tracked changes, staged or not, plus untracked files that are not ignored)."""
        base_sha = self.resolve(base)
        if head is not None:
            return _sorted(self._diff(base_sha, self.resolve(head)))
        return _sorted(self._diff(base_sha) + self.untracked())

    def staged(self) -> list[Change]:
        """What `git commit` would record now: the index against HEAD (or an empty tree)."""
        if self.has_head():
            return _sorted(self._diff("--cached"))
        return _sorted(self._diff("--cached", EMPTY_TREE))

    # -- checkouts -----------------------------------------------------------------------------

    @contextmanager
    def worktree(self, revision: str) -> Iterator[Path]:
        """A detached, temporary checkout of `revision`; yields the okd-streams root inside it."""
        sha = self.resolve(revision)
        holder = Path(tempfile.mkdtemp(prefix="okd-streams-worktree-"))
        checkout = holder / "tree"
        try:
            # No hooks: a post-checkout hook (pre-commit installs one) must not run in the checkout.
            self._git(
                "worktree", "add", "--detach", "--quiet", str(checkout), sha, config=("core.hooksPath=/dev/null",)
            )
            yield checkout.joinpath(*self.prefix.parts) if self.prefix.parts else checkout
        finally:
            try:
                self._git("worktree", "remove", "--force", str(checkout))
            except GitError:
                pass
            shutil.rmtree(holder, ignore_errors=True)
            try:
                self._git("worktree", "prune")
            except GitError:
                pass

    # -- a new branch with one folder (okd-streams new --git) ----------------------------------

    def branches(self) -> list[str]:
        return [head.name for head in self.repo.heads]

    def status(self) -> list[tuple[str, str]]:
        """(XY code, path from the top of the work tree) of every change and untracked file, as
        `git status --porcelain` says them (of a rename, the new path)."""
        output = self._git("status", "--porcelain", "--untracked-files=all", "-z")
        entries, parts, index = [], output.split("\0"), 0
        while index < len(parts):
            part = parts[index]
            index += 1
            if len(part) < 4:
                continue
            entries.append((part[:2], part[3:]))
            if part[0] in "RC":
                index += 1  # the rename's old path
        return entries

    def new_branch(self, name: str) -> str:
        """Create branch `name` at HEAD and check it out; says where HEAD was (a branch name, or a
        short hash when detached)."""
        head = self.repo.head
        self._previous = head.commit if head.is_detached else self.repo.active_branch
        shown = head.commit.hexsha[:12] if head.is_detached else self.repo.active_branch.name
        self.repo.create_head(name).checkout()
        return shown

    def commit_folder(self, folder: Path, message: str) -> str:
        """Stage and commit `folder` alone; its hash. GitError with the last lines git (or a
        hook) printed when the commit fails."""
        import git

        relative = os.path.relpath(folder, self.repo.working_tree_dir)
        try:
            self.repo.git.add("--", relative)
            self.repo.git.commit("-m", message, "--", relative)
        except git.GitCommandError as exc:
            lines: list[str] = []
            for part in (exc.stdout, exc.stderr):
                text = str(part or "").strip()
                if text.startswith(("stdout: '", "stderr: '")) and text.endswith("'"):
                    text = text[len("stdout: '") : -1]  # GitPython's quoting
                lines.extend(line.rstrip() for line in text.splitlines() if line.strip())
            raise GitError("\n".join(f"    {line}" for line in lines[-15:]) or f"    {exc}") from None
        return self.repo.head.commit.hexsha

    def undo_branch(self, name: str, folder: Path) -> None:
        """Undo a half-done new_branch/commit_folder: unstage and remove the folder, go back to
        where HEAD was, delete the branch. Every step is tried, whatever fails before it."""
        relative = os.path.relpath(folder, self.repo.working_tree_dir)
        previous = self._previous

        def back() -> None:
            if previous is None:
                return
            if hasattr(previous, "checkout"):
                previous.checkout()
            else:
                self.repo.git.checkout("-q", previous.hexsha)

        steps = [
            lambda: self.repo.git.reset("-q", "--", relative) if folder.exists() else None,
            lambda: shutil.rmtree(folder) if folder.exists() else None,
            back,
            lambda: self.repo.delete_head(name, force=True) if name in self.branches() else None,
        ]
        for step in steps:
            try:
                step()
            except Exception:  # noqa: BLE001 - undo as much as possible
                pass

    def remote(self) -> str:
        """The remote to push to: origin, else the first one."""
        names = [r.name for r in self.repo.remotes]
        return "origin" if "origin" in names or not names else names[0]


def _sorted(changes: list[Change]) -> list[Change]:
    unique = {(c.path, c.status, c.old_path): c for c in changes}
    return sorted(unique.values(), key=lambda c: (c.path, c.old_path or ""))


def tracked_files(root: Path) -> list[str] | None:
    """The files under `root` that git tracks or would add (not ignored), relative to it and sorted;
    None when `root` is not the top of a git work tree (or git does not run). Plain `git`
    processes, not GitPython: `check` calls this on every run."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name"],
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 or top.returncode != 0 or Path(top.stdout.strip()).resolve() != root.resolve():
        return None
    names = [n.decode("utf-8", "surrogateescape") for n in done.stdout.split(b"\0") if n]
    return sorted({n for n in names if (root / n).is_file()})
