"""Where a reference file may live: inside the story folder, and nowhere else."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from storyforge.diagnostics import did_you_mean

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
_SKIPPED_DIRS = frozenset({".storyforge", ".git", ".venv", "node_modules", "__pycache__"})
_MAX_SUGGESTION_FILES = 5000
_MAX_NAME_BYTES = 255  # one file or folder name, on every common filesystem


class ReferenceProblem(ValueError):
    """A reference that cannot be used; `str()` is the one-line message for the user."""


def resolve_inside(root: Path, ref: str) -> Path:
    """The real path of `ref` under the story folder `root`.

    Raises:
        ReferenceProblem: the path is absolute, climbs out with `..`, names a hidden file or
            folder, resolves (through a symlink) outside the folder, does not exist or is
            not a file.
    """
    parts = PurePosixPath(ref.replace("\\", "/")).parts
    if "\x00" in ref:
        shown = ref.replace("\x00", "\\x00")
        raise ReferenceProblem(f"{shown} contains a NUL byte; remove it from the path")
    if _is_absolute(ref) or ".." in parts:
        raise ReferenceProblem(_leaves(ref))
    if any(part.startswith(".") for part in parts):
        raise ReferenceProblem(
            f"{ref} is hidden; references may not be dotfiles or inside dot-folders"
        )
    if any(len(part.encode()) > _MAX_NAME_BYTES for part in parts):
        raise ReferenceProblem(f"{ref} is too long a name for the filesystem; shorten it")
    base = root.resolve()
    try:
        path = (base / ref).resolve()
    except RuntimeError:  # how Python 3.11 reports a symlink loop
        raise ReferenceProblem(
            f"{ref} is a symbolic link loop; point it at an image file"
        ) from None
    except OSError as error:
        raise ReferenceProblem(f"{ref} cannot be read ({error.strerror or error})") from None
    if not path.is_relative_to(base):
        raise ReferenceProblem(_leaves(ref))
    if not _exists(path):
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


def _exists(path: Path) -> bool:
    try:
        path.stat()
    except OSError:
        return False
    return True


def _is_absolute(ref: str) -> bool:
    return (
        PurePosixPath(ref).is_absolute()
        or PureWindowsPath(ref).is_absolute()
        or (PureWindowsPath(ref).drive != "")
    )


def _leaves(ref: str) -> str:
    return f"{ref} leaves the story folder; references must stay inside it"
