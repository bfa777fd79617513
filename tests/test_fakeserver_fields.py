"""The accepted field names are generated from the shared OpenAPI document and kept current."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT.parent / "shared" / "generativelanguage-v1beta-openapi-derived.json"
GENERATED = ROOT / "storyforge" / "fakeserver" / "fields_generated.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_fields", ROOT / "tools" / "gen_fields.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_field_table_matches_the_openapi_document() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    expected = _generator().render(document)
    assert GENERATED.read_text(encoding="utf-8") == expected, (
        "storyforge/fakeserver/fields_generated.py is stale: run python tools/gen_fields.py"
    )


def test_the_table_holds_the_fields_the_sdk_sends() -> None:
    from storyforge.fakeserver.fields_generated import MESSAGES

    config = MESSAGES["GenerationConfig"]
    assert {"mediaResolution", "responseJsonSchema", "speechConfig", "imageConfig"} <= set(config)
    assert {"videoMetadata", "functionCall", "functionResponse"} <= set(MESSAGES["Part"])
    assert {"serviceTier", "store"} <= set(MESSAGES["GenerateContentRequest"])
    assert "outputMimeType" not in MESSAGES["ImageConfig"]  # Vertex only: still refused
