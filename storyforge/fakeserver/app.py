"""The fake service behind the sockets: route a request, check it, pick its fault, answer, log."""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from storyforge.fakeserver import auth, batch_routes, catalog, file_routes, generate, tokens
from storyforge.fakeserver.auth import Mode
from storyforge.fakeserver.batches import BatchSettings, BatchStore
from storyforge.fakeserver.envelopes import comet_error, html_answer
from storyforge.fakeserver.exchange import JSON_TYPE, Answer, ApiError, Incoming, json_answer
from storyforge.fakeserver.fault_answers import rate_limited
from storyforge.fakeserver.faults import FaultPicker, Faults, Replay
from storyforge.fakeserver.files import FileStore
from storyforge.fakeserver.log import RequestLog, body_for_log, redact_headers, redact_target
from storyforge.fakeserver.quota import TokenBucket
from storyforge.fakeserver.validate import parse_call

GENERATE_ROUTES = frozenset({"generateContent", "streamGenerateContent"})
_VERSION = r"/(?P<version>v1beta|v1)"
_ROUTES = tuple(
    (method, re.compile(pattern), name)
    for method, pattern, name in (
        ("POST", _VERSION + r"/models/(?P<arg>[^/:]+):"
         r"(?P<name>generateContent|streamGenerateContent|countTokens|batchGenerateContent)", ""),
        ("GET", _VERSION + r"/models", "listModels"),
        ("GET", _VERSION + r"/models/(?P<arg>[^/:]+)", "getModel"),
        ("POST", r"/upload" + _VERSION + r"/files", "upload"),
        ("GET", _VERSION + r"/files", "listFiles"),
        ("GET", r"(?:/download)?" + _VERSION + r"/files/(?P<arg>[^/:]+):download", "download"),
        ("GET", _VERSION + r"/batches", "listBatches"),
        ("GET", _VERSION + r"/batches/(?P<arg>[^/:]+)", "getBatch"),
        ("POST", _VERSION + r"/batches/(?P<arg>[^/:]+):cancel", "cancelBatch"),
        ("DELETE", _VERSION + r"/batches/(?P<arg>[^/:]+)", "deleteBatch"),
        ("GET", _VERSION + r"/files/(?P<arg>[^/]+)", "getFile"),
        ("DELETE", _VERSION + r"/files/(?P<arg>[^/]+)", "deleteFile"),
    )
)  # fmt: skip
_MODEL_ROUTES = GENERATE_ROUTES | {"getModel", "countTokens", "batchGenerateContent"}
# Google's rpc codes for the HTTP statuses a batch row can fail with (BATCH.md §4.3).
_RPC_CODES = {400: 3, 403: 7, 404: 5, 429: 8, 500: 13, 503: 14, 504: 4}


@dataclass(frozen=True, slots=True)
class Route:
    """Which operation a request asks for, its path argument and the API version called."""

    name: str
    arg: str = ""
    version: str = "v1beta"


@dataclass(frozen=True, slots=True)
class Notes:
    """What the log records about a request beyond its HTTP lines."""

    route: str
    model: str | None = None
    fault: str | None = None
    images: tuple[str, ...] = ()  # sha256 of each input image, in order
    text: str = ""


class App:
    """Everything the fake service knows: its key, faults, files and the request log."""

    def __init__(
        self,
        *,
        mode: Mode,
        api_key: str,
        faults: Faults,
        log_path: Path | None,
        file_ttl_s: float,
        batch: BatchSettings | None = None,
        quota_rpm: float | None = None,
    ) -> None:
        self.mode = mode
        self.api_key = api_key
        self.faults = faults
        self.picker = FaultPicker(faults)
        self.files = FileStore(file_ttl_s)
        self.batches = BatchStore(batch or BatchSettings(), self._run_row)
        self.quota = TokenBucket(quota_rpm) if quota_rpm else None
        self.log = RequestLog(log_path, api_key)
        self.base_url = ""

    def handle(self, request: Incoming) -> tuple[Answer, Notes]:
        """Answer one request; errors become answers, never exceptions."""
        route = _match(request)
        notes = Notes(route.name, route.arg if route.name in _MODEL_ROUTES else None)
        try:
            answer, notes = self._dispatch(request, route, notes)
        except ApiError as error:
            answer = error.answer
        if route.name == "streamGenerateContent" and request.query.get("alt") != "sse":
            answer = _array_wrapped(answer)
        return answer, notes

    def record(self, request: Incoming, answer: Answer, notes: Notes, arrived: float) -> None:
        """Wait until the latency has passed since arrival, then log the request as answered.

        The record is built and scrubbed before the wait: when many answers wake at once,
        each then only has to be sent, so the server's own work does not queue behind
        one interpreter lock and pose as latency.
        """
        entry = self.log.scrub(
            {
                "t": arrived,
                "t_done": time.time(),
                "method": request.method,
                "path": redact_target(request.path, request.query),
                "model": notes.model,
                "route": notes.route,
                "status": None if answer.drop else answer.status,
                "fault": notes.fault,
                "stream": notes.route == "streamGenerateContent",
                "headers": redact_headers(request.headers),
                "body": body_for_log(request.body),
                "images": list(notes.images),
                "text": notes.text,
            },
            auth.presented_keys(request.headers, request.query),
        )
        if notes.route in GENERATE_ROUTES and self.faults.latency_s > 0 and notes.fault != "quota":
            # Latency is the service's response time: counted from the request's arrival,
            # the server's own work included, as a client of the real service sees it.
            time.sleep(max(0.0, self.faults.latency_s - (time.time() - arrived)))
        entry["t_done"] = time.time()
        self.log.keep(entry)

    def _dispatch(self, request: Incoming, route: Route, notes: Notes) -> tuple[Answer, Notes]:
        if route.name == "unknown":
            return self._not_found(request), notes
        # The resumable upload URL is its own credential: Google's clients send no key with
        # the chunks, only with the start.
        if route.name != "upload" or "upload_id" not in request.query:
            auth.check(self.mode, self.api_key, request.headers, request.query)
        if route.name in GENERATE_ROUTES:
            if (refused := self._over_quota(route.arg)) is not None:
                return refused, replace(notes, fault="quota")
            return self._generate(request, route, notes)
        arg, version = route.arg, route.version
        jobs = self.batches
        answers: dict[str, Callable[[], Answer]] = {
            "batchGenerateContent": lambda: batch_routes.create(
                jobs, self.files, request, arg, version
            ),
            "listBatches": lambda: batch_routes.list_jobs(jobs, request),
            "getBatch": lambda: batch_routes.get(jobs, arg),
            "cancelBatch": lambda: batch_routes.cancel(jobs, arg),
            "deleteBatch": lambda: batch_routes.delete(jobs, arg),
            "download": lambda: batch_routes.download(jobs, arg),
            "upload": lambda: file_routes.upload(self.files, request, self.base_url, version),
            "countTokens": lambda: tokens.count_tokens(request.body, arg, self._file_data, version),
            "listModels": catalog.list_models,
            "getModel": lambda: catalog.get_model(arg, version),
            "listFiles": lambda: file_routes.list_files(self.files, self.base_url),
            "getFile": lambda: file_routes.get_file(self.files, arg, self.base_url),
            "deleteFile": lambda: file_routes.delete_file(self.files, arg),
        }
        return answers[route.name](), notes

    def _file_data(self, file_id: str) -> bytes:
        return self.files.get(file_id).data

    def _over_quota(self, model: str) -> Answer | None:
        wait = self.quota.take() if self.quota else None
        if wait is None or self.quota is None:
            return None
        # Rounded up to the millisecond: a client that waits exactly this long finds a token.
        return rate_limited(model, math.ceil(wait * 1000) / 1000, int(self.quota.rpm)).answer

    def _run_row(self, model: str, request: dict[str, Any]) -> dict[str, Any]:
        """One batch row answered as a generate call would be: a response or an rpc Status."""
        try:
            call = parse_call(json.dumps(request).encode(), model, self._file_data)
            options = generate.Options(self.faults.retry_delay_s, self.base_url)
            answer = generate.answer(call, self.picker.words(call.text), "unary", options)
        except ApiError as error:
            answer = error.answer
        payload = json.loads(answer.body)
        if answer.status == 200:
            return {"response": payload}
        status = payload.get("error", {})
        code = _RPC_CODES.get(answer.status, 2)
        return {"error": {"code": code, "message": str(status.get("message", ""))}}

    def _generate(self, request: Incoming, route: Route, notes: Notes) -> tuple[Answer, Notes]:
        call = parse_call(request.body, route.arg, self._file_data, route.version)
        fault = self.picker.pick(call.text)
        notes = replace(
            notes,
            fault=fault if isinstance(fault, str) or fault is None else "replay",
            images=tuple(hashlib.sha256(data).hexdigest() for _, data in call.images),
            text=call.text,
        )
        kind: generate.Kind = "unary"
        if route.name == "streamGenerateContent":
            kind = "sse" if request.query.get("alt") == "sse" else "array"
        if isinstance(fault, Replay):
            return generate.replayed(fault, kind), notes
        options = generate.Options(self.faults.retry_delay_s, self.base_url, self.faults.drip_s)
        return generate.answer(call, fault, kind, options), notes

    def _not_found(self, request: Incoming) -> Answer:
        if self.mode == "comet":
            return comet_error(404, f"Invalid URL ({request.method} {request.path})").answer
        text = f"The requested URL <code>{request.path}</code> was not found on this server."
        return html_answer(404, "Not Found", text)


def _match(request: Incoming) -> Route:
    for method, pattern, name in _ROUTES:
        found = pattern.fullmatch(request.path)
        if found and request.method == method:
            groups = found.groupdict()
            return Route(name or groups["name"], groups.get("arg") or "", groups["version"])
    return Route("unknown")


def _array_wrapped(answer: Answer) -> Answer:
    # Without alt=sse the stream endpoint answers one JSON array, its errors included.
    if answer.status < 400 or answer.content_type != JSON_TYPE:
        return answer
    return json_answer([json.loads(answer.body)], answer.status, answer.headers)
