"""Write storyforge/fakeserver/fields_generated.py from the shared v1beta OpenAPI document.

Run from the repository root: `python tools/gen_fields.py [path/to/openapi.json]`. The
document defaults to `../shared/generativelanguage-v1beta-openapi-derived.json`; a test
regenerates the module the same way and fails when the committed copy is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT.parent / "shared" / "generativelanguage-v1beta-openapi-derived.json"
TARGET = ROOT / "storyforge" / "fakeserver" / "fields_generated.py"
# The request bodies the fake server parses; every message they reach is written out.
ROOTS = ("GenerateContentRequest", "CountTokensRequest")
_REF = "#/components/schemas/"
_SCALARS: dict[tuple[object, object], str] = {
    ("string", "byte"): "bytes",
    ("string", "int64"): "int64",
    ("string", "uint64"): "int64",
    ("integer", "int32"): "int32",
    ("integer", None): "int32",
    ("number", "float"): "float",
    ("number", "double"): "double",
    ("number", None): "double",
    ("boolean", None): "bool",
}
_HEADER = '''"""Field names the v1beta API accepts in request bodies, from its OpenAPI document.

Do not edit: run `python tools/gen_fields.py` (it reads
../shared/generativelanguage-v1beta-openapi-derived.json); a test checks this copy is current.
"""

from __future__ import annotations

from typing import Final

# message -> camelCase field -> kind: string, bytes, int32, int64, float, double, bool, any,
# msg:<message>, enum:<enum> or map:<kind>, with "[]" in front when the field is repeated.
'''


class Collector:
    """Walks the schemas reachable from the roots, naming each message and enum it meets."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.messages: dict[str, dict[str, str]] = {}
        self.enums: dict[str, tuple[str, ...]] = {}

    def message(self, name: str) -> None:
        """Record one message and, through its fields, every message it refers to."""
        if name in self.messages:
            return
        self.messages[name] = fields = {}
        for field, prop in sorted(self.schemas[name].get("properties", {}).items()):
            fields[field] = self.kind(prop, f"{name}.{field}")

    def kind(self, prop: dict[str, Any], where: str) -> str:
        """The kind string of one property (see the generated module's comment)."""
        if prop.get("type") == "array":
            return "[]" + self.kind(prop.get("items", {}), where)
        if "$ref" in prop:
            return self.named(prop["$ref"].removeprefix(_REF))
        if "enum" in prop:
            self.enums[where] = tuple(prop["enum"])
            return f"enum:{where}"
        if prop.get("type") == "object" and "properties" not in prop:
            values = prop.get("additionalProperties")
            if isinstance(values, dict) and ("type" in values or "$ref" in values):
                return "map:" + self.kind(values, where)
            return "any"
        if prop.get("type") == "string":
            return _SCALARS.get(("string", prop.get("format")), "string")
        return _SCALARS.get((prop.get("type"), prop.get("format")), "any")

    def named(self, name: str) -> str:
        """The kind of a referenced schema: a message, an enum or a plain value."""
        schema = self.schemas[name]
        if "properties" in schema:
            self.message(name)
            return f"msg:{name}"
        if "enum" in schema:
            self.enums[name] = tuple(schema["enum"])
            return f"enum:{name}"
        return self.kind(schema, name)


def render(document: dict[str, Any]) -> str:
    """The text of the generated module for an OpenAPI document."""
    collector = Collector(document["components"]["schemas"])
    for name in ROOTS:
        collector.message(name)
    lines = [_HEADER, "MESSAGES: Final[dict[str, dict[str, str]]] = {"]
    for name in sorted(collector.messages):
        fields = collector.messages[name]
        if not fields:
            lines.append(f'    "{name}": {{}},')
            continue
        lines.append(f'    "{name}": {{')
        lines += [f'        "{field}": "{kind}",' for field, kind in fields.items()]
        lines.append("    },")
    lines += ["}", "", "ENUMS: Final[dict[str, tuple[str, ...]]] = {"]
    for name in sorted(collector.enums):
        lines.append(f'    "{name}": (')
        lines += [f'        "{value}",' for value in collector.enums[name]]
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Regenerate the module from the document named on the command line (or the default)."""
    source = Path(argv[1]) if len(argv) > 1 else DOCUMENT
    TARGET.write_text(render(json.loads(source.read_text(encoding="utf-8"))), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
