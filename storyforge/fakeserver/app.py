"""The fake service behind the sockets: route a request, check it, pick its fault, answer, log."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from storyforge.fakeserver import auth, catalog, file_routes, generate
from storyforge.fakeserver.auth import Mode
from storyforge.fakeserver.envelopes import comet_error, html_answer
from storyforge.fakeserver.exchange import JSON_TYPE, Answer, ApiError, Incoming, json_answer
from storyforge.fakeserver.faults import FaultPicker, Faults
from storyforge.fakeserver.files import FileStore
from storyforge.fakeserver.log import RequestLog, body_for_log, redact_headers, redact_target
from storyforge.fakeserver.validate import parse_call

GENERATE_ROUTES = frozenset({"generateContent", "streamGenerateContent"})
_ROUTES = tuple(
    (method, re.compile(pattern), name)
    for method, pattern, name in (
        ("POST", r"/v1beta/models/(?P<arg>[^/:]+):(?P<name>generateContent|streamGenerateContent)",
         ""),
        ("GET", r"/v1beta/models", "listModels"),
        ("GET", r"/v1beta/models/(?P<arg>[^/:]+)", "getModel"),
        ("POST", r"/upload/v1beta/files", "upload"),
        ("GET", r"/v1beta/files", "listFiles"),
        ("GET", r"/v1beta/files/(?P<arg>[^/]+)", "getFile"),
        ("DELETE", r"/v1beta/files/(?P<arg>[^/]+)", "deleteFile"),
    )
)  # fmt: skip


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
        self, *, mode: Mode, api_key: str, faults: Faults, log_path: Path | None, file_ttl_s: float
    ) -> None:
        self.mode = mode
        self.api_key = api_key
        self.faults = faults
        self.picker = FaultPicker(faults)
        self.files = FileStore(file_ttl_s)
        self.log = RequestLog(log_path, api_key)
        self.base_url = ""

    def handle(self, request: Incoming) -> tuple[Answer, Notes]:
        """Answer one request; errors become answers, never exceptions."""
        route, arg = _match(request)
        notes = Notes(route, arg if route in GENERATE_ROUTES or route == "getModel" else None)
        try:
            answer, notes = self._dispatch(request, route, arg, notes)
        except ApiError as error:
            answer = error.answer
        if route == "streamGenerateContent" and request.query.get("alt") != "sse":
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
        if notes.route in GENERATE_ROUTES and self.faults.latency_s > 0:
            # Latency is the service's response time: counted from the request's arrival,
            # the server's own work included, as a client of the real service sees it.
            time.sleep(max(0.0, self.faults.latency_s - (time.time() - arrived)))
        entry["t_done"] = time.time()
        self.log.keep(entry)

    def _dispatch(
        self, request: Incoming, route: str, arg: str, notes: Notes
    ) -> tuple[Answer, Notes]:
        if route == "unknown":
            return self._not_found(request), notes
        auth.check(self.mode, self.api_key, request.headers, request.query)
        if route in GENERATE_ROUTES:
            return self._generate(request, route, arg, notes)
        if route == "upload":
            return file_routes.upload(self.files, request, self.base_url), notes
        answers: dict[str, Callable[[], Answer]] = {
            "listModels": catalog.list_models,
            "getModel": lambda: catalog.get_model(arg),
            "listFiles": lambda: file_routes.list_files(self.files, self.base_url),
            "getFile": lambda: file_routes.get_file(self.files, arg, self.base_url),
            "deleteFile": lambda: file_routes.delete_file(self.files, arg),
        }
        return answers[route](), notes

    def _generate(
        self, request: Incoming, route: str, model: str, notes: Notes
    ) -> tuple[Answer, Notes]:
        call = parse_call(request.body, model, lambda file_id: self.files.get(file_id).data)
        fault = self.picker.pick(call.text)
        notes = replace(
            notes,
            fault=fault,
            images=tuple(hashlib.sha256(data).hexdigest() for _, data in call.images),
            text=call.text,
        )
        kind: generate.Kind = "unary"
        if route == "streamGenerateContent":
            kind = "sse" if request.query.get("alt") == "sse" else "array"
        options = generate.Options(self.faults.retry_delay_s, self.base_url)
        return generate.answer(call, fault, kind, options), notes

    def _not_found(self, request: Incoming) -> Answer:
        if self.mode == "comet":
            return comet_error(404, f"Invalid URL ({request.method} {request.path})").answer
        text = f"The requested URL <code>{request.path}</code> was not found on this server."
        return html_answer(404, "Not Found", text)


def _match(request: Incoming) -> tuple[str, str]:
    for method, pattern, name in _ROUTES:
        found = pattern.fullmatch(request.path)
        if found and request.method == method:
            groups = found.groupdict()
            return name or groups["name"], groups.get("arg") or ""
    return "unknown", ""


def _array_wrapped(answer: Answer) -> Answer:
    # Without alt=sse the stream endpoint answers one JSON array, its errors included.
    if answer.status < 400 or answer.content_type != JSON_TYPE:
        return answer
    return json_answer([json.loads(answer.body)], answer.status, answer.headers)
