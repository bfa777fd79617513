"""JSON Schemas of storyforge's files, generated from the models and committed under schemas/.

Run `python -m storyforge.outputs.schema` to regenerate them after changing a model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storyforge.outputs.manifest import manifest_schema
from storyforge.story.models import FORMAT_VERSIONS, Story

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS_FOLDER = Path(__file__).resolve().parents[2] / "schemas"


def story_schema() -> dict[str, Any]:
    """The JSON Schema of story.yaml, for editors and other tools."""
    schema = Story.model_json_schema()
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = "story.schema.json"
    schema["title"] = f"storyforge story (format versions {', '.join(FORMAT_VERSIONS)})"
    _close_id_mappings(schema)
    return schema


def _close_id_mappings(node: Any) -> None:
    """Make mappings keyed by id (`patternProperties`) refuse other keys, as the loader does."""
    if isinstance(node, dict):
        if "patternProperties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _close_id_mappings(value)
    elif isinstance(node, list):
        for value in node:
            _close_id_mappings(value)


SCHEMA_FILES: dict[str, Callable[[], dict[str, Any]]] = {
    "story.schema.json": story_schema,
    "manifest.schema.json": manifest_schema,
}


def render_schema(name: str) -> str:
    """The exact text committed for the schema file `name`."""
    return json.dumps(SCHEMA_FILES[name](), indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> None:
    """Write every schema file into `folder`, creating it when needed."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in SCHEMA_FILES:
        (folder / name).write_text(render_schema(name), encoding="utf-8")


if __name__ == "__main__":
    write_schemas(SCHEMAS_FOLDER)
