"""OUT never destroys an input of the story, takes a reserved name or writes through a link."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storyforge.errors import StoreError
from storyforge.names import RESERVED_OUTPUT_NAMES, is_reserved_output_name
from storyforge.outputs.files import write_outputs
from storyforge.outputs.results import StepResult
from storyforge.store.objects import Entry, Store, StoredOutput

from .store_support import build, files_under, generate_calls, server

STORY = (
    "storyforge: 1\ntitle: Refs\naspect_ratio: '1:1'\n"
    "scenes:\n  - id: s\n    panels:\n"
    "      - {id: mara, prompt: Mara at the door, references: [mara.png], takes: 2}\n"
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (250, 200, 0)).save(out, "PNG")
    return out.getvalue()


def _story(folder: Path, text: str = STORY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mara.png").write_bytes(_png())
    (folder / "story.yaml").write_text(text)
    return folder / "story.yaml"


@pytest.mark.parametrize("out", [".", "..", "refs-parent"])
def test_an_out_holding_an_input_is_refused_before_any_call(
    tmp_path: Path, capsys: Any, monkeypatch: Any, out: str
) -> None:
    story = _story(tmp_path / "refs-parent" / "story")
    reference = story.parent / "mara.png"
    before = reference.read_bytes()
    target = {".": story.parent, "..": story.parent.parent, "refs-parent": tmp_path}[out]
    with server() as srv:
        code, _, err = build(story, srv, capsys, monkeypatch, "-o", str(target))
        assert generate_calls(srv) == []
    assert code == 2
    (line,) = err.strip().splitlines()
    assert "an input of the story" in line and "pass a folder of its own" in line
    assert reference.read_bytes() == before


def test_a_default_out_that_is_a_link_is_refused(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    story = _story(tmp_path / "story")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    (story.parent / "out").symlink_to(elsewhere)
    with server() as srv:
        code, _, err = build(story, srv, capsys, monkeypatch)
        assert generate_calls(srv) == []
    assert code == 2 and "symbolic link" in err and "-o" in err
    assert list(elsewhere.iterdir()) == []


def test_takes_are_never_written_through_a_linked_takes_folder(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    story = _story(tmp_path / "story")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    (story.parent / "out").mkdir()
    (story.parent / "out" / "takes").symlink_to(elsewhere)
    with server() as srv:
        code, _, err = build(story, srv, capsys, monkeypatch)
    assert list(elsewhere.iterdir()) == []
    assert code == 1 and "Traceback" not in err
    assert any("takes is a symbolic link" in line for line in err.splitlines())


@pytest.mark.parametrize("step_id", ["contact_sheet", "contact_sheet-2", "manifest"])
def test_a_step_named_like_an_output_is_refused_before_any_call(
    tmp_path: Path, capsys: Any, monkeypatch: Any, step_id: str
) -> None:
    story = _story(tmp_path / "story", STORY.replace("id: mara,", f"id: {step_id},"))
    with server() as srv:
        code, _, err = build(story, srv, capsys, monkeypatch)
        assert generate_calls(srv) == []
    assert code == 2, err
    assert step_id in err and "Traceback" not in err
    assert not (story.parent / "out").exists() or "contact_sheet.png" not in files_under(
        story.parent / "out"
    )


def test_every_planned_output_name_is_reserved() -> None:
    planned = {"manifest", "contact_sheet", "takes", "index", "pages", "storyboard", "book"}
    assert planned | {"animatic", "contact_sheet-2"} <= RESERVED_OUTPUT_NAMES
    assert is_reserved_output_name("contact_sheet-17")
    assert not is_reserved_output_name("contact-sheet") and not is_reserved_output_name("mara")
    assert os.sep not in "".join(RESERVED_OUTPUT_NAMES)


def test_outs_writer_refuses_a_reserved_name_as_a_last_guard(tmp_path: Path) -> None:
    store = Store(tmp_path / ".storyforge")
    data = _png()
    digest = store.put_object(data)
    entry = Entry("ab" * 32, 1, (StoredOutput(digest, "image/png", 16, 16, len(data)),))
    result = StepResult("contact_sheet", "generated", entry.key, 1, digest, (entry,))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "contact_sheet.png").write_bytes(b"the sheet")
    with pytest.raises(StoreError, match="rename the step"):
        write_outputs(tmp_path / "out", store, result)
    assert (tmp_path / "out" / "contact_sheet.png").read_bytes() == b"the sheet"
