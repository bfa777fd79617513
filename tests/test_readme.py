"""The README's usage block is the program's own help, and its story example is valid YAML."""

from __future__ import annotations

import os
import re
from pathlib import Path

from click.testing import CliRunner

from storyforge.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- usage:start -->\n)(.*?)(<!-- usage:end -->)", re.DOTALL)
COMMANDS = (["--help"], ["build", "--help"], ["plan", "--help"], ["pick", "--help"])


def _usage() -> str:
    runner = CliRunner()
    parts = []
    for args in COMMANDS:
        result = runner.invoke(cli, args, prog_name="storyforge", terminal_width=100)
        assert result.exit_code == 0, result.output
        parts.append(f"$ storyforge {' '.join(args)}\n{result.output}")
    return "```\n" + "\n".join(parts) + "```\n"


def test_readme_usage_block_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    match = BLOCK.search(text)
    assert match, "README.md lacks the <!-- usage:start --> … <!-- usage:end --> block"
    expected = _usage()
    if os.environ.get("STORYFORGE_UPDATE_README"):
        README.write_text(BLOCK.sub(lambda m: m[1] + expected + m[3], text), encoding="utf-8")
        return
    assert match[2] == expected, (
        "the README's usage block is stale: run "
        "STORYFORGE_UPDATE_README=1 .venv/bin/python -m pytest tests/test_readme.py"
    )


def test_readme_story_example_validates(tmp_path: Path) -> None:
    import io

    import pytest
    from PIL import Image

    from storyforge.cli import main

    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The story format") :]
    story = section[section.index("```yaml\n") + 8 : section.index("```\n", 10)]
    (tmp_path / "story.yaml").write_text(story, encoding="utf-8")
    for ref in set(re.findall(r"refs/[\w.-]+", story)):
        out = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 120, 40)).save(out, "PNG")
        (tmp_path / ref).parent.mkdir(exist_ok=True)
        (tmp_path / ref).write_bytes(out.getvalue())
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "panel.j2").write_text('{% include "builtin/panel.j2" %}\n')
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(tmp_path / "story.yaml")])
    assert exit_.value.code == 0
