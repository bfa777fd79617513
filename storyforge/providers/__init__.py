"""Image providers: a plain registry from name to implementation, and how to open one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from storyforge.diagnostics import did_you_mean
from storyforge.errors import UsageError
from storyforge.providers.base import Provider, ProviderOptions
from storyforge.providers.checks import check_base_url, clean_key, redact_url

__all__ = ["PROVIDERS", "open_provider", "options_from_env", "resolve_provider"]

NAMES = ("gemini", "cometapi", "sketch")
SKETCH_NOTICE = (
    "no GEMINI_API_KEY set: drawing offline sketches "
    "(set GEMINI_API_KEY to call Gemini; --provider sketch hides this notice)"
)
_GEMINI_KEYS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
_MISSING_KEY = {
    "gemini": "set GEMINI_API_KEY (or GOOGLE_API_KEY), or pass --provider sketch to draw "
    "offline previews",
    "cometapi": "set COMETAPI_KEY, or pass --provider sketch to draw offline previews",
}
_ENV = {
    "gemini": (_GEMINI_KEYS, "GEMINI_BASE_URL"),
    "cometapi": (("COMETAPI_KEY",), "COMETAPI_BASE_URL"),
}
_registry: dict[str, type] = {}


def _load(name: str) -> type | None:
    # Imported when first asked: httpx and the HTTP providers cost a third of a second of
    # start-up that an offline command (validate, plan, a sketch build) never needs, and
    # the sketch provider pulls in Pillow and the renderer.
    if name not in _registry:
        if name == "gemini":
            from storyforge.providers.gemini import GeminiProvider as cls
        elif name == "cometapi":
            from storyforge.providers.cometapi import CometApiProvider as cls
        elif name == "sketch":
            from storyforge.providers.sketch import SketchProvider as cls  # type: ignore[assignment]
        else:
            return None
        _registry[name] = cls
    return _registry[name]


def _providers() -> dict[str, type]:
    return {name: cls for name in NAMES if (cls := _load(name)) is not None}


def __getattr__(name: str) -> dict[str, type]:
    if name == "PROVIDERS":
        return _providers()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def resolve_provider(name: str, env: Mapping[str, str]) -> tuple[str, str | None]:
    """The provider `--provider NAME` means, and a notice to show (for `auto` without a key)."""
    if name == "auto":
        if any(env.get(var) for var in _GEMINI_KEYS):
            return "gemini", None
        return "sketch", SKETCH_NOTICE
    if name not in NAMES:
        choices = ", ".join(("auto", *sorted(NAMES)))
        raise UsageError(f"unknown provider '{name}'{did_you_mean(name, NAMES)}; use {choices}")
    return name, None


def key_identity(name: str, env: Mapping[str, str]) -> str:
    """The provider as request keys see it: `gemini`, or `gemini@<base URL>` when overridden.

    Images from a fake or proxy server must never be reused as the real service's, so a
    base URL other than the default is part of every key (and of `plan`'s reasons). A
    password in it is not: the identity is shown and stored, and names the server only.
    """
    variable = {"gemini": "GEMINI_BASE_URL", "cometapi": "COMETAPI_BASE_URL"}.get(name)
    base = redact_url((env.get(variable) or "").strip().rstrip("/")) if variable else ""
    if not base:
        return name
    if name == "gemini":
        from storyforge.providers.gemini import GEMINI_BASE_URL as default
    else:
        from storyforge.providers.cometapi import COMETAPI_BASE_URL as default
    return name if base == default.rstrip("/") else f"{name}@{base}"


def _default_url(name: str) -> str:
    if name == "gemini":
        from storyforge.providers.gemini import GEMINI_BASE_URL

        return GEMINI_BASE_URL
    from storyforge.providers.cometapi import COMETAPI_BASE_URL

    return COMETAPI_BASE_URL


def options_from_env(name: str, env: Mapping[str, str], **overrides: Any) -> ProviderOptions:
    """Options for a provider: key and base URL from the environment, then the overrides.

    Overrides set to None are ignored, so CLI options left unset keep the defaults. The
    key loses surrounding whitespace (a pasted newline) and the base URL is checked.
    Raises UsageError when gemini or cometapi has no key, an unsendable key or a bad URL.
    """
    values: dict[str, Any] = {}
    if name in _MISSING_KEY:
        key_vars, url_var = _ENV[name]
        key_var = next((v for v in key_vars if env.get(v, "").strip()), key_vars[0])
        values["api_key"] = clean_key(env.get(key_var, ""), key_var) or None
        given = env.get(url_var, "").strip()
        values["base_url"] = check_base_url(given, url_var) if given else _default_url(name)
    values.update({k: v for k, v in overrides.items() if v is not None})
    if name in _MISSING_KEY and not values.get("api_key"):
        raise UsageError(_MISSING_KEY[name])
    return ProviderOptions(**values)


def open_provider(name: str, options: ProviderOptions) -> AbstractAsyncContextManager[Provider]:
    """Open a provider for a whole build; for HTTP ones, one shared client closed at the end."""
    return _open(name, options)


@asynccontextmanager
async def _open(name: str, options: ProviderOptions) -> AsyncIterator[Provider]:
    cls = _load(name)
    if cls is None:
        resolve_provider(name, {})  # raises the unknown-provider UsageError
        raise UsageError(f"provider '{name}' cannot be opened")
    if name == "sketch":
        yield cls(options)
        return
    from storyforge.providers.transport import make_client

    async with make_client(options) as client:
        yield cls(options, client=client)
