"""A story's folder as it was at a git revision, extracted to a temporary folder.

`git archive` reads the commit's tree only: the user's work tree and index are never
touched, so `storyforge diff` is safe to run in the middle of an edit.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from storyforge.errors import UsageError


@dataclass(frozen=True, slots=True)
class Revision:
    """A resolved revision: what the user typed and the commit it names."""

    ref: str
    commit: str

    @property
    def label(self) -> str:
        """`HEAD (1a2b3c4)`, or just the short commit when that is what was typed."""
        short = self.commit[:7]
        return short if self.commit.startswith(self.ref) else f"{self.ref} ({short})"


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise UsageError("storyforge diff needs git; install git and run it again")
    # No pager, no prompt: diff may run in CI with no terminal.
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
    return subprocess.run(
        [git, "-C", str(folder), *args],
        capture_output=True,
        check=False,
        env={**os.environ, **env},
    )


def repository_prefix(folder: Path) -> str:
    """The folder's path inside its repository, `sub/dir/` or "" at the top."""
    done = _git(folder, "rev-parse", "--show-prefix")
    if done.returncode != 0:
        raise UsageError(
            f"{folder} is not in a git repository; storyforge diff compares git revisions, "
            "so run it inside the story's repository"
        )
    return done.stdout.decode().strip()


def resolve_revision(folder: Path, ref: str) -> Revision:
    """The commit a ref names; UsageError naming the ref when it names none."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"'{ref}' is not a revision; give a commit, branch or tag such as HEAD~1")
    done = _git(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if done.returncode != 0:
        raise UsageError(
            f"unknown revision '{ref}': not a commit of this repository; "
            "try HEAD~1, a branch or a tag (git log --oneline lists commits)"
        )
    return Revision(ref, done.stdout.decode().strip())


@contextmanager
def checkout(story: Path, revision: Revision) -> Iterator[Path | None]:
    """Yield where the story file is in a temporary copy of its folder at `revision`.

    Yields None when the revision has no such story (it was added later). The copy is
    removed afterwards.
    """
    folder = story.parent.resolve()
    prefix = repository_prefix(folder)
    top = _git(folder, "rev-parse", "--show-toplevel").stdout.decode().strip()
    spec = [prefix] if prefix else []
    done = _git(Path(top), "archive", "--format=tar", revision.commit, "--", *spec)
    with tempfile.TemporaryDirectory(prefix="storyforge-diff-") as temp:
        if done.returncode != 0:  # the folder is not in that commit
            yield None
            return
        _extract(done.stdout, Path(temp))
        path = Path(temp, prefix, story.name)
        yield path if path.is_file() else None


def _extract(data: bytes, dest: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        # The "data" filter refuses absolute paths, links out of dest and device files:
        # a revision is as untrusted as any story from a stranger's repository.
        tar.extractall(dest, filter="data")
