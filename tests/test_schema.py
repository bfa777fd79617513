"""The committed JSON Schemas are exactly what the models generate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyforge.cli import main
from storyforge.outputs.schema import (
    SCHEMA_FILES,
    SCHEMAS_FOLDER,
    render_schema,
    story_schema,
    write_schemas,
)


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_committed_schema_is_fresh(name: str) -> None:
    committed = SCHEMAS_FOLDER / name
    fresh = render_schema(name)
    assert committed.exists(), (
        f"schemas/{name} is missing; run `python -m storyforge.outputs.schema`"
    )
    assert committed.read_text(encoding="utf-8") == fresh, (
        f"schemas/{name} is stale; run `python -m storyforge.outputs.schema` and commit the result"
    )


def test_story_schema_identifies_itself() -> None:
    schema = story_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "story.schema.json"
    assert schema["title"] == "storyforge story (format versions 1, 1.1)"
    assert schema["required"] == ["storyforge", "title", "scenes"]
    assert schema["additionalProperties"] is False


def test_mappings_keyed_by_id_refuse_other_keys() -> None:
    characters = story_schema()["properties"]["characters"]
    assert list(characters["patternProperties"]) == ["^[a-z0-9][a-z0-9_-]*$"]
    assert characters["additionalProperties"] is False


def test_write_schemas(tmp_path: Path) -> None:
    write_schemas(tmp_path / "out")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(SCHEMA_FILES)
    story = (tmp_path / "out" / "story.schema.json").read_text(encoding="utf-8")
    assert story == render_schema("story.schema.json")
    assert story.endswith("}\n")


def test_schema_command_prints_the_story_schema(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["schema"])
    assert exited.value.code == 0
    assert json.loads(capsys.readouterr().out) == story_schema()
