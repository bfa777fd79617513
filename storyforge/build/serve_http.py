"""The loopback web server of `storyforge serve`: OUT's files, and a long poll that reloads.

The viewer file in OUT stays the offline page it always is; only the copy this server
sends gets a small script that waits on `/_storyforge/wait` and reloads the page when a
rebuild has finished, and a banner when the last rebuild failed. Everything is sent with
`Cache-Control: no-store`, so a reload shows the new pictures under their old names.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import socket
import threading
from dataclasses import dataclass, field
from html import escape
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from storyforge.errors import UsageError

WAIT_PATH = "/_storyforge/wait"
WAIT_S = 20.0  # a long poll answers at least this often, so a closed tab frees its thread
RELOAD = """<script>
(function () {
  var version = %(version)d;
  function poll() {
    fetch("%(path)s?since=" + version, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) { if (d.version !== version) { location.reload(); } else { poll(); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>
"""
BANNER = (
    '<div id="storyforge-error" role="alert" style="position:sticky;top:0;z-index:9;'
    "padding:10px 24px;background:#fde8e6;color:#8a1c12;font:13px/1.4 ui-monospace,monospace;"
    'white-space:pre-wrap;border-bottom:2px solid #b42318">%s</div>'
)
WAITING = "<!doctype html><title>storyforge</title><p>No viewer yet: the story has not built.</p>"


@dataclass
class Live:
    """The version of OUT the pages show, bumped by every rebuild, and the last error."""

    version: int = 0
    error: str | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, error: str | None) -> None:
        """A rebuild finished (with `error` if the story could not be built)."""
        with self._changed:
            self.version += 1
            self.error = error
            self._changed.notify_all()

    def snapshot(self) -> tuple[int, str | None]:
        """The version and the last error, read together."""
        with self._changed:
            return self.version, self.error

    def wait(self, since: int, timeout: float) -> int:
        """The version, once it differs from `since` or `timeout` seconds have passed."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != since, timeout)
            return self.version


class _Handler(SimpleHTTPRequestHandler):
    live: Live

    def __init__(self, *args: Any, live: Live, **kwargs: Any) -> None:
        self.live = live
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == WAIT_PATH:
            since = parse_qs(url.query).get("since", ["-1"])[0]
            version = self.live.wait(int(since) if since.lstrip("-").isdigit() else -1, WAIT_S)
            self._send(json.dumps({"version": version}).encode(), "application/json")
        elif url.path in ("/", "/index.html"):
            self._send(self._viewer().encode(), "text/html; charset=utf-8")
        else:
            super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows builds, not every request

    def _viewer(self) -> str:
        version, error = self.live.snapshot()
        try:
            page = (Path(self.directory) / "index.html").read_text("utf-8")
        except OSError:
            page = WAITING
        extra = (BANNER % escape(error) if error else "") + RELOAD % {
            "version": version,
            "path": WAIT_PATH,
        }
        head, body, tail = page.rpartition("</body>")
        return f"{head}{extra}{body}{tail}" if body else page + extra

    def _send(self, data: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ViewerServer:
    """OUT served on a loopback address in a thread of its own."""

    def __init__(self, out: Path, live: Live, host: str = "127.0.0.1", port: int = 0) -> None:
        """Bind at once, so a taken port is an error before the first build."""
        if not _loopback(host):
            raise UsageError(f"--host {host}: serve listens on loopback only (127.0.0.1 or ::1)")
        handler = functools.partial(_Handler, directory=str(out), live=live)
        server_class = _Server6 if ":" in host else ThreadingHTTPServer
        try:
            self._server = server_class(
                ("127.0.0.1" if host == "localhost" else host, port), handler
            )
        except OSError as error:
            raise UsageError(f"--port {port}: cannot listen there ({error.strerror})") from error
        self._server.daemon_threads = True
        self._live = live
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The address to open."""
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        """Serve requests until `close`."""
        self._thread.start()

    def close(self) -> None:
        """Stop serving; waiting pages are answered."""
        self._live.publish(self._live.error)
        self._server.shutdown()
        self._server.server_close()


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
