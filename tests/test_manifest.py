from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from storyforge.build.pipeline import BuildOptions, build
from storyforge.build.progress import Progress
from storyforge.outputs.files import OutputFile
from storyforge.outputs.manifest import Manifest, load_manifest, manifest_schema, step_record
from storyforge.outputs.results import StepResult
from storyforge.outputs.schema import SCHEMAS_FOLDER, render_schema

from .build_support import write_story
from .conftest import make_step, step_input

STORY = """\
storyforge: 1
title: Two panels
aspect_ratio: "1:1"
scenes:
  - id: one
    title: The first scene
    panels:
      - id: first
        prompt: a lighthouse
        caption: It stands.
      - id: second
        prompt: a boat
"""


def _sketch_build(story: Path) -> str:
    options = BuildOptions(story=story, provider="sketch")
    report = asyncio.run(build(options, Progress(io.StringIO(), live=False)))
    assert report.exit_code == 0
    return report.manifest.read_text("utf-8")


def test_manifest_has_the_design_shape_sorted_and_in_plan_order(tmp_path: Path) -> None:
    text = _sketch_build(write_story(tmp_path, STORY))
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2) + "\n"
    assert set(data) == {
        "storyforge", "story", "provider", "model", "steps", "derived", "totals", "run",
    }  # fmt: skip
    assert data["story"]["path"] == "../story.yaml"
    assert data["provider"] == "sketch"
    assert [s["id"] for s in data["steps"]] == ["first", "second"]
    second = data["steps"][1]
    assert set(second) == {
        "id", "kind", "scene", "status", "prompt", "inputs", "outputs", "selected", "text",
        "usage", "error", "key", "dropped",
    }  # fmt: skip
    assert second["status"] == "ok"  # the story's state; generated or cached is the run's
    assert second["inputs"] == [
        {
            "ref": "first",
            "role": second["inputs"][0]["role"],
            "sha256": data["steps"][0]["outputs"][0]["sha256"],
        }
    ]
    assert second["outputs"][0]["path"] == "second.png"
    assert data["totals"] == {"steps": 2, "ok": 2, "failed": 0, "blocked": 0, "skipped": 0}
    assert data["derived"] == {"contact_sheet": ["contact_sheet.png"]}
    run = data["run"]
    assert set(run) == {"started", "seconds", "calls", "cost_usd", "generated", "cached", "steps"}
    assert (run["calls"], run["generated"], run["cached"]) == (2, 2, 0)
    assert run["steps"]["second"]["result"] == "generated"
    assert isinstance(load_manifest(text), Manifest)


def test_a_no_op_rebuild_leaves_the_manifest_byte_identical(tmp_path: Path) -> None:
    story = write_story(tmp_path, STORY)
    first = _sketch_build(story)
    assert _sketch_build(story) == first == _sketch_build(story)
    assert {s["status"] for s in json.loads(first)["steps"]} == {"ok"}


def test_a_failed_step_records_its_error_and_no_outputs() -> None:
    step = make_step("b", step_input("a"))
    record = step_record(step, StepResult("b", "skipped", reason="input a failed"), ())
    assert "attempts" not in record.model_dump()  # this run's facts live in the run block
    assert record.status == "skipped" and record.error == "input a failed"
    assert record.outputs == [] and record.selected is None and record.key is None
    assert [i.sha256 for i in record.inputs] == [""]


def test_outputs_are_listed_as_written() -> None:
    step = make_step("a")
    out = OutputFile(1, "a.png", "f" * 64, 10, 20, "image/png")
    record = step_record(
        step, StepResult("a", "cached", key="k", selected=1, output_sha="f" * 64), (out,)
    )
    assert record.outputs[0].model_dump() == {
        "take": 1, "path": "a.png", "sha256": "f" * 64, "width": 10, "height": 20,
        "mime_type": "image/png",
    }  # fmt: skip


def test_the_committed_manifest_schema_is_fresh() -> None:
    committed = SCHEMAS_FOLDER / "manifest.schema.json"
    assert committed.read_text("utf-8") == render_schema("manifest.schema.json"), (
        "schemas/manifest.schema.json is stale; run `python -m storyforge.outputs.schema`"
    )
    schema = manifest_schema()
    assert schema["additionalProperties"] is False
    assert schema["$id"] == "manifest.schema.json"
