"""CLI conventions: init, the default story, --json, -q, familiar words, plan --only."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from storyforge.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "API_KEY" not in k and "BASE_URL" not in k}
    return subprocess.run(
        [sys.executable, "-m", "storyforge", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_init_then_validate_then_build_from_an_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "new-story"
    assert run(["init", str(folder)], tmp_path).returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        ".gitignore", "refs", "story.schema.json", "story.yaml"
    ]  # fmt: skip
    assert (
        (folder / "story.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=story.schema.json\n")
    )
    checked = run(["validate"], folder)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == "story.yaml: ok (1 scene, 2 panels, 0:05 running time)\n"
    built = run(["build"], folder)
    assert built.returncode == 0, built.stderr
    assert (folder / "out" / "bench.png").is_file()
    assert (folder / "out" / "contact_sheet.png").is_file()


def test_init_refuses_to_overwrite_a_story(tmp_path: Path) -> None:
    (tmp_path / "story.yaml").write_text("storyforge: 1\n")
    again = run(["init", "."], tmp_path)
    assert again.returncode == 2
    assert again.stderr.strip().endswith("init writes new stories only: pick a new folder")
    assert (tmp_path / "story.yaml").read_text() == "storyforge: 1\n"


def test_the_schema_init_writes_is_the_committed_one(tmp_path: Path) -> None:
    run(["init", "."], tmp_path)
    written = json.loads((tmp_path / "story.schema.json").read_text())
    assert written == json.loads((ROOT / "schemas" / "story.schema.json").read_text())


def test_validate_json_reports_diagnostics_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "story.yaml").write_text("storyforge: 1\ntitle: t\nscenes: []\n")
    result = run(["validate", "--json"], tmp_path)
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    [problem] = document["diagnostics"]
    assert (problem["line"], problem["column"], problem["path"]) == (3, 9, "scenes")
    assert problem["text"] == result.stderr.strip()


def test_quiet_validate_prints_nothing_on_success(tmp_path: Path) -> None:
    run(["init", "."], tmp_path)
    quiet = run(["-q", "validate"], tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_familiar_words_from_other_tools_name_our_command() -> None:
    result = CliRunner().invoke(cli, ["clean"])
    assert result.exit_code == 2
    assert "No such command 'clean'. Did you mean 'gc'?" in result.output


def test_plan_only_shows_the_step_and_what_it_needs(tmp_path: Path) -> None:
    run(["init", "."], tmp_path)
    result = run(["plan", "--only", "bench", "--json", "--provider", "sketch"], tmp_path)
    assert result.returncode == 0, result.stderr
    ids = [s["id"] for s in json.loads(result.stdout)["steps"]]
    assert ids == ["ada.sheet", "bench"]


def test_plan_only_takes_a_scene_id(tmp_path: Path) -> None:
    run(["init", "."], tmp_path)
    result = run(["plan", "--only", "spark", "--json", "--provider", "sketch"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert [s["id"] for s in json.loads(result.stdout)["steps"]] == ["ada.sheet", "bench", "wings"]


def test_build_json_reports_every_step_on_stdout(tmp_path: Path) -> None:
    run(["init", "."], tmp_path)
    result = run(["build", "--json", "--provider", "sketch"], tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["exit_code"], document["calls"]) == (0, 3)
    assert [s["id"] for s in document["steps"]] == ["ada.sheet", "bench", "wings"]
    assert {s["status"] for s in document["steps"]} == {"generated"}


def test_build_outputs_chooses_what_is_drawn(tmp_path: Path) -> None:
    run(["init", "."], tmp_path)
    result = run(["build", "--outputs", "viewer", "--provider", "sketch"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "index.html").is_file()
    assert not (tmp_path / "out" / "contact_sheet.png").exists()
    wrong = run(["build", "--outputs", "poster"], tmp_path)
    assert wrong.returncode == 2
    assert "unknown output 'poster'" in wrong.stderr


def test_no_color_leaves_no_colour_codes(tmp_path: Path) -> None:
    run(["init", "."], tmp_path)
    env = {"NO_COLOR": "1", "TERM": "xterm-256color"}
    script = (
        "import os, pty, sys, subprocess\n"
        "m, s = pty.openpty()\n"
        "args = [sys.executable, '-m', 'storyforge', 'build', '--provider', 'sketch']\n"
        "p = subprocess.Popen(args, stdin=s, stdout=s, stderr=s, close_fds=True)\n"
        "os.close(s)\nout = b''\n"
        "while True:\n"
        "    try:\n        data = os.read(m, 65536)\n    except OSError:\n        break\n"
        "    if not data:\n        break\n    out += data\n"
        "p.wait()\nsys.stdout.write(out.decode('utf-8', 'replace'))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env={**os.environ, **env},
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert "3 steps" in shown
    assert not re.search(r"\x1b\[[0-9;]*m", shown)
