"""Which files a story's templates may read: the story's own template files, and no others.

A template from a stranger's repository can name any path in `{% include %}`, `{% import %}`
or `{% extends %}` (and `templates:` can name any file), so a name is refused unless it is a
regular, non-hidden file inside the story folder reached without a symbolic link: no
`.env` or `.git/config`, no `..`, no absolute path, no link (not even one to a file
beside it), no FIFO or device, and nothing larger than `limits.MAX_TEMPLATE_BYTES`.
A refusal is an error, never "not found", so `ignore missing` cannot hide it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath

import jinja2

from storyforge.compile import limits


class TemplateRefused(jinja2.TemplateError):
    """A template name the story may not read; `str()` is the whole message."""

    def __init__(self, name: str, why: str) -> None:
        self.name = name
        super().__init__(f"template '{_shown(name)}' {why}")


LEAVES = "leaves the story folder; templates must stay inside it"
_HIDDEN = "is hidden; templates may not be dotfiles or inside dot-folders"
_LINK = "is a symbolic link; templates must be regular files in the story folder"
_SPECIAL = "is not a regular file; templates must be text files"


class StoryFolderLoader(jinja2.BaseLoader):
    """Loads templates from the story folder by the rules above."""

    def __init__(self, root: Path) -> None:
        """Load from the story folder `root`."""
        self._root = root.resolve()

    def get_source(
        self,
        environment: jinja2.Environment,  # noqa: ARG002 - Jinja's loader interface
        template: str,
    ) -> tuple[str, str, Callable[[], bool]]:
        """The template's text and file name.

        Raises:
            TemplateRefused: the name breaks one of the rules above.
            jinja2.TemplateNotFound: no such file (and nothing refused on the way).
        """
        parts = _parts(template)
        path = self._root
        for part in parts:
            path = path / part
            self._step(template, path)
        data = _read(template, path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateRefused(template, "is not UTF-8 text; save it as UTF-8") from None
        return text, str(path), lambda: True

    def _step(self, template: str, path: Path) -> None:
        try:
            info = path.lstat()
        except OSError as error:
            raise _not_readable(template, error) from None
        if stat.S_ISLNK(info.st_mode):
            try:
                inside = path.resolve(strict=True).is_relative_to(self._root)
            except (OSError, RuntimeError):  # a dangling link or a loop
                inside = True
            raise TemplateRefused(template, _LINK if inside else LEAVES)


def _parts(template: str) -> list[str]:
    if "\x00" in template:
        raise TemplateRefused(template, "contains a NUL byte; remove it from the name")
    posix = template.replace("\\", "/")
    if PurePosixPath(posix).is_absolute() or PureWindowsPath(template).drive:
        raise TemplateRefused(template, LEAVES)
    parts = [p for p in posix.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise TemplateRefused(template, LEAVES)
    if any(p.startswith(".") for p in parts):
        raise TemplateRefused(template, _HIDDEN)
    if not parts:
        raise jinja2.TemplateNotFound(template)
    return parts


def _read(template: str, path: Path) -> bytes:
    # O_NONBLOCK: a FIFO swapped in after the check must not hold the open for ever.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise _not_readable(template, error) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise TemplateRefused(template, _SPECIAL)
        data = file.read(limits.MAX_TEMPLATE_BYTES + 1)
    if len(data) > limits.MAX_TEMPLATE_BYTES:
        size = f"{limits.MAX_TEMPLATE_BYTES:,} bytes"
        raise TemplateRefused(template, f"is larger than {size}; templates must be smaller")
    return data


def _not_readable(template: str, error: OSError) -> jinja2.TemplateError:
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return jinja2.TemplateNotFound(template)
    if error.errno == errno.ELOOP:
        return TemplateRefused(template, _LINK)
    if error.errno == errno.ENAMETOOLONG:
        return TemplateRefused(template, "is too long a name for the filesystem; shorten it")
    return TemplateRefused(template, f"cannot be read ({error.strerror or error})")


def _shown(name: str) -> str:
    return name.replace("\x00", "\\x00")
