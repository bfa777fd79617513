"""The command's process starts lean and collects at the default pace once loaded."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from .build_support import run_main, write_story


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_lean_start_leaves_out_httpx_s_own_command_line_client() -> None:
    out = _python("""
        import gc, sys
        from storyforge.cli import startup
        before = gc.get_threshold()
        startup.start_lean()
        import httpx
        httpx.Client().close()  # httpx itself is whole
        print(sorted(m for m in ("rich.syntax", "pygments", "httpx._main") if sys.modules.get(m)))
        print(gc.get_threshold() > before)
        startup.loaded()
        print(gc.get_threshold() == before)
    """)
    assert out.splitlines() == ["[]", "True", "True"]


def test_main_inside_another_program_changes_nothing_process_wide(tmp_path: Path) -> None:
    story = write_story(tmp_path)
    before, environment = gc.get_threshold(), dict(os.environ)
    assert run_main(["validate", str(story)]) == 0
    assert gc.get_threshold() == before
    assert dict(os.environ) == environment
