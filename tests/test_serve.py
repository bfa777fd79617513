"""`storyforge serve` in headless Chromium: the viewer on loopback, rebuilt and reloaded on save."""

from __future__ import annotations

import hashlib
import io
import shutil
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from storyforge.build.progress import Progress
from storyforge.build.serve import ServeEvents, ServeOptions, StoryFilter, serve
from storyforge.build.serve_http import Live, ViewerServer
from storyforge.errors import UsageError

from .browser_support import Watched, browser, open_page

__all__ = ["browser"]

REFS = Path(__file__).resolve().parent.parent / "examples" / "lighthouse" / "refs"
STORY = """\
storyforge: 1.1
title: Served
aspect_ratio: "16:9"
templates: {panel: templates/panel.j2}
locations:
  cliff: {description: a basalt cliff, references: [refs/place.png]}
scenes:
  - id: one
    location: cliff
    continuity: none
    panels:
      - id: lamp
        prompt: a lamp on a table
      - id: gull
        prompt: a gull over the sea
        caption: The gull.
"""
TEMPLATE = "{{ prompt }}, drawn in pencil"


@dataclass
class Served:
    folder: Path
    url: str
    stop: threading.Event
    thread: threading.Thread

    @property
    def story(self) -> Path:
        return self.folder / "story.yaml"

    def sha(self, step: str) -> str:
        # What the server sends for the step's picture, hashed.
        with urllib.request.urlopen(f"{self.url}{step}.png", timeout=10) as answer:
            return hashlib.sha256(answer.read()).hexdigest()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    (tmp_path / "refs").mkdir()
    shutil.copyfile(REFS / "mara.png", tmp_path / "refs" / "place.png")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "panel.j2").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "story.yaml").write_text(STORY, encoding="utf-8")
    ready, urls, stop = threading.Event(), [], threading.Event()

    def started(url: str) -> None:
        urls.append(url)
        ready.set()

    options = ServeOptions(story=tmp_path / "story.yaml", port=0)
    thread = threading.Thread(
        target=serve,
        args=(options, Progress(io.StringIO(), live=False), ServeEvents(ready=started), stop),
        daemon=True,
    )
    thread.start()
    assert ready.wait(60), "serve did not start"
    yield Served(tmp_path, urls[0], stop, thread)
    stop.set()
    thread.join(30)
    assert not thread.is_alive()


def _open(browser: Browser, served: Served) -> Watched:
    watched = open_page(browser, served.url)
    watched.page.goto(served.url)
    expect(watched.page.locator("li.board")).to_have_count(2)
    # The pictures load after the page does (lazily): wait until both are decoded.
    watched.page.evaluate("Promise.all([...document.images].map(i => i.decode()))")
    return watched


def _shown_sha(watched: Watched, step: str) -> str:
    return watched.page.locator(f"#p-{step} img").get_attribute("data-sha") or ""


def _wait_for_new(watched: Watched, step: str, old: str) -> None:
    watched.page.wait_for_function(
        """([step, old]) => {
            const img = document.querySelector('#p-' + step + ' img');
            return img && img.dataset.sha !== old && img.complete && img.naturalWidth > 0;
        }""",
        arg=[step, old],
        timeout=20_000,
    )


def test_it_shows_every_board_from_the_loopback_server_only(
    browser: Browser, served: Served
) -> None:
    watched = _open(browser, served)
    assert served.url.startswith("http://127.0.0.1:")
    loaded = watched.page.evaluate("[...document.images].map(i => i.complete && i.naturalWidth)")
    assert len(loaded) == 2 and all(loaded)
    assert _shown_sha(watched, "lamp") == served.sha("lamp")
    assert watched.outside == [] and watched.errors == []


def test_an_edit_to_the_story_shows_the_new_sketch_within_two_seconds(
    browser: Browser, served: Served
) -> None:
    watched = _open(browser, served)
    old = _shown_sha(watched, "gull")
    text = served.story.read_text("utf-8").replace("a gull over the sea", "two gulls at dawn")
    started = time.monotonic()
    served.story.write_text(text, encoding="utf-8")
    _wait_for_new(watched, "gull", old)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"the new sketch took {elapsed:.2f} s"
    assert _shown_sha(watched, "gull") == served.sha("gull") != old
    assert _shown_sha(watched, "lamp") == served.sha("lamp")  # the other board as it was
    assert watched.outside == [] and watched.errors == []


def test_a_changed_reference_or_template_rebuilds_too(browser: Browser, served: Served) -> None:
    watched = _open(browser, served)
    old = _shown_sha(watched, "lamp")
    shutil.copyfile(REFS / "ink-sample.png", served.folder / "refs" / "place.png")
    _wait_for_new(watched, "lamp", old)
    old = _shown_sha(watched, "lamp")
    template = served.folder / "templates" / "panel.j2"
    template.write_text(TEMPLATE.replace("pencil", "charcoal"), encoding="utf-8")
    _wait_for_new(watched, "lamp", old)
    assert watched.errors == []


def test_a_broken_story_keeps_the_last_viewer_with_the_error_above(
    browser: Browser, served: Served
) -> None:
    watched = _open(browser, served)
    good = served.story.read_text("utf-8")
    served.story.write_text(good.replace("prompt: a lamp", "promt: a lamp"), encoding="utf-8")
    banner = watched.page.locator("#storyforge-error")
    expect(banner).to_contain_text("promt", timeout=20_000)
    expect(watched.page.locator("li.board")).to_have_count(2)
    served.story.write_text(good.replace("a lamp on a table", "a lamp on a shelf"), "utf-8")
    expect(banner).to_have_count(0, timeout=20_000)
    assert watched.errors == []


def test_what_builds_write_does_not_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "out"
    keep = StoryFilter(tmp_path, out)
    store = tmp_path / ".storyforge" / "objects" / "ab"
    for ignored in (out / "index.html", store, tmp_path / "story.lock",
                    tmp_path / ".story.yaml.swp", tmp_path / "x~"):  # fmt: skip
        assert not keep.keeps(str(ignored)), ignored
    for watched in (tmp_path / "story.yaml", tmp_path / "refs" / "a.png", tmp_path / "t.j2"):
        assert keep.keeps(str(watched)), watched


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_it_listens_on_loopback_only(tmp_path: Path, host: str) -> None:
    with pytest.raises(UsageError, match="loopback only"):
        ViewerServer(tmp_path, Live(), host=host, port=0)


def test_an_unknown_output_is_a_usage_error_before_anything_is_built(tmp_path: Path) -> None:
    options = ServeOptions(story=tmp_path / "story.yaml", outputs=("boards",), port=0)
    with pytest.raises(UsageError, match="unknown output 'boards'"):
        serve(options, Progress(io.StringIO(), live=False))
    assert not (tmp_path / "out").exists()
