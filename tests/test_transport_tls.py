"""A plain-HTTP base URL gets no CA bundle; an HTTPS one gets the verifying context."""

from __future__ import annotations

import ssl

from storyforge.providers.base import ProviderOptions
from storyforge.providers.transport import make_client


def _context(base_url: str) -> ssl.SSLContext:
    client = make_client(ProviderOptions(base_url=base_url))
    context: ssl.SSLContext = client._transport._pool._ssl_context  # type: ignore[attr-defined]
    return context


def test_plain_http_loads_no_certificates() -> None:
    context = _context("http://127.0.0.1:8765")
    assert context.cert_store_stats()["x509_ca"] == 0
    assert context.verify_mode == ssl.CERT_REQUIRED  # never used, and it would trust nothing


def test_https_verifies_against_the_ca_bundle() -> None:
    context = _context("https://generativelanguage.googleapis.com")
    assert context.cert_store_stats()["x509_ca"] > 0
    assert context.check_hostname
