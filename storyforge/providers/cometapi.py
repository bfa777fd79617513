"""The CometAPI provider: Gemini's wire format through CometAPI, with a Bearer key."""

from __future__ import annotations

from typing import ClassVar

from storyforge.providers.gemini import GeminiProvider

COMETAPI_BASE_URL = "https://api.cometapi.com"


class CometApiProvider(GeminiProvider):
    """CometAPI's Gemini-compatible routes; streams by default, reads both error envelopes."""

    name: ClassVar[str] = "cometapi"
    key_env_var: ClassVar[str | None] = "COMETAPI_KEY"
    default_base_url: ClassVar[str] = COMETAPI_BASE_URL
    streams_by_default: ClassVar[bool] = True

    @classmethod
    def auth_headers(cls, key: str) -> dict[str, str]:
        """CometAPI takes the key as a Bearer token (no `x-goog-api-key`)."""
        return {"Authorization": f"Bearer {key}"} if key else {}
