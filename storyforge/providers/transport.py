"""One provider's HTTP: the shared client, headers, a deadline per request, redaction, logs."""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import json
import logging
import platform
import ssl
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx

from storyforge import __version__
from storyforge.providers.apierror import REFUSED, ApiError, redact
from storyforge.providers.base import ProviderOptions
from storyforge.providers.checks import redact_url

log = logging.getLogger("storyforge.http")

# Room for the highest --concurrency (16) plus Files API uploads beside the calls.
LIMITS = httpx.Limits(max_connections=24, max_keepalive_connections=16)
# Who is calling, as Google's own clients say it (`x-goog-api-client` is how the service
# counts client libraries).
CLIENT_HEADERS = {
    "User-Agent": f"storyforge/{__version__}",
    "x-goog-api-client": f"storyforge/{__version__} gl-python/{platform.python_version()}",
}
# Shorter "keys" (a fake server's) would match ordinary words in prompts; real keys are ~39.
_MIN_GUARDED = 8


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
    """The one HTTP client of a build: pooled for concurrent calls, timeouts from the options.

    A plain-HTTP base URL (a fake server, a local proxy) gets no TLS set-up: loading the CA
    bundle is most of a small build's connection cost, and no request will use it (the
    client follows no redirects, uploads go to the base URL).
    """
    timeout = httpx.Timeout(options.timeout_s, connect=min(options.timeout_s, 30.0))
    plain = (options.base_url or "").lower().startswith("http://")
    verify: ssl.SSLContext | bool = _plain_tls() if plain else _tls()
    return httpx.AsyncClient(limits=LIMITS, timeout=timeout, verify=verify, follow_redirects=False)


@functools.cache
def _plain_tls() -> ssl.SSLContext:
    # httpx builds a context even when no request will use TLS; one without CA certificates
    # is instant to make, and would refuse any TLS peer rather than trust it.
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


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
        deadline_s: float = 180.0,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.auth = dict(auth)
        self.secrets = secrets
        self.debug = debug
        self.deadline_s = deadline_s
        if debug:
            show_debug_log()

    def url(self, path: str) -> str:
        """The absolute URL of an API path such as `/v1beta/models`."""
        return f"{self.base_url}{path}"

    def redact(self, text: str) -> str:
        """The text with this provider's key, any `?key=` and URL passwords replaced by `***`."""
        return redact_url(redact(text, self.secrets))

    async def send(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request and read the whole answer within the deadline.

        Transport failures, and an answer not complete within the deadline, become ApiError.
        """
        request = self._build(method, url, content, headers)
        try:
            async with asyncio.timeout(self.deadline_s):
                response = await self.client.send(request)
                await response.aread()
        except TimeoutError:
            raise self._deadline_error(request) from None
        except httpx.HTTPError as error:
            raise self._transport_error(request, error) from None
        self._log_response(request, response, len(response.content))
        _unbind(response, response.content)
        return response

    @asynccontextmanager
    async def stream(
        self, method: str, url: str, *, content: bytes, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """Send one request and yield the answer unread, for streaming its body.

        The deadline covers the whole stream, so the caller's reads are bounded too.
        """
        request = self._build(method, url, content, headers)
        try:
            async with asyncio.timeout(self.deadline_s):
                response = await self.client.send(request, stream=True)
                try:
                    self._log_response(request, response, None)
                    yield response
                finally:
                    await response.aclose()
                    _unbind(response, b"")  # streamed: the caller has the events
        except TimeoutError:
            raise self._deadline_error(request) from None
        except httpx.HTTPError as error:
            raise self._transport_error(request, error) from None
        if self.debug:
            received = response.num_bytes_downloaded
            log.debug("%s %s <- %d bytes streamed", method, self.redact(str(request.url)), received)

    def _build(
        self, method: str, url: str, content: bytes | None, headers: Mapping[str, str] | None
    ) -> httpx.Request:
        if content and self._holds_key(content):
            raise ApiError(
                "refused to send a request whose body contains the API key (does a template "
                "or a reference file include it?)",
                status=0,
                code=REFUSED,
            )
        try:
            request = self.client.build_request(
                method,
                url,
                content=content,
                headers={**CLIENT_HEADERS, **self.auth, **(headers or {})},
            )
        except httpx.InvalidURL as error:
            raise ApiError(
                f"{self.redact(url)} is not a usable URL ({error}): check the base URL",
                status=0,
                code=REFUSED,
            ) from None
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

    def _holds_key(self, content: bytes) -> bool:
        # The last guard of the key: however a story got it into a prompt, it is not sent.
        # JSON may escape a key's characters, so both spellings are looked for.
        for secret in self.secrets:
            if len(secret) >= _MIN_GUARDED:
                escaped = json.dumps(secret)[1:-1].encode()
                if secret.encode() in content or escaped in content:
                    return True
        return False

    def _deadline_error(self, request: httpx.Request) -> ApiError:
        message = f"no complete answer within {self.deadline_s:g} s (--timeout)"
        if self.debug:
            log.debug("%s %s -> %s", request.method, self.redact(str(request.url)), message)
        return ApiError(message, status=0, transport=True, deadline=True)

    def _transport_error(self, request: httpx.Request, error: httpx.HTTPError) -> ApiError:
        # Transport failures (refused, reset, timed out, dropped) are worth another try; the
        # rest (an undecodable body, say) would fail the same way again.
        detail = self.redact(str(error))
        message = f"{type(error).__name__}{': ' + detail if detail else ''}"
        if self.debug:
            log.debug("%s %s -> %s", request.method, self.redact(str(request.url)), message)
        transport = isinstance(error, httpx.TransportError)
        return ApiError(message, status=0, transport=transport, code="" if transport else "bad")


def _unbind(response: httpx.Response, body: bytes) -> None:
    # An httpx response and the stream bound to it refer to each other, so each answer and
    # its request (megabytes of images apiece) lived on until the cycle collector came by:
    # a 1,000-panel build held ~45 of each at a time. Once the body is read, a plain
    # stream of it stands in, and the answer goes as soon as nothing uses it.
    response.stream = httpx.ByteStream(body)
