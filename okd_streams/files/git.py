"""Git, through GitPython: what changed between revisions, and read-only checkouts of a revision.

Paths come back relative to the okd-streams root (which may be a sub-folder of the git
work tree); changes outside it are dropped. A checkout of another revision is a detached
`git worktree` in a temporary folder, removed (and pruned) whatever happens: the user's
working tree, index and branches are never touched.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from okd_streams.errors import UsageError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's well-known empty tree
WORKING_TREE = "working tree"
STATUS_WORDS = {"A": "added", "C": "copied", "D": "deleted", "M": "modified", "R": "renamed", "T": "type changed",
                "U": "unmerged", "?": "untracked"}


class GitError(UsageError):
    """Not a git repository, an unknown revision, or a git command that failed: exit 2."""


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
            raise GitError("git is not installed (it is needed to compare revisions)") from None
        if self.repo.working_tree_dir is None:
            raise GitError(f"{self.root} is in a bare git repository")
        self.toplevel = Path(self.repo.working_tree_dir).resolve()
        try:
            relative = self.root.relative_to(self.toplevel)
        except ValueError:
            raise GitError(f"{self.root} is not inside the work tree {self.toplevel}") from None
        self.prefix = PurePosixPath(*relative.parts) if relative.parts else PurePosixPath()

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
            if new_rel is None and old_rel is None:
                continue
            if new_rel is None:  # moved out of the okd-streams root: a deletion here
                if old_rel is not None:
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
        output = self._git("ls-files", "--others", "--exclude-standard", "-z", "--full-name", "--",
                           str(self.toplevel))
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
            self._git("worktree", "add", "--detach", "--quiet", str(checkout), sha,
                      config=("core.hooksPath=/dev/null",))
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


def _sorted(changes: list[Change]) -> list[Change]:
    unique = {(c.path, c.status, c.old_path): c for c in changes}
    return sorted(unique.values(), key=lambda c: (c.path, c.old_path or ""))
