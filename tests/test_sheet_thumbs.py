"""Contact-sheet thumbnails are made while the build runs and draw the same pixels."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from PIL import Image, ImageChops

from storyforge.build.pipeline import BuildOptions, build, load_and_compile
from storyforge.build.progress import Progress
from storyforge.build.recorder import Recorder, RunInfo
from storyforge.outputs.sheet import write_contact_sheet
from storyforge.outputs.sheet_bands import BAND_DIR
from storyforge.outputs.sheet_thumbs import THUMB_DIR, thumb_box, thumb_path
from storyforge.store.lock import Lock
from storyforge.store.objects import Store

from .build_support import STORY, write_story


def _build(story: Path) -> tuple[dict[str, object], Path]:
    options = BuildOptions(story=story, provider="sketch")
    report = asyncio.run(build(options, Progress(io.StringIO(), live=False)))
    return {r.step_id: r for r in report.results}, report.out


def test_every_panel_gets_its_thumbnail_during_the_build(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    results, _ = _build(story)
    thumbs = sorted((tmp_path / ".storyforge" / "derived" / THUMB_DIR).iterdir())
    assert len(thumbs) == len(results)
    with Image.open(thumbs[0]) as first:
        assert first.width == thumb_box()[0]  # square panels: limited by the cell's width


def test_the_sheet_from_thumbnails_matches_the_sheet_from_the_images(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    _build(story)
    loaded, plan = load_and_compile(story)
    store = Store.beside(story)
    recorder = Recorder(plan, tmp_path / "again", store, Lock.beside(story),
                        Progress(io.StringIO(), live=False), RunInfo("sketch", ""))  # fmt: skip
    report = asyncio.run(build(BuildOptions(story=story, provider="sketch",
                                            out=tmp_path / "again"),
                               Progress(io.StringIO(), live=False)))  # fmt: skip
    for result in report.results:
        recorder.step_finished(result)
    cache = tmp_path / ".storyforge" / "derived"
    some = next(iter(recorder.files.values()))[0]
    assert thumb_path(cache, some.sha256).is_file()
    titles = {s.id: s.title for s in loaded.story.scenes}
    args = (plan, titles, recorder.results, recorder.files)
    again = tmp_path / "again"
    plain = write_contact_sheet(*args, again)[0].read_bytes()
    (again / ".contact_sheet.sha256").unlink()  # so the sheet is drawn again
    from_thumbs = write_contact_sheet(*args, again, thumbs=cache)[0]
    with Image.open(io.BytesIO(plain)) as a, Image.open(from_thumbs) as b:
        assert a.size == b.size
        assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None


def test_rows_drawn_during_the_build_make_the_same_sheet(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    results, out = _build(story)
    bands = tmp_path / ".storyforge" / "derived" / BAND_DIR
    kept = sorted(bands.iterdir())
    assert kept  # rows, headers and feet, kept by what they show
    with Image.open(out / "contact_sheet.png") as assembled:
        loaded, plan = load_and_compile(story)
        recorder = Recorder(plan, out, Store.beside(story), Lock.beside(story),
                            Progress(io.StringIO(), live=False), RunInfo("sketch", ""))  # fmt: skip
        for result in results.values():
            recorder.step_finished(result)  # type: ignore[arg-type]
        titles = {s.id: s.title for s in loaded.story.scenes}
        (out / ".contact_sheet.sha256").unlink()
        direct = write_contact_sheet(plan, titles, recorder.results, recorder.files, out)[0]
        with Image.open(direct) as fresh:
            diff = ImageChops.difference(assembled.convert("RGB"), fresh.convert("RGB"))
    assert diff.getbbox() is None


def test_a_damaged_band_is_drawn_again(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    _build(story)
    for part in (tmp_path / ".storyforge" / "derived" / BAND_DIR).iterdir():
        part.write_bytes(part.read_bytes()[:-7])  # cut short
    (tmp_path / "out" / ".contact_sheet.sha256").unlink()
    _, out = _build(story)
    with Image.open(out / "contact_sheet.png") as sheet:
        sheet.load()  # decodes whole: nothing of the damaged bands was used
