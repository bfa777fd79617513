"""validate, plan, graph and build --dry-run never open a network connection, even with a key."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from storyforge.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network use in an offline command")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    monkeypatch.setenv("GEMINI_API_KEY", "offline-test-key")
    monkeypatch.setenv("GEMINI_BASE_URL", "http://192.0.2.1:9")
    return attempts


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["plan"],
        ["plan", "--json"],
        ["graph", "--format", "dot"],
        ["graph", "--format", "mermaid"],
        ["build", "--dry-run"],
    ],
)
def test_offline_commands_open_no_connection(
    args: list[str], no_network: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "lighthouse"
    shutil.copytree(
        EXAMPLES / "lighthouse", story, ignore=shutil.ignore_patterns("out", ".storyforge")
    )
    with pytest.raises(SystemExit) as exit_:
        main([*args, str(story / "story.yaml")])
    out = capsys.readouterr()
    assert exit_.value.code == 0, out.err
    assert no_network == []
    assert "Traceback" not in out.err
    assert not (story / "out").exists()
