"""Where the shared cache is: `STORYFORGE_CACHE`, else `cache` in the project's `storyforge.toml`.

The story never names it: a stranger's story must not choose where your credentials are
used. The project file is the team's, at the root of the repository (the nearest folder
above the story holding `storyforge.toml`, looked for up to the folder holding `.git`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from storyforge.errors import UsageError
from storyforge.store.folderblobs import FolderBlobs
from storyforge.store.shared import SharedTier
from storyforge.store.tiers import Blobs

PROJECT_FILE = "storyforge.toml"
_OFF = ("", "off", "none")
_MODES = {"read-write": False, "readwrite": False, "rw": False, "read": True, "read-only": True}
_KEYS = {"cache", "cache_mode"}


@dataclass(frozen=True, slots=True)
class CacheSetting:
    """A configured shared cache: where, whether read-only, and who said so."""

    url: str
    read_only: bool
    source: str

    def describe(self) -> str:
        """One line for the build's notices (the URL carries no credential: they are refused)."""
        mode = "read-only" if self.read_only else "read-write"
        return f"storyforge: shared cache {self.url} ({mode}, from {self.source})"


def cache_setting(
    story: Path, env: Mapping[str, str], *, enabled: bool = True, read_only: bool = False
) -> CacheSetting | None:
    """The shared cache for a story, or None; UsageError naming the fix when misconfigured."""
    if not enabled:
        return None
    project = _project_file(story.parent.resolve())
    values = _read_project(project) if project else {}
    url, source = env.get("STORYFORGE_CACHE"), "STORYFORGE_CACHE"
    if url is None:
        url, source = values.get("cache"), str(project)
    if url is None or url.strip().lower() in _OFF:
        return None
    mode = env.get("STORYFORGE_CACHE_MODE") or values.get("cache_mode") or "read-write"
    if mode not in _MODES:
        raise UsageError(f"cache mode {mode[:40]!r} is not 'read' or 'read-write'; fix it")
    base = project.parent if source != "STORYFORGE_CACHE" and project else Path.cwd()
    return CacheSetting(_checked(url.strip(), base), read_only or _MODES[mode], source)


def configured_tier(
    story: Path,
    env: Mapping[str, str],
    *,
    notice: Callable[[str], None],
    enabled: bool = True,
    read_only: bool = False,
) -> SharedTier | None:
    """The shared cache configured for a story, announced through `notice`, or None."""
    setting = cache_setting(story, env, enabled=enabled, read_only=read_only)
    if setting is None:
        return None
    notice(setting.describe())
    return open_shared(setting, notice)


def open_shared(setting: CacheSetting, warn: Callable[[str], None]) -> SharedTier:
    """The tier of a setting; UsageError when it cannot be reached at all."""
    blobs: Blobs
    if "://" in setting.url:
        from storyforge.store.remote import RemoteBlobs  # only now: fsspec is an extra

        blobs = RemoteBlobs(setting.url)
    else:
        blobs = FolderBlobs(Path(setting.url))
        if not Path(setting.url).is_dir():
            raise UsageError(
                f"the shared cache folder {setting.url} does not exist; mount or create it, "
                "or pass --no-cache"
            )
    return SharedTier(blobs, setting.url, read_only=setting.read_only, warn=warn)


def _checked(url: str, base: Path) -> str:
    if "://" not in url:
        return str((base / Path(url).expanduser()).resolve())
    parts = urlsplit(url)
    if parts.scheme == "file":
        return str(Path(parts.path).resolve())
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise UsageError(
            "the shared cache URL may hold no credential or option; put them in the "
            "environment or a profile (AWS_PROFILE, AWS_ENDPOINT_URL)"
        )
    if not parts.netloc:
        raise UsageError(f"the shared cache {url} names no bucket; use {parts.scheme}://BUCKET")
    return url


def _project_file(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / PROJECT_FILE).is_file():
            return candidate / PROJECT_FILE
        if (candidate / ".git").exists():
            return None
    return None


def _read_project(path: Path) -> dict[str, str]:
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{path}: cannot be read as TOML ({error}); fix it") from None
    unknown = sorted(set(values) - _KEYS)
    if unknown:
        raise UsageError(f"{path}: unknown key {unknown[0]!r}; it may hold {sorted(_KEYS)}")
    for key, value in values.items():
        if not isinstance(value, str):
            raise UsageError(f"{path}: {key} must be a string")
    return values
