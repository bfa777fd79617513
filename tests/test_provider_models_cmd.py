"""`storyforge models`: the key's image models as a table, from the fake server or the sketch."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from storyforge.cli import cli, main
from storyforge.fakeserver import FakeGemini
from storyforge.providers.base import ModelListing
from storyforge.providers.catalog import LEGEND, model_table


def test_models_lists_the_servers_image_models_with_their_limits() -> None:
    with FakeGemini(api_key="fake-key") as server:
        env = {"GEMINI_API_KEY": "fake-key", "GEMINI_BASE_URL": server.base_url}
        result = CliRunner().invoke(cli, ["models", "--provider", "gemini"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "model",
        "max",
        "refs",
        "ratios",
        "sizes",
        "$/image",
        "shutdown",
        "notes",
    ]
    row = next(line for line in lines if line.startswith("gemini-3.1-flash-image "))
    assert row.split()[:6] == ["gemini-3.1-flash-image", "14", "A14", "512", "1K", "2K"]
    assert "2026-10-29" in row and "deprecated 2026-10-06" in row
    assert lines[-1] == LEGEND
    assert "fake-key" not in result.output


def test_auto_without_a_key_lists_the_table_with_a_notice() -> None:
    env = {"GEMINI_API_KEY": "", "GOOGLE_API_KEY": ""}
    result = CliRunner().invoke(cli, ["models"], env=env)
    assert result.exit_code == 0
    assert "no GEMINI_API_KEY set: drawing offline sketches" in result.stderr
    assert any(line.startswith("gemini-nano-banana-2.1 ") for line in result.stdout.splitlines())


def test_missing_key_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["models", "--provider", "gemini"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "storyforge: set GEMINI_API_KEY (or GOOGLE_API_KEY), or pass --provider sketch "
        "to draw offline previews\n"
    )


def test_refused_key_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeGemini(api_key="fake-key") as server:
        monkeypatch.setenv("GEMINI_API_KEY", "wrong-key")
        monkeypatch.setenv("GEMINI_BASE_URL", server.base_url)
        with pytest.raises(SystemExit) as exited:
            main(["models", "--provider", "gemini"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "storyforge: the API key was refused (HTTP 400): check GEMINI_API_KEY\n"
    )


def test_unknown_ids_are_listed_without_limits() -> None:
    lines = model_table([ModelListing("gemini-9-image", "Nine")])
    assert lines[1].split()[:5] == ["gemini-9-image", "?", "?", "?", "?"]
    assert model_table([]) == ["no image models available to this key"]
