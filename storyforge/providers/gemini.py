"""The Gemini API provider: generateContent over HTTP, with retries, streaming and the Files API."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import replace
from typing import ClassVar

import httpx

from storyforge.capabilities import MODELS, model_info
from storyforge.errors import FatalProviderError, ProviderError
from storyforge.providers.apierror import ApiError, error_payload, from_payload, parse_error
from storyforge.providers.base import GenerateRequest, ModelListing, Outcome, ProviderOptions
from storyforge.providers.checks import check_base_url, clean_key
from storyforge.providers.decoded import checked
from storyforge.providers.files import UploadCache
from storyforge.providers.pacing import NoPacer, Pacer
from storyforge.providers.pricing import cost_usd
from storyforge.providers.retry import Backoff, Verdict, judge, with_retries
from storyforge.providers.sse import iter_events, merge_events
from storyforge.providers.transport import Http, make_client
from storyforge.providers.wire import FileRef, build_body, choose_uploads, classify, mime_of

GEMINI_BASE_URL = "https://generativelanguage.googleapis.com"
# PROTOCOL.md §6: keep requests under the historical 20 MB inline limit.
INLINE_BUDGET = 20_000_000
# Attempts of one call that may end at the request deadline before the call fails.
MAX_DEADLINES = 2
_JSON = {"Content-Type": "application/json"}


class GeminiProvider:
    """Google's Gemini API, key in `x-goog-api-key` (never an Authorization header, §1)."""

    name: ClassVar[str] = "gemini"
    key_env_var: ClassVar[str | None] = "GEMINI_API_KEY"
    supports_streaming: ClassVar[bool] = True
    default_base_url: ClassVar[str] = GEMINI_BASE_URL
    streams_by_default: ClassVar[bool] = False

    def __init__(
        self,
        options: ProviderOptions | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        inline_budget: int = INLINE_BUDGET,
        rng: random.Random | None = None,
    ) -> None:
        self.options = options = options or ProviderOptions()
        raw = options.api_key.get_secret_value() if options.api_key else ""
        key = clean_key(raw, self.key_env_var or "the API key")
        base_url = check_base_url(options.base_url or self.default_base_url, "the base URL")
        self._owns_client = client is None
        self.http = Http(
            client or make_client(options),
            base_url,
            self.auth_headers(key),
            tuple(dict.fromkeys(s for s in (key, raw) if s)),
            debug=options.debug_http,
            deadline_s=options.timeout_s,
        )
        self.stream = self.streams_by_default if options.stream is None else options.stream
        self.inline_budget = inline_budget
        self.uploads = UploadCache()
        self.backoff = Backoff(
            options.backoff_initial_s, options.backoff_max_s, rng or random.Random()
        )
        self.pacer: Pacer = NoPacer()

    def use_pacer(self, pacer: Pacer) -> None:
        """Pace every generate attempt through `pacer` (the build's adaptive limiter)."""
        self.pacer = pacer

    @classmethod
    def auth_headers(cls, key: str) -> dict[str, str]:
        """The headers that carry the key."""
        return {"x-goog-api-key": key} if key else {}

    async def aclose(self) -> None:
        """Close the HTTP client if this provider made it."""
        if self._owns_client:
            await self.http.client.aclose()

    async def generate(self, request: GenerateRequest) -> Outcome:
        """Make one call (with retries) and classify what came back; never raises for errors."""
        call = _Call(self, request)
        outcome = await with_retries(
            call.attempt, call.decide, max_attempts=self.options.max_attempts, backoff=self.backoff
        )
        cost = cost_usd(outcome.usage, request.model, request.image_size, len(outcome.images))
        return replace(outcome, cost_usd=cost)

    async def list_models(self) -> list[ModelListing]:
        """The image models the key can call: ids with "image" in them or in the table."""
        listings: list[ModelListing] = []
        token = ""
        for _ in range(50):  # pages; a guard against a server that never stops paging
            query = "pageSize=1000" + (f"&pageToken={token}" if token else "")
            response = await self.http.send("GET", self.http.url(f"/v1beta/models?{query}"))
            if response.status_code != 200:
                raise self._listing_error(response)
            try:
                data = response.json()
                models, token = data.get("models") or [], str(data.get("nextPageToken") or "")
            except (ValueError, AttributeError):
                raise ProviderError("the model list could not be read", status=200) from None
            listings += [_listing(m) for m in models if _is_image_model(m)]
            if not token:
                break
        return listings

    def _listing_error(self, response: httpx.Response) -> ProviderError:
        error = parse_error(
            response.status_code, response.content, response.headers, self.http.secrets
        )
        verdict = judge(error, key_env_var=self.key_env_var or "", model="")
        if verdict.fatal and error.status != 404:
            return FatalProviderError(verdict.reason, status=error.status)
        return ProviderError(error.one_line(), status=error.status, retryable=error.retryable)

    async def post(self, model: str, body: bytes) -> Outcome:
        """One HTTP attempt: an Outcome for a readable 200, ApiError for anything else.

        A malformed 200 is a failed Outcome, not a retry: the model has run and is likely
        billed, and what garbles a body (a proxy, a truncating gateway) tends to garble the
        next one the same way.
        """
        path = f"/v1beta/models/{model.removeprefix('models/')}"
        if self.stream:
            return await self._post_stream(
                self.http.url(f"{path}:streamGenerateContent?alt=sse"), body
            )
        url = self.http.url(f"{path}:generateContent")
        response = await self.http.send("POST", url, content=body, headers=_JSON)
        self._raise_for_status(response)
        try:
            data = json.loads(response.content)
        except ValueError:
            return _malformed("the body is not JSON")
        if (error := error_payload(data)) is not None:
            raise from_payload(error, self.http.secrets, status=200)
        if isinstance(data, list):  # streamGenerateContent without alt=sse: an array of events
            data = merge_events(e for e in data if isinstance(e, dict))
        return await checked(classify(data))

    async def _post_stream(self, url: str, body: bytes) -> Outcome:
        events = []
        async with self.http.stream("POST", url, content=body, headers=_JSON) as response:
            if response.status_code != 200:
                await response.aread()
            self._raise_for_status(response)
            async for data in iter_events(response.aiter_bytes()):
                try:
                    event = json.loads(data)
                except ValueError:
                    return _malformed("an event is not JSON")
                if (error := error_payload(event)) is not None:
                    raise from_payload(error, self.http.secrets, status=200)
                events.append(event)
        return await checked(classify(merge_events(e for e in events if isinstance(e, dict))))

    def _raise_for_status(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            raise parse_error(
                response.status_code, response.content, response.headers, self.http.secrets
            )

    async def available_models(self) -> str:
        """A short list of callable image model ids for error messages ("" if unavailable)."""
        try:
            ids = [m.id for m in await self.list_models()]
        except ProviderError:
            return ""
        return ", ".join(ids[:8]) + (", …" if len(ids) > 8 else "")


class _Call:
    """One generate call across its attempts: the uploads it used and its one re-upload."""

    def __init__(self, provider: GeminiProvider, request: GenerateRequest) -> None:
        self.provider = provider
        self.request = request
        self.uploaded: list[str] = []
        self.reuploaded = False
        self.deadlines = 0  # attempts that ran out of time

    async def attempt(self) -> Outcome:
        files = await self._files()
        body = json.dumps(build_body(self.request, files), separators=(",", ":")).encode()
        pacer = self.provider.pacer
        ticket = await pacer.acquire()
        try:
            outcome = await self.provider.post(self.request.model, body)
        except ApiError as error:
            quota = error.status == 429 and error.retryable
            pacer.release(ticket, "quota" if quota else "other", error.retry_delay_s)
            raise
        except BaseException:
            pacer.release(ticket, "other", None)
            raise
        pacer.release(ticket, "ok", None)
        return outcome

    async def _files(self) -> list[FileRef | None] | None:
        chosen = choose_uploads(self.request, self.provider.inline_budget)
        if not chosen:
            return None
        refs: list[FileRef | None] = [None] * len(self.request.images)
        self.uploaded = []
        for index in sorted(chosen):
            image = self.request.images[index]
            name = f"{self.request.label or 'storyforge'}-{index + 1}"
            file = await self.provider.uploads.fetch(
                self.provider.http, image.data, mime_of(image), name
            )
            refs[index] = FileRef(file.uri, mime_of(image))
            self.uploaded.append(hashlib.sha256(image.data).hexdigest())
        return refs

    async def decide(self, error: ApiError) -> Verdict:
        self.deadlines += error.deadline
        if self.deadlines >= MAX_DEADLINES:
            # A server silent for the whole deadline twice will not answer a third time;
            # five such attempts would hold the build for a quarter of an hour.
            return Verdict("fail", f"{error.one_line()}, twice: the server does not answer")
        if error.status == 403 and self.uploaded and not self.reuploaded:
            # An uploaded file expired or was deleted (§6): upload it again, once.
            for sha256 in self.uploaded:
                self.provider.uploads.forget(sha256)
            self.reuploaded = True
            return Verdict("again")
        verdict = judge(
            error, key_env_var=self.provider.key_env_var or "", model=self.request.model
        )
        if error.status == 404 and (available := await self.provider.available_models()):
            verdict = replace(verdict, reason=f"{verdict.reason}; available: {available}")
        return verdict


def _malformed(why: str) -> Outcome:
    return Outcome("failed", reason=f"malformed response: {why}")


def _is_image_model(model: object) -> bool:
    if not isinstance(model, dict):
        return False
    model_id = str(model.get("name", "")).removeprefix("models/")
    return "image" in model_id or model_id in MODELS


def _listing(model: dict[str, object]) -> ModelListing:
    model_id = str(model.get("name", "")).removeprefix("models/")
    info = model_info(model_id)
    return ModelListing(
        model_id, str(model.get("displayName", "")), info.notes if info.known else ""
    )
