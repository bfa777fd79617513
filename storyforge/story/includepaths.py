"""Which files `include:` may read: YAML inside the project root, never hidden, never linked.

The project root is the git top level (the nearest folder above the story with a `.git`
entry, found without running git), else the story folder. An include is resolved
lexically from the folder of the file that names it, then walked from the root one name
at a time with `lstat`, so no symbolic link is ever followed, even one that stays inside;
it is opened with `O_NOFOLLOW | O_NONBLOCK` (a FIFO never blocks) and read up to a bound.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

from storyforge.diagnostics import did_you_mean
from storyforge.story.refpaths import story_files
from storyforge.story.storyfile import decode_text

MAX_INCLUDE_BYTES = 1_000_000
_SUFFIXES = frozenset({".yaml", ".yml"})
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class IncludeProblem(ValueError):
    """An include that cannot be read; `str()` is the one-line message for the user."""


def project_root(folder: Path) -> Path:
    """The nearest folder at or above `folder` (resolved) holding `.git`, else `folder`."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return folder


def shown_path(story_file: str, story_folder: Path, target: Path) -> str:
    """How a library is named in diagnostics: beside the story path as the user gave it."""
    relative = os.path.relpath(target, story_folder)
    return os.path.normpath(Path(story_file).parent / relative)


def resolve_include(root: Path, folder: Path, ref: str) -> Path:
    """The library `ref` names, relative to `folder`, checked to be a readable inside file.

    Raises:
        IncludeProblem: the name has a NUL, is absolute, is not YAML, is hidden, leaves the
            project root, passes through a symbolic link, is missing or is not a file.
    """
    if "\x00" in ref:
        shown = ref.replace("\x00", "\\x00")
        raise IncludeProblem(f"{shown} contains a NUL byte; remove it from the path")
    if PurePosixPath(ref).is_absolute() or PureWindowsPath(ref).drive or ref.startswith("\\"):
        raise IncludeProblem(f"{ref} is absolute; name the file relative to this one")
    if PurePosixPath(ref).suffix.lower() not in _SUFFIXES:
        raise IncludeProblem(f"{ref} is not a .yaml or .yml file; include YAML libraries only")
    target = Path(os.path.normpath(folder / ref.replace("\\", "/")))
    if not target.is_relative_to(root):
        raise IncludeProblem(
            f"{ref} leaves the project root ({root.name or root}); "
            "includes must stay inside the git repository, or the story folder outside one"
        )
    inside = target.relative_to(root).parts
    if any(part.startswith(".") for part in inside):
        raise IncludeProblem(f"{ref} is hidden; includes may not be dotfiles or in dot-folders")
    _walk(root, inside, ref, folder)
    return target


def _walk(root: Path, parts: tuple[str, ...], ref: str, folder: Path) -> None:
    current = root
    for n, part in enumerate(parts):
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            found = story_files(folder, _SUFFIXES) if folder.is_dir() else []
            raise IncludeProblem(f"no such file '{ref}'{did_you_mean(ref, found)}") from None
        except OSError as error:
            raise IncludeProblem(f"{ref} cannot be read ({error.strerror or error})") from None
        if stat.S_ISLNK(info.st_mode):
            raise IncludeProblem(
                f"{ref} passes through a symbolic link ({part}); include the real file"
            )
        last = n == len(parts) - 1
        if last and not stat.S_ISREG(info.st_mode):
            raise IncludeProblem(f"{ref} is not a regular file; an include names a YAML file")


def read_library(target: Path, shown: str) -> str:
    """The text of a checked library, opened without following a link or blocking.

    Raises:
        IncludeProblem: it changed into something else, or is over the size bound.
        StoryError: it is not UTF-8 (located in the library).
    """
    try:
        fd = os.open(target, _OPEN_FLAGS)
    except OSError as error:
        raise IncludeProblem(f"{shown} cannot be read ({error.strerror or error})") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise IncludeProblem(f"{shown} is not a regular file; an include names a YAML file")
        data = file.read(MAX_INCLUDE_BYTES + 1)
    if len(data) > MAX_INCLUDE_BYTES:
        raise IncludeProblem(
            f"{shown} is larger than {MAX_INCLUDE_BYTES:,} bytes; split the library"
        )
    return decode_text(shown, data)
