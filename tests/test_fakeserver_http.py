"""The fake server over loopback: routes, auth rules, success bodies, the log, concurrency."""

from __future__ import annotations

import hashlib
import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storyforge.capabilities import MODELS
from storyforge.fakeserver import FakeGemini, Faults
from tests.fakeserver_support import (
    G3,
    KEY,
    MODEL,
    body,
    client,
    decoded,
    error_of,
    generate,
    image,
    jpeg_size,
    parts_of,
    png_size,
    tiny_png,
)


@pytest.fixture
def server() -> Iterator[FakeGemini]:
    with FakeGemini(api_key=KEY) as srv:
        yield srv


def test_lists_the_served_image_models_in_the_model_resource_shape(server: FakeGemini) -> None:
    with client(server) as http:
        listed = http.get("/v1beta/models").json()["models"]
        one = http.get(f"/v1beta/models/{MODEL}").json()
        retired = http.get("/v1beta/models/gemini-2.5-flash-image-preview")
    expected = {f"models/{m.id}" for m in MODELS.values() if not m.retired}
    assert {m["name"] for m in listed} == expected
    assert one["name"] == f"models/{MODEL}"
    assert one["displayName"] == "Nano Banana"
    assert "generateContent" in one["supportedGenerationMethods"]
    assert retired.status_code == 404
    assert error_of(retired)["status"] == "NOT_FOUND"


def test_an_unknown_path_gets_googles_html_404(server: FakeGemini) -> None:
    with client(server) as http:
        answer = http.post("/v2/models/x:generateContent", json={})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "404" in answer.text


@pytest.mark.parametrize(
    ("headers", "params", "status", "state", "words"),
    [
        ({}, {}, 403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers"),
        ({"x-goog-api-key": "wrong"}, {}, 400, "INVALID_ARGUMENT", "API key not valid."),
        ({"Authorization": f"Bearer {KEY}"}, {"key": KEY}, 401, "UNAUTHENTICATED",
         "Request had invalid authentication credentials. Expected OAuth 2 access token"),
    ],
)  # fmt: skip
def test_google_auth_rules(
    server: FakeGemini,
    headers: dict[str, str],
    params: dict[str, str],
    status: int,
    state: str,
    words: str,
) -> None:
    with httpx.Client(base_url=server.base_url, headers=headers) as http:
        answer = http.get("/v1beta/models", params=params)
    assert answer.status_code == status
    assert error_of(answer)["status"] == state
    assert words in error_of(answer)["message"]
    assert KEY not in answer.text


def test_a_bad_google_key_names_api_key_invalid(server: FakeGemini) -> None:
    with client(server, **{"x-goog-api-key": "wrong-key"}) as http:
        error = error_of(http.get("/v1beta/models"))
    assert error["message"] == "API key not valid. Please pass a valid API key."
    assert error["details"][0]["reason"] == "API_KEY_INVALID"


def test_google_accepts_the_key_as_a_query_parameter(server: FakeGemini) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        assert http.get("/v1beta/models", params={"key": KEY}).status_code == 200
    assert server.requests[-1]["path"] == "/v1beta/models?key=***"


@pytest.mark.parametrize(
    "headers",
    [{"x-goog-api-key": KEY}, {"Authorization": f"Bearer {KEY}"}, {"Authorization": KEY}],
)
def test_comet_accepts_its_three_key_spellings(headers: dict[str, str]) -> None:
    with FakeGemini(mode="comet", api_key=KEY) as srv, client(srv, **headers) as http:
        assert generate(http, body()).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer sk-wrong"}])
def test_comet_refuses_in_its_own_envelope(headers: dict[str, str]) -> None:
    with (
        FakeGemini(mode="comet", api_key=KEY) as srv,
        httpx.Client(base_url=srv.base_url, headers=headers) as http,
    ):
        answer = generate(http, body())
        not_found = http.get("/v1/nowhere")
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == ""
    assert error["type"] == "comet_api_error"
    assert "(request id: " in error["message"]
    assert not_found.status_code == 404
    assert not_found.json()["error"]["type"] == "comet_api_error"


def test_a_success_has_a_text_part_then_a_png_and_usage(server: FakeGemini) -> None:
    prompt = "Mara climbs the spiral stairs at dusk. Wide shot."
    reference = tiny_png()
    with client(server) as http:
        answer = generate(http, body(prompt, {"text": "Image 1: Mara"}, image(reference)))
    assert answer.status_code == 200
    assert answer.text.startswith('{\n  "candidates"')  # pretty-printed like the service
    payload = answer.json()
    candidate = payload["candidates"][0]
    assert candidate["finishReason"] == "STOP"
    assert candidate["index"] == 0
    text, picture = parts_of(payload)
    assert text["text"]
    assert picture["inlineData"]["mimeType"] == "image/png"
    data = decoded(picture)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert png_size(data) == (1024, 1024)
    usage = payload["usageMetadata"]
    full_text = f"{prompt}\nImage 1: Mara"
    assert usage["promptTokenCount"] == len(full_text) // 4 + 258
    assert usage["candidatesTokenCount"] == 1290 + max(1, len(text["text"]) // 4)
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"]
    assert usage["candidatesTokensDetails"] == [{"modality": "IMAGE", "tokenCount": 1290}]
    assert payload["modelVersion"] == MODEL
    assert payload["responseId"]


def test_image_only_modality_returns_the_image_alone_at_the_asked_ratio(server: FakeGemini) -> None:
    config = {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "16:9"}}
    with client(server) as http:
        parts = parts_of(generate(http, body(**config)).json())
    assert len(parts) == 1
    assert png_size(decoded(parts[0])) == (1344, 768)


def test_gemini3_answers_a_signed_jpeg_labelled_jpeg_at_the_asked_size(server: FakeGemini) -> None:
    config = {"imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"},
              "thinkingConfig": {"thinkingLevel": "minimal"}}  # fmt: skip
    with client(server) as http:
        payload = generate(http, body(**config), model=G3).json()
    text, picture = parts_of(payload)
    assert picture["inlineData"]["mimeType"] == "image/jpeg"
    assert decoded(picture).startswith(b"\xff\xd8\xff")
    assert jpeg_size(decoded(picture)) == (2752, 1536)
    assert picture["thoughtSignature"]
    assert text["thoughtSignature"]
    assert payload["usageMetadata"]["candidatesTokensDetails"][0]["tokenCount"] == 1680


def test_the_log_records_each_request_with_keys_redacted(tmp_path: Path) -> None:
    log_path = tmp_path / "requests.jsonl"
    reference = tiny_png()
    with FakeGemini(api_key=KEY, log_path=log_path) as srv, client(srv) as http:
        generate(http, body("Mara waves.", {"text": "Image 1: Mara"}, image(reference)))
        http.get("/v1beta/models", params={"key": KEY})
        records = srv.requests
    first = records[0]
    assert first["method"] == "POST"
    assert first["route"] == "generateContent"
    assert first["model"] == MODEL
    assert first["status"] == 200
    assert first["fault"] is None
    assert first["stream"] is False
    assert first["headers"]["x-goog-api-key"] == "***"
    assert first["images"] == [hashlib.sha256(reference).hexdigest()]
    assert first["text"] == "Mara waves.\nImage 1: Mara"
    blob = first["body"]["contents"][0]["parts"][2]["inlineData"]["data"]
    assert blob == {"sha256": hashlib.sha256(reference).hexdigest(), "bytes": len(reference)}
    assert first["t"] <= first["t_done"]
    assert records[1]["route"] == "listModels"
    written = log_path.read_text()
    assert [json.loads(line) for line in written.splitlines()] == records
    assert KEY not in written
    assert KEY not in json.dumps(records)


def test_a_wrong_key_is_kept_out_of_the_log_too(server: FakeGemini) -> None:
    with client(server, Authorization="Bearer some-other-secret") as http:
        http.get("/v1beta/models", params={"note": "some-other-secret"})
    assert "some-other-secret" not in json.dumps(server.requests)


def test_latency_delays_every_generate_answer() -> None:
    with FakeGemini(api_key=KEY, faults=Faults(latency_s=0.2)) as srv, client(srv) as http:
        srv.enqueue("503")
        generate(http, body())
        generate(http, body())
    for record in srv.requests:
        assert record["t_done"] - record["t"] >= 0.2


def test_two_threads_are_served_at_once() -> None:
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def call(srv: FakeGemini) -> None:
        with client(srv) as http:
            barrier.wait()
            statuses.append(generate(http, body()).status_code)

    with FakeGemini(api_key=KEY, faults=Faults(latency_s=0.3)) as srv:
        threads = [threading.Thread(target=call, args=(srv,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        records = srv.requests
    assert statuses == [200, 200]
    # Each answer was still pending when the other request arrived.
    assert max(r["t"] for r in records) < min(r["t_done"] for r in records)


def test_connections_are_kept_alive(server: FakeGemini) -> None:
    connection = http.client.HTTPConnection(server.base_url.removeprefix("http://"), timeout=10)
    sockets = []
    try:
        for _ in range(2):
            connection.request("GET", "/v1beta/models", headers={"x-goog-api-key": KEY})
            answer = connection.getresponse()
            assert answer.status == 200
            assert int(answer.headers["Content-Length"]) == len(answer.read())
            sockets.append(connection.sock)
    finally:
        connection.close()
    assert sockets[0] is not None
    assert sockets[0] is sockets[1]
