"""`storyforge fake-server`: prints where it listens, serves until Ctrl-C, refuses bad values."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from storyforge.cli import main


def _run(*args: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(["fake-server", *args])
    code = exited.value.code
    assert isinstance(code, int)
    return code


def test_it_serves_until_ctrl_c_then_exits_quietly(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    command = [sys.executable, "-m", "storyforge", "fake-server", "--port", "0",
               "--api-key", "ci-key-123", "--log", str(log)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        base_url = line.split("GEMINI_BASE_URL=")[1].split()[0]
        assert line.rstrip().endswith("GEMINI_API_KEY=ci-key-123")
        answer = httpx.get(f"{base_url}/v1beta/models", headers={"x-goog-api-key": "ci-key-123"})
        assert answer.status_code == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert (out, err) == ("", "")
    (record,) = [json.loads(text) for text in log.read_text().splitlines()]
    assert record["route"] == "listModels"
    assert "ci-key-123" not in log.read_text()


def test_a_taken_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert _run("--port", str(port)) == 2
    assert capsys.readouterr().err == (
        f"storyforge: port {port} is in use; pass --port 0 for any free port\n"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--p429", "1.5"), "--p429 1.5 is not a probability"),
        (("--p503", "0.6", "--p500", "0.6"), "add up to more than 1"),
        (("--latency", "-1"), "--latency -1.0 must be zero or more seconds"),
        (("--port", "70000"), "--port 70000 is not a port"),
        (("--log", "/no/such/folder/log.jsonl"), "its folder does not exist"),
    ],
)
def test_bad_values_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str
) -> None:
    assert _run(*args) == 2
    err = capsys.readouterr().err
    assert words in err
    assert err.count("\n") == 1
