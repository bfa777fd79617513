"""What a provider is configured with, checked before any call: the key and the base URL."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from storyforge.errors import UsageError

# Visible ASCII only: anything else (a CR or LF left by `echo` or an editor, a space, a
# non-ASCII character) cannot go in an HTTP header, and httpx would quote the key in the
# error it raises for it.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
_PASSWORD = re.compile(r"(//[^/?#@:]*:)[^/?#@]*@")


def clean_key(raw: str, variable: str) -> str:
    """The key without surrounding whitespace; UsageError (never showing it) if unsendable."""
    key = raw.strip()
    if key and not _HEADER_SAFE.fullmatch(key):
        raise UsageError(
            f"{variable} holds characters that cannot be sent in an HTTP header (a space, a "
            f"line break or a non-ASCII character inside the key): set {variable} again"
        )
    return key


def check_base_url(url: str, variable: str) -> str:
    """The base URL without a trailing slash; UsageError naming the problem if unusable."""
    shown = redact_url(url)
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError as error:
        raise UsageError(f"{variable} is not a usable URL ({error}): {shown}") from None
    problem = _problem(parts, port)
    if problem:
        raise UsageError(f"{variable} is not a usable URL ({problem}): {shown}")
    return url.strip().rstrip("/")


def _problem(parts: SplitResult, port: int | None) -> str:
    if parts.scheme not in {"http", "https"}:
        return "it must start with http:// or https://"
    if not parts.hostname:
        return "it names no host"
    if port == 0:
        return "port 0 cannot be connected to"
    if parts.query or parts.fragment:
        return "it must not have a query or fragment"
    return ""


def redact_url(text: str) -> str:
    """The text with the password of every `scheme://user:password@host` replaced by `***`.

    Call it on anything that shows a base URL: `plan`, `--debug-http`, manifests, errors.
    """
    return _PASSWORD.sub(r"\1***@", text)
