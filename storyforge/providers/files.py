"""The Files API: resumable uploads of large input images, cached by the bytes' sha256."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from storyforge.providers.apierror import ApiError, parse_error
from storyforge.providers.transport import Http

# Reuse a file only while this much of its life is left, so it cannot expire mid-request.
MIN_LIFE = dt.timedelta(hours=1)
_POLLS = 10  # images are ACTIVE at once; a few polls cover a slow PROCESSING


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file the API holds: its name (`files/…`), URI, type and expiry."""

    name: str
    uri: str
    mime_type: str
    expires: dt.datetime | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UploadCache:
    """Uploaded files by content sha256, reused until less than an hour of life is left."""

    def __init__(self, clock: Callable[[], dt.datetime] = _now) -> None:
        self._files: dict[str, UploadedFile] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._clock = clock
        self.uploads = 0  # uploads made, for logs and tests

    async def fetch(self, http: Http, data: bytes, mime_type: str, name: str) -> UploadedFile:
        """The cached file for these bytes, uploading them first when needed.

        Concurrent requests sharing an image wait for one upload instead of each making one.
        """
        sha256 = hashlib.sha256(data).hexdigest()
        async with self._locks.setdefault(sha256, asyncio.Lock()):
            if (found := self.get(sha256)) is not None:
                return found
            file = await upload(http, data, mime_type, name)
            self.uploads += 1
            self.put(sha256, file)
            return file

    def get(self, sha256: str) -> UploadedFile | None:
        """The file for these bytes, if it will live at least another hour."""
        found = self._files.get(sha256)
        if found is None or (found.expires and found.expires - self._clock() < MIN_LIFE):
            return None
        return found

    def put(self, sha256: str, file: UploadedFile) -> None:
        """Remember an upload."""
        self._files[sha256] = file

    def forget(self, sha256: str) -> None:
        """Drop an upload the API no longer has (a 403 on use)."""
        self._files.pop(sha256, None)


def parse_file(data: Any) -> UploadedFile:
    """Read a File object (bare or as `{"file": …}`); ValueError when it has no name or URI."""
    file = data.get("file", data) if isinstance(data, dict) else None
    if not isinstance(file, dict) or not file.get("uri") or not file.get("name"):
        raise ValueError("the upload answer holds no file")
    expires = None
    if isinstance(stamp := file.get("expirationTime"), str):
        expires = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return UploadedFile(str(file["name"]), str(file["uri"]), str(file.get("mimeType", "")), expires)


async def upload(http: Http, data: bytes, mime_type: str, display_name: str) -> UploadedFile:
    """Upload bytes by the resumable protocol (start, then upload+finalize); ApiError on failure."""
    start = await http.send(
        "POST",
        http.url("/upload/v1beta/files"),
        content=json.dumps({"file": {"display_name": display_name[:128]}}).encode(),
        headers={
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": str(len(data)),
            "X-Goog-Upload-Header-Content-Type": mime_type,
            "Content-Type": "application/json",
        },
    )
    _check(http, start)
    target = start.headers.get("x-goog-upload-url")
    if not target:
        raise ApiError("the upload start gave no upload URL", status=start.status_code)
    finish = await http.send(
        "POST",
        _on_base(http, target),
        content=data,
        headers={"X-Goog-Upload-Offset": "0", "X-Goog-Upload-Command": "upload, finalize"},
    )
    _check(http, finish)
    if finish.headers.get("x-goog-upload-status", "final").lower() != "final":
        raise ApiError("the upload did not finalize", status=finish.status_code)
    return await _active(http, _read_file(finish))


def _check(http: Http, response: httpx.Response) -> None:
    if response.status_code >= 300:
        raise parse_error(response.status_code, response.content, response.headers, http.secrets)


def _read_file(response: httpx.Response) -> tuple[UploadedFile, str]:
    try:
        payload = response.json()
        state = str((payload.get("file", payload) or {}).get("state", "ACTIVE"))
        return parse_file(payload), state
    except (ValueError, AttributeError) as error:
        raise ApiError(f"unreadable upload answer: {error}", status=response.status_code) from None


def _on_base(http: Http, target: str) -> str:
    # The upload URL may name another host than the one configured (a proxy, the fake server,
    # a gateway); like Google's SDK, keep its path and query but send it to the base URL.
    base, url = httpx.URL(http.base_url), httpx.URL(target)
    return str(url.copy_with(scheme=base.scheme, host=base.host, port=base.port))


async def _active(http: Http, read: tuple[UploadedFile, str]) -> UploadedFile:
    file, state = read
    for _ in range(_POLLS):
        if state == "ACTIVE":
            return file
        if state == "FAILED":
            raise ApiError(f"the API could not process {file.name}", status=200)
        await asyncio.sleep(1.0)
        file, state = _read_file(await http.send("GET", http.url(f"/v1beta/{file.name}")))
    raise ApiError(f"{file.name} is still {state}", status=200)
