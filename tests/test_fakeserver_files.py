"""The Files API of the fake server: resumable uploads, use in generate, expiry, deletion."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from storyforge.fakeserver import FakeGemini
from tests.fakeserver_support import KEY, body, client, error_of, generate, tiny_png

START = "/upload/v1beta/files"


@pytest.fixture
def server() -> Iterator[FakeGemini]:
    with FakeGemini(api_key=KEY) as srv:
        yield srv


def _start(http: httpx.Client, data: bytes, name: str = "mara-sheet") -> str:
    answer = http.post(
        START,
        headers={
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": str(len(data)),
            "X-Goog-Upload-Header-Content-Type": "image/png",
        },
        json={"file": {"display_name": name}},
    )
    assert answer.status_code == 200
    assert answer.headers["x-goog-upload-status"] == "active"
    url: str = answer.headers["x-goog-upload-url"]
    return url


def _send(http: httpx.Client, url: str, chunk: bytes, offset: int, command: str) -> httpx.Response:
    headers = {"X-Goog-Upload-Offset": str(offset), "X-Goog-Upload-Command": command}
    return http.post(url, content=chunk, headers=headers)


def _upload(http: httpx.Client, data: bytes) -> dict[str, Any]:
    answer = _send(http, _start(http, data), data, 0, "upload, finalize")
    assert answer.status_code == 200
    assert answer.headers["x-goog-upload-status"] == "final"
    file: dict[str, Any] = answer.json()["file"]
    return file


def _with_file(file: dict[str, Any]) -> dict[str, Any]:
    return body("Mara at the door.", {"text": "Image 1: Mara"},
                {"fileData": {"mimeType": "image/png", "fileUri": file["uri"]}})  # fmt: skip


def test_an_upload_becomes_an_active_file_with_the_services_fields(server: FakeGemini) -> None:
    data = tiny_png()
    with client(server) as http:
        file = _upload(http, data)
        fetched = http.get(f"/v1beta/{file['name']}").json()
        listed = http.get("/v1beta/files").json()["files"]
    assert file["name"].startswith("files/")
    assert file["displayName"] == "mara-sheet"
    assert file["mimeType"] == "image/png"
    assert file["sizeBytes"] == str(len(data))
    assert base64.b64decode(file["sha256Hash"]).decode() == hashlib.sha256(data).hexdigest()
    assert file["state"] == "ACTIVE"
    assert file["source"] == "UPLOADED"
    assert file["uri"].endswith(f"/v1beta/{file['name']}")
    created = dt.datetime.fromisoformat(file["createTime"])
    expires = dt.datetime.fromisoformat(file["expirationTime"])
    assert expires - created == dt.timedelta(hours=48)
    assert fetched == file
    assert listed == [file]


def test_a_generate_request_can_use_an_uploaded_file_as_an_input_image(server: FakeGemini) -> None:
    data = tiny_png((20, 90, 200))
    with client(server) as http:
        answer = generate(http, _with_file(_upload(http, data)))
    assert answer.status_code == 200
    record = server.requests[-1]
    assert record["images"] == [hashlib.sha256(data).hexdigest()]
    assert [r["route"] for r in server.requests] == ["upload", "upload", "generateContent"]


def test_a_chunked_upload_is_active_until_its_finalizing_chunk(server: FakeGemini) -> None:
    data = tiny_png(size=32)
    half = len(data) // 2
    with client(server) as http:
        url = _start(http, data)
        first = _send(http, url, data[:half], 0, "upload")
        misplaced = _send(http, url, data[half:], 1, "upload, finalize")
        last = _send(http, url, data[half:], half, "upload, finalize")
    assert first.status_code == 200
    assert first.headers["x-goog-upload-status"] == "active"
    assert misplaced.status_code == 400
    assert last.headers["x-goog-upload-status"] == "final"
    assert last.json()["file"]["sizeBytes"] == str(len(data))


def test_an_upload_shorter_than_declared_fails(server: FakeGemini) -> None:
    data = tiny_png()
    with client(server) as http:
        answer = _send(http, _start(http, data + b"extra"), data, 0, "upload, finalize")
    assert answer.status_code == 400
    assert "x-goog-upload-status" not in answer.headers


def test_expired_files_answer_403_and_a_fresh_upload_works(server: FakeGemini) -> None:
    data = tiny_png()
    with client(server) as http:
        file = _upload(http, data)
        server.expire_files()
        expired = generate(http, _with_file(file))
        fetched = http.get(f"/v1beta/{file['name']}")
        fresh = generate(http, _with_file(_upload(http, data)))
    file_id = file["name"].removeprefix("files/")
    assert expired.status_code == 403
    assert error_of(expired) == {
        "code": 403,
        "message": f"You do not have permission to access the File {file_id} or it may not exist.",
        "status": "PERMISSION_DENIED",
    }
    assert fetched.status_code == 403
    assert fresh.status_code == 200


def test_the_file_lifetime_can_be_set() -> None:
    with FakeGemini(api_key=KEY, file_ttl_s=60) as srv, client(srv) as http:
        assert srv.file_ttl_s == 60
        file = _upload(http, tiny_png())
    created = dt.datetime.fromisoformat(file["createTime"])
    assert dt.datetime.fromisoformat(file["expirationTime"]) - created == dt.timedelta(minutes=1)


def test_deleted_and_unknown_files_answer_403(server: FakeGemini) -> None:
    with client(server) as http:
        file = _upload(http, tiny_png())
        deleted = http.delete(f"/v1beta/{file['name']}")
        again = http.delete(f"/v1beta/{file['name']}")
        used = generate(http, _with_file(file))
        listed = http.get("/v1beta/files").json()
    assert deleted.status_code == 200
    assert deleted.json() == {}
    assert again.status_code == 403
    assert used.status_code == 403
    assert listed == {}


def test_uploads_need_the_key_and_the_resumable_headers(server: FakeGemini) -> None:
    with httpx.Client(base_url=server.base_url) as anonymous:
        assert anonymous.post(START, content=b"x").status_code == 403
    with client(server) as http:
        plain = http.post(START, content=tiny_png())
        unknown = _send(http, f"{START}?upload_id=nope", b"x", 0, "upload, finalize")
    assert plain.status_code == 400
    assert unknown.status_code == 404
