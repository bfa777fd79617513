"""One provider's HTTP: the shared client, its auth headers, redaction and `--debug-http` logs."""

from __future__ import annotations

import functools
import importlib.util
import logging
import ssl
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx

from storyforge.providers.apierror import ApiError, redact
from storyforge.providers.base import ProviderOptions

log = logging.getLogger("storyforge.http")

# Room for the highest --concurrency (16) plus Files API uploads beside the calls.
LIMITS = httpx.Limits(max_connections=24, max_keepalive_connections=16)


def _remember_missing_sniffio() -> None:
    # httpcore imports sniffio on every request to learn the async library, and anyio no
    # longer installs it; a failed import is not cached, so each of those imports walks
    # sys.path again (several per request). Recording it as absent makes the miss free.
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_remember_missing_sniffio()


def show_debug_log() -> None:
    """Let `--debug-http` lines through; to stderr unless logging is already set up."""
    if log.level == logging.NOTSET or log.level > logging.DEBUG:
        log.setLevel(logging.DEBUG)
    if not log.hasHandlers():
        log.addHandler(logging.StreamHandler())


@functools.cache
def _tls() -> ssl.SSLContext:
    # Loading the CA bundle takes about 50 ms; one context serves every client of the process.
    return httpx.create_ssl_context()


def make_client(options: ProviderOptions) -> httpx.AsyncClient:
    """The one HTTP client of a build: pooled for concurrent calls, timeouts from the options."""
    timeout = httpx.Timeout(options.timeout_s, connect=min(options.timeout_s, 30.0))
    return httpx.AsyncClient(limits=LIMITS, timeout=timeout, verify=_tls(), follow_redirects=False)


class Http:
    """Sends requests for one provider; never logs a body, never lets the key into text."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        auth: Mapping[str, str],
        secrets: tuple[str, ...],
        *,
        debug: bool = False,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.auth = dict(auth)
        self.secrets = secrets
        self.debug = debug
        if debug:
            show_debug_log()

    def url(self, path: str) -> str:
        """The absolute URL of an API path such as `/v1beta/models`."""
        return f"{self.base_url}{path}"

    def redact(self, text: str) -> str:
        """The text with this provider's key (and any `?key=`) replaced by `***`."""
        return redact(text, self.secrets)

    async def send(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request and read the whole answer; transport failures become ApiError."""
        request = self._build(method, url, content, headers)
        try:
            response = await self.client.send(request)
            await response.aread()
        except httpx.HTTPError as error:
            raise self._transport_error(request, error) from None
        self._log_response(request, response, len(response.content))
        return response

    @asynccontextmanager
    async def stream(
        self, method: str, url: str, *, content: bytes, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """Send one request and yield the answer unread, for streaming its body."""
        request = self._build(method, url, content, headers)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as error:
            raise self._transport_error(request, error) from None
        try:
            self._log_response(request, response, None)
            yield response
        except httpx.HTTPError as error:
            raise self._transport_error(request, error) from None
        finally:
            await response.aclose()
        if self.debug:
            received = response.num_bytes_downloaded
            log.debug("%s %s <- %d bytes streamed", method, self.redact(str(request.url)), received)

    def _build(
        self, method: str, url: str, content: bytes | None, headers: Mapping[str, str] | None
    ) -> httpx.Request:
        request = self.client.build_request(
            method, url, content=content, headers={**self.auth, **(headers or {})}
        )
        if self.debug:
            size = len(content) if content is not None else 0
            log.debug("%s %s (%d bytes)", method, self.redact(str(request.url)), size)
        return request

    def _log_response(
        self, request: httpx.Request, response: httpx.Response, size: int | None
    ) -> None:
        if self.debug:
            length = f"{size} bytes" if size is not None else "streaming"
            log.debug(
                "%s %s -> %d %s (%s)",
                request.method,
                self.redact(str(request.url)),
                response.status_code,
                response.reason_phrase,
                length,
            )

    def _transport_error(self, request: httpx.Request, error: httpx.HTTPError) -> ApiError:
        # Transport failures (refused, reset, timed out, dropped) are worth another try; the
        # rest (an undecodable body, say) would fail the same way again.
        detail = self.redact(str(error))
        message = f"{type(error).__name__}{': ' + detail if detail else ''}"
        if self.debug:
            log.debug("%s %s -> %s", request.method, self.redact(str(request.url)), message)
        transport = isinstance(error, httpx.TransportError)
        return ApiError(message, status=0, transport=transport, code="" if transport else "bad")
