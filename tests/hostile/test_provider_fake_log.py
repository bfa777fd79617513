"""A fake server that cannot write its --log says so loudly instead of dropping connections."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from storyforge.errors import UsageError
from storyforge.fakeserver import FakeGemini
from tests.fakeserver_support import KEY, body, client, error_of, generate


def test_a_log_path_that_cannot_be_opened_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        FakeGemini(api_key=KEY, log_path=tmp_path)  # a folder, not a file
    assert str(caught.value).startswith(f"the fake server cannot write its log {tmp_path}: ")


def test_the_command_exits_with_one_line_instead_of_serving() -> None:
    # A file in an existing folder that cannot be opened for writing, even by root.
    command = [sys.executable, "-m", "storyforge", "fake-server", "--port", "0", "--log"]
    done = subprocess.run(
        [*command, "/proc/version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "cannot write its log" in done.stderr and "Traceback" not in done.stderr


def test_a_log_that_fails_mid_run_answers_500_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # /dev/full opens, then refuses every write (ENOSPC), as a full disk would.
    with FakeGemini(api_key=KEY, log_path=Path("/dev/full")) as server, client(server) as http:
        try:
            answer = generate(http, body())
        except httpx.TransportError as error:  # what a silently dropped connection looks like
            pytest.fail(f"the connection was dropped: {error!r}")
    assert answer.status_code == 500
    assert error_of(answer)["message"].startswith("the fake server cannot write its log /dev/full")
    assert any("cannot write its log" in r.getMessage() for r in caplog.records)
