"""Debian's Chromium driven by Playwright, offline, with the flags a closed network needs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps trying Google's hosts, which a closed network
# refuses many times a second.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


# Per module, not per session: Playwright's sync API keeps an event loop running in this
# thread while it is open, and other modules' tests call asyncio.run here.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    exe = shutil.which("chromium") or CHROMIUM
    if not Path(exe).is_file():
        raise RuntimeError("chromium is not installed: run tools/setup-system.sh")
    # Playwright gives every launch a fresh, empty profile folder of its own.
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=exe, args=FLAGS)
        yield launched
        launched.close()


class Watched:
    """A page with its console errors, page errors and every URL it requested."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.outside: list[str] = []  # requests that tried to leave the allowed prefix
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)
        page.on("request", self._request)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)


def open_page(browser: Browser, allowed: str, *, javascript: bool = True) -> Watched:
    """A new page whose requests outside `allowed` (a URL prefix) are recorded and refused."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    watched = Watched(context.new_page())
    context.route("**/*", lambda route: _guard(route, allowed, watched))
    return watched


def _guard(route: Route, allowed: str, watched: Watched) -> None:
    if route.request.url.startswith(allowed):
        route.continue_()
    else:
        watched.outside.append(route.request.url)
        route.abort()
