"""`storyforge batches list` and `cancel` against the fake server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from click.testing import CliRunner

from storyforge.cli import cli
from storyforge.fakeserver import BatchSettings, FakeGemini
from tests.test_fakeserver_batch import _rows, create, upload


def _invoke(srv: FakeGemini, *args: str) -> tuple[int, str]:
    env = {"GEMINI_BASE_URL": srv.base_url, "GEMINI_API_KEY": "fake-key"}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_list_shows_jobs_and_cancel_ends_one(tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    with FakeGemini(batch=BatchSettings(pending_s=60, run_s=60)) as srv:
        with httpx.Client(base_url=srv.base_url, headers={"x-goog-api-key": "fake-key"}) as http:
            name = create(http, upload(http, _rows(2)), "sf-listed").json()["name"]
        code, listed = _invoke(srv, "batches", "list", "--story", str(story))
        assert code == 0 and name in listed and "PENDING" in listed and "sf-listed" in listed
        code, cancelled = _invoke(srv, "batches", "cancel", name.removeprefix("batches/"))
        assert code == 0 and cancelled.strip() == f"{name}: CANCELLED"
        code, as_json = _invoke(srv, "batches", "list", "--story", str(story), "--json")
    (job,) = json.loads(as_json)
    assert job["state"] == "CANCELLED" and job["ours"] is False


def test_list_says_when_there_are_none(tmp_path: Path) -> None:
    with FakeGemini() as srv:
        code, output = _invoke(srv, "batches", "list", "--story", str(tmp_path / "s.yaml"))
    assert code == 0 and output.strip() == "no batch jobs"
