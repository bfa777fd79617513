"""The locks of a story at the tips of the local git branches, read with git and no network.

`gc` must not free what another branch's lock still names (switching back would pay
again), so each local branch's `*.lock` files in the story's folder are read with
`git show <branch>:<path>`. git runs with no pager, no prompt and no fsmonitor hook, on
the repository found by looking for `.git` above the story; where git is not installed
or fails, gc stops rather than guess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from storyforge.errors import UsageError
from storyforge.store.lock import MAX_LOCK_BYTES

_GIT_SECONDS = 60.0
_NEEDS = "gc reads every branch's lock before it frees anything"
_SAFE = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "--no-pager")


def git_top(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` holding `.git`, if any."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def branch_locks(folder: Path) -> list[tuple[str, str]]:
    """Every `*.lock` in `folder` at the tip of each local branch, as (label, text).

    Raises:
        UsageError: the folder is in a git repository that git cannot read.
    """
    top = git_top(folder)
    if top is None:
        return []
    if shutil.which("git") is None:
        raise UsageError(
            f"{top} is a git repository but git is not installed; gc reads the locks of every "
            "branch before it frees anything: install git"
        )
    inside = folder.relative_to(top).as_posix()
    prefix = "" if inside == "." else f"{inside}/"
    locks = []
    for ref in _git(top, "for-each-ref", "--format=%(refname)", "refs/heads").splitlines():
        listed = _git(top, "ls-tree", "-z", "--name-only", ref, "--", prefix or ".")
        paths = [p for p in listed.split("\0") if _is_lock(p, prefix)]
        locks += [(f"{ref.removeprefix('refs/heads/')}:{p}", _blob(top, ref, p)) for p in paths]
    return locks


def _is_lock(path: str, prefix: str) -> bool:
    return path.endswith(".lock") and "/" not in path.removeprefix(prefix)


def _blob(top: Path, ref: str, path: str) -> str:
    size = _git(top, "cat-file", "-s", f"{ref}:{path}").strip()
    if not size.isdigit() or int(size) > MAX_LOCK_BYTES:
        raise UsageError(f"{ref}:{path} is larger than {MAX_LOCK_BYTES:,} bytes; not a lock")
    return _git(top, "show", f"{ref}:{path}")


def _git(top: Path, *args: str) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *_SAFE, "-C", str(top), *args],
            capture_output=True, stdin=subprocess.DEVNULL, env=env, timeout=_GIT_SECONDS,
            check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UsageError(
            f"git could not read {top} ({error}); gc needs every branch's lock"
        ) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = said[-1] if said else f"exit {done.returncode}"
        raise UsageError(f"git could not read {top} ({why}); {_NEEDS}")
    return done.stdout.decode("utf-8", "replace")
