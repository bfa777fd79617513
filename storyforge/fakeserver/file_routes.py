"""The Files API over HTTP: resumable upload (start, chunks, finalize), get, list and delete."""

from __future__ import annotations

import json
from typing import Any

from storyforge.fakeserver.envelopes import invalid_argument
from storyforge.fakeserver.exchange import Answer, Incoming, json_answer
from storyforge.fakeserver.files import FileStore

CHUNK_GRANULARITY = 8 * 1024 * 1024


def upload(store: FileStore, request: Incoming, base_url: str, version: str = "v1beta") -> Answer:
    """POST /upload/{version}/files: a start without upload_id, else a chunk of that upload."""
    upload_id = request.query.get("upload_id")
    if upload_id is None:
        return _start(store, request, f"{base_url}/upload/{version}/files")
    return _chunk(store, request, upload_id, base_url)


def get_file(store: FileStore, file_id: str, base_url: str) -> Answer:
    """GET /v1beta/files/{id}: the bare File resource."""
    return json_answer(store.get(file_id).resource(base_url))


def delete_file(store: FileStore, file_id: str) -> Answer:
    """DELETE /v1beta/files/{id}: an empty object."""
    store.delete(file_id)
    return json_answer({})


def list_files(store: FileStore, base_url: str) -> Answer:
    """GET /v1beta/files: {"files": [...]}, or {} when there are none."""
    files = [f.resource(base_url) for f in store.active()]
    return json_answer({"files": files} if files else {})


def _start(store: FileStore, request: Incoming, upload_path: str) -> Answer:
    headers = request.headers
    if headers.get("x-goog-upload-protocol", "").lower() != "resumable":
        raise invalid_argument("Only the resumable upload protocol is supported here.")
    if _commands(request) != {"start"}:
        raise invalid_argument("A resumable upload must begin with X-Goog-Upload-Command: start.")
    declared = headers.get("x-goog-upload-header-content-length")
    if declared is not None and not declared.strip().isdigit():
        raise invalid_argument(f"Invalid X-Goog-Upload-Header-Content-Length: {declared}")
    file = _file_metadata(request.body)
    upload_id = store.start(
        str(file.get("displayName") or file.get("display_name") or ""),
        headers.get("x-goog-upload-header-content-type") or str(file.get("mimeType") or ""),
        int(declared) if declared is not None else None,
    )
    url = f"{upload_path}?upload_id={upload_id}&upload_protocol=resumable"
    return Answer(
        200,
        content_type="text/plain; charset=utf-8",
        headers=(
            ("X-Goog-Upload-Status", "active"),
            ("X-Goog-Upload-URL", url),
            ("X-Goog-Upload-Control-URL", url),
            ("X-Goog-Upload-Chunk-Granularity", str(CHUNK_GRANULARITY)),
            ("X-GUploader-UploadID", upload_id),
        ),
    )


def _chunk(store: FileStore, request: Incoming, upload_id: str, base_url: str) -> Answer:
    commands = _commands(request)
    if commands == {"query"}:
        size = store.received(upload_id)
        return Answer(200, headers=(("X-Goog-Upload-Status", "active"),
                                    ("X-Goog-Upload-Size-Received", str(size))))  # fmt: skip
    if not commands or not commands <= {"upload", "finalize"}:
        raise invalid_argument(f"Unsupported X-Goog-Upload-Command: {', '.join(sorted(commands))}")
    offset = request.headers.get("x-goog-upload-offset", "0").strip()
    if not offset.isdigit():
        raise invalid_argument(f"Invalid X-Goog-Upload-Offset: {offset}")
    body = request.body if "upload" in commands else b""
    stored = store.receive(upload_id, int(offset), body, finalize="finalize" in commands)
    if stored is None:
        return Answer(200, headers=(("X-Goog-Upload-Status", "active"),))
    return json_answer(
        {"file": stored.resource(base_url)}, headers=[("X-Goog-Upload-Status", "final")]
    )


def _commands(request: Incoming) -> set[str]:
    raw = request.headers.get("x-goog-upload-command", "")
    return {c.strip().lower() for c in raw.split(",") if c.strip()}


def _file_metadata(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        metadata = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid_argument("Invalid JSON payload received. Unexpected token.") from None
    file = metadata.get("file", {}) if isinstance(metadata, dict) else None
    if not isinstance(file, dict):
        raise invalid_argument("Invalid JSON payload received. Expected an object at 'file'.")
    return file
