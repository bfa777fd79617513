"""FakeGemini: the fake service on a loopback port, served from a daemon thread."""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from storyforge.fakeserver.app import App
from storyforge.fakeserver.auth import Mode
from storyforge.fakeserver.batches import BatchSettings
from storyforge.fakeserver.faults import Faults, Replay
from storyforge.fakeserver.files import FILE_TTL_S
from storyforge.fakeserver.handler import FakeHTTPServer, FakeHTTPServer6

NO_FAULTS = Faults()


class FakeGemini:
    """A fake Gemini (or CometAPI) image service over real HTTP, with fault injection.

    Use it as a context manager, or call `start()` and `stop()`. `base_url` is valid once
    started. Each request is logged in `requests` (keys redacted, image data hashed).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        mode: Mode = "google",
        api_key: str = "fake-key",
        faults: Faults = NO_FAULTS,
        log_path: Path | None = None,
        file_ttl_s: float = FILE_TTL_S,
        batch: BatchSettings | None = None,
        quota_rpm: float | None = None,
    ) -> None:
        if mode not in ("google", "comet"):
            raise ValueError(f"mode must be 'google' or 'comet', not {mode!r}")
        self.host = host
        self.port = port
        self.mode = mode
        self.faults = faults
        self.base_url = ""
        self._app = App(
            mode=mode, api_key=api_key, faults=faults, log_path=log_path, file_ttl_s=file_ttl_s,
            batch=batch, quota_rpm=quota_rpm,
        )  # fmt: skip
        self._server: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeGemini:
        """Bind the port (OSError when taken) and serve in a daemon thread."""
        if self._server is not None:
            return self
        server_class = FakeHTTPServer6 if ":" in self.host else FakeHTTPServer
        server = server_class((self.host, self.port), self._app)
        self.port = server.server_address[1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = self._app.base_url = f"http://{shown}:{self.port}"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
            name=f"fake-gemini-{self.port}",
        )  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and free the port."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()

    def __enter__(self) -> FakeGemini:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def enqueue(self, *faults: str) -> None:
        """Give the next generate requests these faults, one each, in order (see FAULT_NAMES)."""
        self._app.picker.enqueue(*faults)

    def replay(self, body: dict[str, Any] | list[dict[str, Any]], status: int = 200) -> None:
        """Answer the next generate request (after those queued) with a recorded body.

        A dict is one response (or, with an error status, an error envelope); a list is a
        stream's events. The request is still checked first, as any other.
        """
        self._app.picker.replay(Replay(body, status))

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A copy of the request log, oldest first."""
        return self._app.log.records()

    @property
    def file_ttl_s(self) -> float:
        """How long an uploaded file stays usable, in seconds (48 h by default)."""
        return self._app.files.ttl_s

    @file_ttl_s.setter
    def file_ttl_s(self, seconds: float) -> None:
        self._app.files.ttl_s = seconds

    def enqueue_batch(self, *faults: str) -> None:
        """Give the next created batch jobs these faults, one each (see batches.BATCH_FAULTS)."""
        self._app.batches.enqueue(*faults)

    def expire_batches(self) -> None:
        """End every batch job still pending or running as EXPIRED, as 48 hours would."""
        self._app.batches.expire_all()

    @property
    def batches_created(self) -> int:
        """How many batch jobs have been created since the server started."""
        return self._app.batches.created

    @property
    def batch_rows(self) -> int:
        """How many rows all batch jobs created so far held (each one a billed call)."""
        return self._app.batches.rows

    @property
    def quota_refused(self) -> int:
        """How many generate requests the `quota_rpm` bucket answered with 429."""
        return self._app.quota.refused if self._app.quota else 0

    def expire_files(self) -> None:
        """Make every uploaded file expired: using one now answers 403."""
        self._app.files.expire_all()
