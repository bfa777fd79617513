"""The Files API's store: uploaded bytes kept in memory until they expire (48 h by default)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import string
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from storyforge.fakeserver.envelopes import file_not_found, google_error, invalid_argument
from storyforge.mime import sniff_mime

FILE_TTL_S = 48 * 3600.0
_ID_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An uploaded file and when it stops being usable."""

    id: str
    display_name: str
    mime_type: str
    data: bytes
    created: float
    expires: float

    def resource(self, base_url: str) -> dict[str, Any]:
        """The File resource as the API shows it (sizeBytes a string, sha256Hash base64)."""
        digest = hashlib.sha256(self.data).hexdigest()
        resource: dict[str, Any] = {"name": f"files/{self.id}"}
        if self.display_name:
            resource["displayName"] = self.display_name
        return resource | {
            "mimeType": self.mime_type,
            "sizeBytes": str(len(self.data)),
            "createTime": _stamp(self.created),
            "updateTime": _stamp(self.created),
            "expirationTime": _stamp(self.expires),
            # The service base64-encodes the hex digest, not the raw one.
            "sha256Hash": base64.b64encode(digest.encode()).decode(),
            "uri": f"{base_url}/v1beta/files/{self.id}",
            "state": "ACTIVE",
            "source": "UPLOADED",
        }


@dataclass(slots=True)
class _Upload:
    """A resumable upload in progress; its bytes grow chunk by chunk."""

    display_name: str
    mime_type: str
    declared_size: int | None
    received: bytearray


class FileStore:
    """Uploaded files by id and the uploads in progress; safe to use from many threads."""

    def __init__(self, ttl_s: float = FILE_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._files: dict[str, StoredFile] = {}
        self._uploads: dict[str, _Upload] = {}
        self._lock = threading.Lock()

    def start(self, display_name: str, mime_type: str, declared_size: int | None) -> str:
        """Open a resumable upload and return its upload id."""
        upload_id = secrets.token_urlsafe(24)
        with self._lock:
            self._uploads[upload_id] = _Upload(display_name, mime_type, declared_size, bytearray())
        return upload_id

    def receive(
        self, upload_id: str, offset: int, chunk: bytes, *, finalize: bool
    ) -> StoredFile | None:
        """Append a chunk at `offset`; on finalize, store and return the file."""
        with self._lock:
            upload = self._uploads.get(upload_id)
            if upload is None:
                raise google_error(404, "NOT_FOUND", "The upload session was not found.")
            if offset != len(upload.received):
                raise invalid_argument(
                    f"Upload offset {offset} does not match the {len(upload.received)} bytes "
                    "received so far."
                )
            upload.received += chunk
            if not finalize:
                return None
            del self._uploads[upload_id]
        return self._store(upload)

    def received(self, upload_id: str) -> int:
        """How many bytes an upload in progress holds (for `X-Goog-Upload-Command: query`)."""
        with self._lock:
            upload = self._uploads.get(upload_id)
        if upload is None:
            raise google_error(404, "NOT_FOUND", "The upload session was not found.")
        return len(upload.received)

    def get(self, file_id: str) -> StoredFile:
        """A usable file; a missing or expired one raises the service's 403."""
        with self._lock:
            found = self._files.get(file_id)
        if found is None or found.expires <= time.time():
            raise file_not_found(file_id)
        return found

    def delete(self, file_id: str) -> None:
        """Forget a file; a missing or expired one raises the service's 403."""
        self.get(file_id)
        with self._lock:
            self._files.pop(file_id, None)

    def active(self) -> list[StoredFile]:
        """Every file not yet expired, oldest first."""
        now = time.time()
        with self._lock:
            return [f for f in self._files.values() if f.expires > now]

    def expire_all(self) -> None:
        """Make every uploaded file expired, as if 48 hours had passed."""
        now = time.time()
        with self._lock:
            self._files = {
                k: replace(f, expires=min(f.expires, now)) for k, f in self._files.items()
            }

    def _store(self, upload: _Upload) -> StoredFile:
        data = bytes(upload.received)
        if upload.declared_size is not None and upload.declared_size != len(data):
            raise invalid_argument(
                f"The upload declared {upload.declared_size} bytes but {len(data)} arrived."
            )
        now = time.time()
        mime = upload.mime_type or sniff_mime(data) or "application/octet-stream"
        stored = StoredFile(_new_id(), upload.display_name, mime, data, now, now + self.ttl_s)
        with self._lock:
            self._files[stored.id] = stored
        return stored


def _new_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def _stamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
