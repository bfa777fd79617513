"""The review viewer in Debian's headless Chromium: boards, keys, takes, offline, without JS."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from storyforge.outputs.viewer import render_viewer

from .board_support import BLOCKED, BOARD_IDS, BOARD_STORY, build_boards, image_paths
from .browser_support import Watched, browser, open_page

__all__ = ["browser"]

EAGER = "Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode(); }))"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = build_boards(tmp_path_factory.mktemp("viewer"), ("viewer",))
    assert report.exit_code == 1  # the blocked board
    return report.out


def _open(browser: Browser, out: Path, *, javascript: bool = True) -> Watched:
    folder = out.resolve().as_uri() + "/"
    watched = open_page(browser, folder, javascript=javascript)
    watched.page.goto(folder + "index.html")
    watched.page.wait_for_load_state("load")
    return watched


def _offline(watched: Watched, out: Path) -> None:
    folder = out.resolve().as_uri() + "/"
    assert watched.outside == []
    assert watched.requests and all(url.startswith(folder) for url in watched.requests)
    assert watched.errors == []


def test_it_renders_every_board_with_its_image(browser: Browser, out: Path) -> None:
    watched = _open(browser, out)
    page = watched.page
    assert page.locator("li.board").evaluate_all("els => els.map(e => e.dataset.step)") == list(
        BOARD_IDS
    )
    for step in BOARD_IDS:
        expect(page.locator(f"#p-{step}")).to_be_visible()
    # Lazy images below the fold load when asked to.
    page.evaluate(EAGER)
    loaded = page.evaluate("[...document.images].map(i => [i.alt, i.naturalWidth > 0])")
    assert all(ok for _, ok in loaded)
    boards = [alt for alt, _ in loaded if not alt.startswith("take ")]
    assert boards == [s for s in BOARD_IDS if s != BLOCKED]
    blocked = page.locator(f"#p-{BLOCKED} .empty")
    expect(blocked).to_contain_text("BLOCKED")
    expect(blocked).to_contain_text("IMAGE_SAFETY")
    _offline(watched, out)


def test_keys_move_through_the_boards(browser: Browser, out: Path) -> None:
    watched = _open(browser, out)
    page = watched.page
    dialog = page.locator("dialog#lightbox")
    page.keyboard.press("Enter")
    expect(dialog).to_have_attribute("data-step", "arrival")
    expect(dialog).to_have_attribute("open", "")
    for key, step in [("ArrowRight", "knock"), ("j", "lamp"), ("J", "boat"), ("k", "lamp"),
                      ("K", "knock"), ("ArrowLeft", "arrival"), ("ArrowLeft", "arrival"),
                      ("End", "jetty")]:  # fmt: skip
        page.keyboard.press(key)
        expect(dialog).to_have_attribute("data-step", step)
    expect(dialog.locator("img.shown")).to_have_attribute("src", image_paths(out)["jetty"][0])
    assert page.evaluate("location.hash") == "#p-jetty"
    page.keyboard.press("Escape")
    expect(page.locator("dialog[open]")).to_have_count(0)
    page.keyboard.press("ArrowLeft")
    expect(page.locator("li.board.current")).to_have_attribute("data-step", "boat")
    _offline(watched, out)


def test_takes_show_side_by_side_with_the_selected_one_marked(browser: Browser, out: Path) -> None:
    watched = _open(browser, out)
    page = watched.page
    page.click("#p-lamp .frame")
    takes = page.locator("dialog#lightbox .compare figure.take")
    expect(takes).to_have_count(2)
    expect(takes.nth(0)).to_have_class("take selected")
    expect(takes.nth(1)).not_to_have_class("take selected")
    expect(takes.nth(1)).to_contain_text("storyforge pick lamp 2")
    sources = takes.locator("img").evaluate_all("els => els.map(e => e.getAttribute('src'))")
    assert sources == image_paths(out)["lamp"]
    boxes = [takes.nth(i).bounding_box() for i in range(2)]
    assert boxes[0] and boxes[1] and boxes[0]["y"] == boxes[1]["y"]  # one row: side by side
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]
    page.evaluate(EAGER)
    _offline(watched, out)


def test_the_lightbox_shows_what_the_model_was_sent(browser: Browser, out: Path) -> None:
    watched = _open(browser, out)
    page = watched.page
    page.click("#p-knock .frame")
    side = page.locator("dialog#lightbox .lb-side")
    expect(side.locator("pre.prompt")).to_contain_text("Mara knocks at the door")
    expect(side.locator("ol.inputs li").first).to_contain_text("Image 1:")
    expect(side.locator("ol.inputs img").first).to_have_attribute(
        "src", image_paths(out)["arrival"][0]
    )
    expect(side).to_contain_text("Who's there at this hour?")
    expect(side.locator("p.line b")).to_have_text("Mara: ")
    expect(side.locator("p.meta")).to_contain_text("1.5 s")
    _offline(watched, out)


def test_without_javascript_it_is_a_plain_list_with_everything(browser: Browser, out: Path) -> None:
    watched = _open(browser, out, javascript=False)
    page = watched.page
    expect(page.locator("html.js")).to_have_count(0)
    expect(page.locator("li.board")).to_have_count(len(BOARD_IDS))
    tops = [page.locator(f"#p-{s}").bounding_box() for s in BOARD_IDS]
    assert all(b is not None for b in tops)
    ys = [b["y"] for b in tops if b]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)  # one board under the other
    expect(page.locator("#p-knock")).to_contain_text("Who's there at this hour?")
    expect(page.locator("#p-arrival")).to_contain_text("Every night for thirty years.")
    expect(page.locator("#p-lamp .takes figure")).to_have_count(2)
    page.click("#p-arrival details.sent summary")
    expect(page.locator("#p-arrival pre.prompt")).to_be_visible()
    _offline(watched, out)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._in = dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self.scripts.append((self._in, data))
            self._in = None


def test_text_from_the_story_cannot_end_the_data_element() -> None:
    hostile = "</script><script>alert(1)</script><!--"
    data = {
        "title": hostile,
        "totals": {"steps": 0, "boards": 0, "running_time": "0:00", "failed": 0, "cost_usd": 0},
        "scenes": [],
    }
    page = render_viewer(data)
    parser = _Collect()
    parser.feed(page)
    kinds = [attrs.get("type") for attrs, _ in parser.scripts]
    assert kinds == ["application/json", None]  # the data, then the viewer's own script
    assert json.loads(parser.scripts[0][1])["title"] == hostile
    assert "fetch(" not in page and 'type="module"' not in page and "http" not in page.lower()


def test_the_viewer_is_rewritten_only_when_what_it_shows_changed(tmp_path: Path) -> None:
    build_boards(tmp_path, ("viewer",))
    report = build_boards(tmp_path, ("viewer",))  # now every step shows as cached
    page = report.out / "index.html"
    shown = page.stat().st_mtime_ns
    build_boards(tmp_path, ("viewer",))
    assert page.stat().st_mtime_ns == shown
    changed = BOARD_STORY.replace("At dawn, a sail.", "At dawn, two sails.")
    build_boards(tmp_path, ("viewer",), changed)
    assert "At dawn, two sails." in page.read_text("utf-8")
