"""Where a reference file may live: inside the story folder, and nowhere else."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from storyforge.diagnostics import did_you_mean

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
_SKIPPED_DIRS = frozenset({".storyforge", ".git", ".venv", "node_modules", "__pycache__"})
_MAX_SUGGESTION_FILES = 5000


class ReferenceProblem(ValueError):
    """A reference that cannot be used; `str()` is the one-line message for the user."""


def resolve_inside(root: Path, ref: str) -> Path:
    """The real path of `ref` under the story folder `root`.

    Raises:
        ReferenceProblem: the path is absolute, climbs out with `..`, resolves (through a
            symlink) outside the folder, does not exist or is not a file.
    """
    if _is_absolute(ref) or ".." in PurePosixPath(ref.replace("\\", "/")).parts:
        raise ReferenceProblem(_leaves(ref))
    base = root.resolve()
    path = (base / ref).resolve()
    if not path.is_relative_to(base):
        raise ReferenceProblem(_leaves(ref))
    if not path.exists():
        raise ReferenceProblem(f"no such file '{ref}'{did_you_mean(ref, image_files(base))}")
    if not path.is_file():
        raise ReferenceProblem(f"{ref} is not a file; a reference names an image file")
    return path


def image_files(root: Path) -> list[str]:
    """Image files under `root` as story-relative POSIX paths (for "did you mean")."""
    return story_files(root, IMAGE_SUFFIXES)


def story_files(root: Path, suffixes: frozenset[str]) -> list[str]:
    """Files with these suffixes under `root`, skipping hidden and tool folders."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        rel = Path(folder).relative_to(root)
        found.extend(
            (rel / name).as_posix()
            for name in sorted(files)
            if Path(name).suffix.lower() in suffixes
        )
        if len(found) > _MAX_SUGGESTION_FILES:
            break
    return found


def _is_absolute(ref: str) -> bool:
    return (
        PurePosixPath(ref).is_absolute()
        or PureWindowsPath(ref).is_absolute()
        or (PureWindowsPath(ref).drive != "")
    )


def _leaves(ref: str) -> str:
    return f"{ref} leaves the story folder; references must stay inside it"
