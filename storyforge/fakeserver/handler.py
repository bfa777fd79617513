"""HTTP/1.1 on the socket: read a request whole, write its answer (sized, chunked or dropped)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from storyforge.fakeserver.app import App, Notes
from storyforge.fakeserver.envelopes import google_error, invalid_argument
from storyforge.fakeserver.exchange import Answer, Incoming
from storyforge.fakeserver.log import LogWriteError

# The inline request limit of the 2026-01-08 changelog (PROTOCOL.md §6).
PAYLOAD_LIMIT = 100 * 1024 * 1024
_logger = logging.getLogger("storyforge.fakeserver")


class _BodyTooLargeError(Exception):
    """The request declares more bytes than the service accepts."""


class FakeHTTPServer(ThreadingHTTPServer):
    """A threading server that knows its App and can cut its keep-alive connections at stop."""

    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog of 5 drops connects when a build opens 8 or 16 at once,
    # and the client then waits a whole second to retry.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Remember the connection, then serve it in its own thread."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget and close a finished connection."""
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut every open connection, so idle keep-alive threads end now."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # the client may have closed it already
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ARG002
        """A client that vanished mid-answer is routine; keep it out of stderr."""
        _logger.debug("connection from %s failed", client_address, exc_info=True)


class FakeHTTPServer6(FakeHTTPServer):
    """The same server on an IPv6 address."""

    address_family = socket.AF_INET6


class Handler(BaseHTTPRequestHandler):
    """One connection: HTTP/1.1 keep-alive, each request answered whole or as a chunked stream."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle on, the body waits for the
    # client's delayed ACK and every answer takes ~40 ms more than it should.
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections end after this many seconds
    server: FakeHTTPServer

    def version_string(self) -> str:
        """The Server header Google's front end sends."""
        return "scaffolding on HTTPServer2"

    def log_message(self, format: str, *args: Any) -> None:
        """Send the access log to logging instead of stderr."""
        _logger.debug(format, *args)

    def do_GET(self) -> None:
        """Serve a GET."""
        self._serve()

    def do_POST(self) -> None:
        """Serve a POST."""
        self._serve()

    def do_DELETE(self) -> None:
        """Serve a DELETE."""
        self._serve()

    def _serve(self) -> None:
        arrived = time.time()
        target = urlsplit(self.path)
        query: dict[str, str] = {}
        for name, value in parse_qsl(target.query, keep_blank_values=True):
            query.setdefault(name, value)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        try:
            request = Incoming(self.command, target.path, query, headers, self._read_body())
        except _BodyTooLargeError:
            request = Incoming(self.command, target.path, query, headers)
            self.close_connection = True  # the unread body is still on the socket
            limit = f"Request payload size exceeds the limit: {PAYLOAD_LIMIT} bytes."
            answer, notes = invalid_argument(limit).answer, Notes("tooLarge")
        else:
            answer, notes = self._handle(request)
        # Logged before the answer goes out, so a client that has its answer finds it logged.
        try:
            self.server.app.record(request, answer, notes, arrived)
        except LogWriteError as error:
            # Said on stderr and in the answer: a dropped connection would look like a fault.
            _logger.error("%s", error)
            answer = google_error(500, "INTERNAL", str(error)).answer
        self._send(answer)

    def _handle(self, request: Incoming) -> tuple[Answer, Notes]:
        try:
            return self.server.app.handle(request)
        except Exception as error:
            # A bug of the fake itself: said on stderr and answered, so that no test reads
            # it as an injected dropped connection.
            _logger.exception("the fake server failed on %s %s", request.method, request.path)
            text = f"the fake server failed: {type(error).__name__}: {error}"
            return google_error(500, "INTERNAL", text).answer, Notes("error")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > PAYLOAD_LIMIT:
            raise _BodyTooLargeError
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            body += self.rfile.read(size)
            self.rfile.readline()
            if len(body) > PAYLOAD_LIMIT:
                raise _BodyTooLargeError
        while self.rfile.readline().strip():  # trailers
            pass
        return bytes(body)

    def _send(self, answer: Answer) -> None:
        if answer.drop:
            self.close_connection = True
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("X-Content-Type-Options", "nosniff")
        if answer.events is None:
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self._write(answer.body, answer.drip_s)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in answer.events:
            self._write(b"%X\r\n%b\r\n" % (len(event), event), answer.drip_s)
        self.wfile.write(b"0\r\n\r\n")

    def _write(self, data: bytes, drip_s: float) -> None:
        if drip_s <= 0:
            self.wfile.write(data)
            return
        # A slow-drip server: every byte arrives in time for a per-read timeout, the whole
        # answer never does. A client that gives up closes the socket and ends the loop.
        for at in range(len(data)):
            self.wfile.write(data[at : at + 1])
            self.wfile.flush()
            time.sleep(drip_s)
