from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.fakeserver import FakeGemini

from .build_support import STORY, fake_env, generate_calls, run_main, server, write_story

__all__ = ["server"]


@pytest.fixture
def gemini_env(server: FakeGemini, monkeypatch: pytest.MonkeyPatch) -> FakeGemini:
    for name, value in fake_env(server).items():
        monkeypatch.setenv(name, value)
    return server


def test_build_prints_one_line_per_step_and_a_summary(
    tmp_path: Path, gemini_env: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    story = write_story(tmp_path)
    assert run_main(["build", str(story), "--only", "b,c", "--concurrency", "2"]) == 0
    out, err = capsys.readouterr()
    assert "  generated  b  (1 call, $0.0" in err
    assert out.startswith("3 steps: 3 generated; 4 calls, $0.1")
    assert out.rstrip().endswith(f" — {tmp_path.resolve() / 'out' / 'contact_sheet.png'}")
    assert (tmp_path / "out" / "contact_sheet.png").is_file()


def test_failures_exit_1_and_are_listed_on_stderr(
    tmp_path: Path, gemini_env: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    story = write_story(tmp_path)
    gemini_env.enqueue("503")
    assert run_main(["build", str(story), "--concurrency", "1", "--retries", "0"]) == 1
    out, err = capsys.readouterr()
    assert "1 failed" in out and "3 skipped" in out
    # Located where the panel is declared (`- id: a` is line 7, column 9), as editors link it.
    assert f"{story}:7:9: a failed: " in err
    assert "Traceback" not in err


def test_a_blocked_panel_is_located_with_a_hint_to_reword(
    tmp_path: Path, gemini_env: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    story = write_story(tmp_path)
    gemini_env.enqueue("safety")
    assert run_main(["build", str(story), "--concurrency", "1", "--retries", "0"]) == 1
    err = capsys.readouterr().err
    assert f"{story}:7:9: a blocked: " in err
    assert "reword its prompt" in err


def test_dry_run_shows_the_plan_and_makes_no_request(
    tmp_path: Path, gemini_env: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    story = write_story(tmp_path)
    assert run_main(["build", str(story), "--dry-run", "--provider", "gemini"]) == 0
    out, _ = capsys.readouterr()
    assert "+ a" in out and "+ d" in out
    assert gemini_env.requests == []
    assert not (tmp_path / "out").exists()


def test_unknown_ids_exit_2_with_a_suggestion(
    tmp_path: Path, gemini_env: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    story = write_story(tmp_path)
    assert run_main(["build", str(story), "--force", "a", "--only", "cc"]) == 2
    _, err = capsys.readouterr()
    assert err == "storyforge: --only: no step or scene 'cc' in story.yaml (did you mean 'c'?)\n"
    assert generate_calls(gemini_env) == []


def test_a_missing_key_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    story = write_story(tmp_path, STORY)
    assert run_main(["build", str(story), "--provider", "gemini"]) == 2
    assert "set GEMINI_API_KEY" in capsys.readouterr().err


def test_an_unwritable_out_is_refused_before_any_call(
    tmp_path: Path, gemini_env: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    story = write_story(tmp_path)
    assert run_main(["build", str(story), "-o", str(story)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"storyforge: -o {story}: cannot write there")
    assert err.endswith("; pass a writable folder\n")
    assert generate_calls(gemini_env) == []
