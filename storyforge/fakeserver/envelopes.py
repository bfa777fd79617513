"""Error answers in Google's envelope (google.rpc.Status), CometAPI's, and HTML error pages."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from typing import Any

from storyforge.fakeserver.exchange import HTML_TYPE, Answer, ApiError, json_answer

_TYPE_PREFIX = "type.googleapis.com/google.rpc."
SERVICE = "generativelanguage.googleapis.com"
RETRY_MESSAGE = (
    "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting"
)


def detail(type_name: str, **fields: Any) -> dict[str, Any]:
    """One `details` entry of a google.rpc.Status, such as RetryInfo or QuotaFailure."""
    return {"@type": _TYPE_PREFIX + type_name, **fields}


def google_error(
    code: int, status: str, message: str, details: Sequence[dict[str, Any]] = ()
) -> ApiError:
    """An error in Google's envelope: {"error": {code, message, status, details?}}."""
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = list(details)
    return ApiError(json_answer({"error": error}, code))


def invalid_argument(message: str, *details: dict[str, Any]) -> ApiError:
    """A 400 INVALID_ARGUMENT with `message`."""
    return google_error(400, "INVALID_ARGUMENT", message, details)


def field_error(path: str, message: str) -> ApiError:
    """A 400 naming one request field, worded like the service's own field checks."""
    return invalid_argument(f"* GenerateContentRequest.{path}: {message}\n")


def comet_error(code: int, message: str) -> ApiError:
    """An error in CometAPI's OpenAI-style envelope, the request id inside the message."""
    request_id = time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(8)
    error = {
        "code": "",
        "message": f"{message} (request id: {request_id})",
        "type": "comet_api_error",
    }
    return ApiError(json_answer({"error": error}, code))


def html_answer(
    status: int, title: str, text: str, headers: Sequence[tuple[str, str]] = ()
) -> Answer:
    """An HTML page like those Google's front end sends for errors outside the API."""
    page = (
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
        f"  <title>Error {status} ({title})!!1</title>\n"
        f"  <p><b>{status}.</b> <ins>That's an error.</ins>\n  <p>{text}\n"
        "  <ins>That's all we know.</ins>\n"
    )
    return Answer(status, page.encode(), HTML_TYPE, tuple(headers))


def model_not_found(model: str, version: str = "v1beta") -> ApiError:
    """The 404 of an unknown or retired model id, worded for the API version called."""
    return google_error(
        404,
        "NOT_FOUND",
        f"models/{model} is not found for API version {version}, or is not supported for "
        "generateContent. Call ListModels to see the list of available models and their "
        "supported methods.",
    )


def file_not_found(file_id: str) -> ApiError:
    """The 403 of an unknown, deleted or expired file."""
    return google_error(
        403,
        "PERMISSION_DENIED",
        f"You do not have permission to access the File {file_id} or it may not exist.",
    )
