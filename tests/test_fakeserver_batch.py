"""The fake server's Batch API: create from JSONL or inline, states, rows, cancel, expiry."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from storyforge.fakeserver import BatchSettings, FakeGemini, Faults
from tests.fakeserver_support import KEY, MODEL, body, client, error_of

TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED"}


@pytest.fixture
def server() -> Iterator[FakeGemini]:
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=0.3)) as srv:
        yield srv


def _rows(count: int, word: str = "panel") -> bytes:
    lines = [
        json.dumps({"key": f"row-{n}", "request": body(f"A {word} number {n}.")})
        for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def upload(http: httpx.Client, data: bytes) -> str:
    start = http.post(
        "/upload/v1beta/files",
        headers={
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": str(len(data)),
            "X-Goog-Upload-Header-Content-Type": "application/jsonl",
        },
        json={"file": {"display_name": "rows"}},
    )
    finish = http.post(
        start.headers["x-goog-upload-url"],
        content=data,
        headers={"X-Goog-Upload-Offset": "0", "X-Goog-Upload-Command": "upload, finalize"},
    )
    name: str = finish.json()["file"]["name"]
    return name


def create(http: httpx.Client, file_name: str, display: str = "sf-test") -> httpx.Response:
    batch = {"displayName": display, "inputConfig": {"fileName": file_name}}
    return http.post(f"/v1beta/models/{MODEL}:batchGenerateContent", json={"batch": batch})


def wait_done(http: httpx.Client, name: str) -> dict[str, Any]:
    for _ in range(200):
        operation: dict[str, Any] = http.get(f"/v1beta/{name}").json()
        if operation["metadata"]["state"].split("_STATE_")[1] in TERMINAL:
            return operation
        time.sleep(0.05)
    raise AssertionError("the job never ended")


def results(http: httpx.Client, operation: dict[str, Any]) -> list[dict[str, Any]]:
    file = operation["response"]["responsesFile"]
    answer = http.get(f"/download/v1beta/{file}:download", params={"alt": "media"})
    assert answer.status_code == 200
    return [json.loads(line) for line in answer.text.splitlines()]


def test_a_file_job_runs_pending_to_succeeded_with_the_real_shapes(server: FakeGemini) -> None:
    with client(server) as http:
        made = create(http, upload(http, _rows(3)))
        assert made.status_code == 200
        operation = made.json()
        meta = operation["metadata"]
        assert operation["name"].startswith("batches/") and len(operation["name"]) == 44
        assert "done" not in operation
        assert meta["state"] == "BATCH_STATE_PENDING"
        assert meta["displayName"] == "sf-test" and meta["model"] == f"models/{MODEL}"
        assert meta["batchStats"] == {"requestCount": "3", "pendingRequestCount": "3"}
        done = wait_done(http, operation["name"])
        assert done["done"] is True and done["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"
        file = done["response"]["responsesFile"]
        assert (
            file
            == done["metadata"]["output"]["responsesFile"]
            == "files/batch-" + (operation["name"].removeprefix("batches/"))
        )
        assert done["metadata"]["batchStats"] == {
            "requestCount": "3",
            "successfulRequestCount": "3",
        }
        lines = results(http, done)
    assert [line["key"] for line in lines] == ["row-0", "row-1", "row-2"]
    part = lines[0]["response"]["candidates"][0]["content"]["parts"][-1]
    assert base64.b64decode(part["inlineData"]["data"]).startswith(b"\x89PNG")


def test_a_succeeded_job_can_hold_failed_and_blocked_rows() -> None:
    settings = BatchSettings(run_s=0.1, row_error_every=2)
    faults = Faults(block_word="forbidden")
    with FakeGemini(api_key=KEY, batch=settings, faults=faults) as srv, client(srv) as http:
        rows = _rows(3) + _rows(1, "forbidden").replace(b"row-0", b"row-x")
        done = wait_done(http, create(http, upload(http, rows)).json()["name"])
        lines = {line["key"]: line for line in results(http, done)}
    assert done["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"
    assert done["metadata"]["batchStats"]["failedRequestCount"] == "2"
    assert lines["row-1"]["error"] == {"code": 13, "message": "Internal error encountered."}
    assert lines["row-x"]["error"]["code"] == 13  # the fourth row: every second fails
    assert "response" in lines["row-0"] and "response" in lines["row-2"]


def test_a_blocked_row_is_a_response_without_an_image() -> None:
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=0.1),
                    faults=Faults(block_word="forbidden")) as srv, client(srv) as http:  # fmt: skip
        done = wait_done(http, create(http, upload(http, _rows(1, "forbidden"))).json()["name"])
        (line,) = results(http, done)
    assert line["response"]["candidates"][0]["finishReason"] == "IMAGE_SAFETY"


def test_the_sdk_spelling_of_states_can_be_asked_for() -> None:
    settings = BatchSettings(run_s=0.1, state_style="JOB")
    with FakeGemini(api_key=KEY, batch=settings) as srv, client(srv) as http:
        made = create(http, upload(http, _rows(1))).json()
        done = wait_done(http, made["name"])
    assert made["metadata"]["state"] == "JOB_STATE_PENDING"
    assert done["metadata"]["state"] == "JOB_STATE_SUCCEEDED"


def test_one_malformed_line_rejects_the_whole_create(server: FakeGemini) -> None:
    with client(server) as http:
        answer = create(http, upload(http, _rows(2) + b"{not json\n"))
        listed = http.get("/v1beta/batches").json()
    assert answer.status_code == 400 and error_of(answer)["status"] == "INVALID_ARGUMENT"
    assert listed == {} and server.batches_created == 0


def test_an_unknown_input_file_and_model_are_refused(server: FakeGemini) -> None:
    with client(server) as http:
        missing = create(http, "files/doesnotexist")
        batch = {"displayName": "x", "inputConfig": {"fileName": upload(http, _rows(1))}}
        unknown = http.post("/v1beta/models/imagen-9:batchGenerateContent", json={"batch": batch})
    assert missing.status_code == 403
    assert unknown.status_code == 404


def test_inline_requests_answer_inline_responses_twice(server: FakeGemini) -> None:
    batch = {
        "display_name": "inline",
        "input_config": {
            "requests": {"requests": [{"request": body("Inline."), "metadata": {"key": "k1"}}]}
        },
    }
    with client(server) as http:
        made = http.post(f"/v1beta/models/{MODEL}:batchGenerateContent", json={"batch": batch})
        done = wait_done(http, made.json()["name"])
    inlined = done["response"]["inlinedResponses"]["inlinedResponses"]
    assert inlined == done["metadata"]["output"]["inlinedResponses"]["inlinedResponses"]
    assert inlined[0]["metadata"] == {"key": "k1"} and "response" in inlined[0]


def test_list_pages_and_finds_the_display_name(server: FakeGemini) -> None:
    with client(server) as http:
        file = upload(http, _rows(1))
        for n in range(3):
            create(http, file, f"job-{n}")
        first = http.get("/v1beta/batches", params={"pageSize": 2}).json()
        second = http.get(
            "/v1beta/batches", params={"pageSize": 2, "pageToken": first["nextPageToken"]}
        ).json()
    names = [o["metadata"]["displayName"] for o in first["operations"] + second["operations"]]
    assert sorted(names) == ["job-0", "job-1", "job-2"]
    assert "nextPageToken" not in second


def test_cancel_ends_the_job_cancelled_with_code_13() -> None:
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=30)) as srv, client(srv) as http:
        name = create(http, upload(http, _rows(1))).json()["name"]
        assert http.post(f"/v1beta/{name}:cancel").json() == {}
        done = http.get(f"/v1beta/{name}").json()
        again = http.post(f"/v1beta/{name}:cancel")
    assert done["done"] is True and done["metadata"]["state"] == "BATCH_STATE_CANCELLED"
    assert done["error"]["code"] == 13 and "response" not in done
    assert again.status_code == 400


def test_delete_drops_the_job_and_its_output(server: FakeGemini) -> None:
    with client(server) as http:
        done = wait_done(http, create(http, upload(http, _rows(1))).json()["name"])
        file = done["response"]["responsesFile"]
        assert http.delete(f"/v1beta/{done['name']}").json() == {}
        gone = http.get(f"/v1beta/{done['name']}")
        download = http.get(f"/download/v1beta/{file}:download", params={"alt": "media"})
    assert gone.status_code == 404 and download.status_code == 404


def test_expiry_ends_jobs_without_results() -> None:
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=30)) as srv, client(srv) as http:
        name = create(http, upload(http, _rows(1))).json()["name"]
        srv.expire_batches()
        done = http.get(f"/v1beta/{name}").json()
    assert done["metadata"]["state"] == "BATCH_STATE_EXPIRED"
    assert "response" not in done and "48 hours" in done["error"]["message"]


@pytest.mark.parametrize("fault", ["fail", "expire"])
def test_job_faults_end_the_job_as_asked(fault: str) -> None:
    with FakeGemini(api_key=KEY, batch=BatchSettings(run_s=0.1)) as srv, client(srv) as http:
        srv.enqueue_batch(fault)
        done = wait_done(http, create(http, upload(http, _rows(1))).json()["name"])
    assert done["metadata"]["state"] == {"fail": "BATCH_STATE_FAILED",
                                         "expire": "BATCH_STATE_EXPIRED"}[fault]  # fmt: skip


def test_an_ambiguous_create_still_makes_the_job(server: FakeGemini) -> None:
    server.enqueue_batch("drop-after-create", "503-after-create", "429-create")
    with client(server) as http:
        file = upload(http, _rows(1))
        with pytest.raises(httpx.HTTPError):
            create(http, file, "dropped")
        unavailable = create(http, file, "unavailable")
        refused = create(http, file, "refused")
        listed = http.get("/v1beta/batches").json()["operations"]
    assert unavailable.status_code == 503 and refused.status_code == 429
    names = {o["metadata"]["displayName"] for o in listed}
    assert names == {"dropped", "unavailable"} and server.batches_created == 2


def test_uploaded_files_cannot_be_downloaded(server: FakeGemini) -> None:
    with client(server) as http:
        file = upload(http, _rows(1))
        answer = http.get(f"/download/v1beta/{file}:download", params={"alt": "media"})
    assert answer.status_code == 400
