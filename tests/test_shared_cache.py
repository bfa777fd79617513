"""A team's shared cache end to end: a second clone downloads instead of paying.

Two copies of one story (two clones) share a cache folder, or a bucket on a loopback moto
server, and are built against the fake Gemini server.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from storyforge.build.pipeline import BuildOptions, BuildReport, build, dry_run
from storyforge.build.progress import Progress
from storyforge.errors import UsageError
from storyforge.fakeserver import FakeGemini
from tests.build_support import ALL_CALLS, fake_env, generate_calls, server, write_story
from tests.s3_support import MotoServer, moto, s3_env

__all__ = ["moto", "s3_env", "server"]


def options(story: Path, srv: FakeGemini, **env: str) -> BuildOptions:
    return BuildOptions(story=story, provider="gemini", env={**fake_env(srv), **env})


def run(opts: BuildOptions) -> tuple[BuildReport, str]:
    stream = io.StringIO()
    report = asyncio.run(build(opts, Progress(stream, live=False)))
    return report, stream.getvalue()


def out_files(folder: Path) -> dict[str, bytes]:
    """OUT's files; the manifest without what one run did (`timings`, `run`), which may differ."""
    found = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}
    page = json.loads(found.pop("manifest.json"))
    page.pop("timings", None)
    page.pop("run", None)
    found["manifest.json"] = json.dumps(page, sort_keys=True).encode()
    return found


def first_clone(tmp_path: Path, srv: FakeGemini, **env: str) -> Path:
    """Clone one builds the story (paying) and again (a no-op); its story and lock are pushed."""
    story = write_story(tmp_path / "one")
    report, _ = run(options(story, srv, **env))
    assert report.exit_code == 0 and report.calls == ALL_CALLS
    assert run(options(story, srv, **env))[0].calls == 0
    return story


def second_clone(tmp_path: Path, first: Path) -> Path:
    story = write_story(tmp_path / "two", first.read_text("utf-8"))
    shutil.copy(first.parent / "story.lock", story.parent / "story.lock")
    return story


def test_a_second_clone_plans_and_builds_no_call_from_a_shared_folder(
    tmp_path: Path, server: FakeGemini
) -> None:
    cache = tmp_path / "nas"
    cache.mkdir()
    one = first_clone(tmp_path, server, STORYFORGE_CACHE=str(cache))
    two = second_clone(tmp_path, one)
    opts = options(two, server, STORYFORGE_CACHE=str(cache))
    plan = dry_run(opts, Progress(io.StringIO(), live=False))
    assert "0 calls" in plan
    assert not (two.parent / ".storyforge").exists()  # the plan copied nothing
    before = len(server.requests)
    report, progress = run(opts)
    assert report.exit_code == 0 and report.calls == 0
    assert generate_calls(server, before) == []
    assert f"shared cache {cache} (read-write, from STORYFORGE_CACHE)" in progress
    assert out_files(two.parent / "out") == out_files(one.parent / "out")


def test_a_second_clone_builds_no_call_from_s3(
    tmp_path: Path, server: FakeGemini, s3_env: MotoServer
) -> None:
    url = f"s3://{s3_env.new_bucket()}/studio/cache"
    one = first_clone(tmp_path, server, STORYFORGE_CACHE=url)
    two = second_clone(tmp_path, one)
    before = len(server.requests)
    report, progress = run(options(two, server, STORYFORGE_CACHE=url))
    assert report.exit_code == 0 and report.calls == 0
    assert generate_calls(server, before) == []
    assert out_files(two.parent / "out") == out_files(one.parent / "out")
    secret, endpoint = s3_env.env()["AWS_SECRET_ACCESS_KEY"], s3_env.endpoint
    written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    for needle in (secret, endpoint):
        assert needle not in progress
        assert not any(needle.encode() in data for data in written), needle


def test_read_only_mode_downloads_and_never_uploads(tmp_path: Path, server: FakeGemini) -> None:
    cache = tmp_path / "nas"
    cache.mkdir()
    one = first_clone(tmp_path, server, STORYFORGE_CACHE=str(cache))
    files = sorted(p for p in cache.rglob("*"))
    text = one.read_text("utf-8").replace("c a gull", "c two gulls")
    two = write_story(tmp_path / "two", text)
    opts = options(two, server, STORYFORGE_CACHE=str(cache), STORYFORGE_CACHE_MODE="read")
    report, progress = run(opts)
    assert report.exit_code == 0 and report.calls == 1  # only the changed panel is paid
    assert "read-only" in progress
    assert sorted(p for p in cache.rglob("*")) == files


def test_no_cache_builds_from_the_local_store_only(tmp_path: Path, server: FakeGemini) -> None:
    cache = tmp_path / "nas"
    cache.mkdir()
    one = first_clone(tmp_path, server, STORYFORGE_CACHE=str(cache))
    two = second_clone(tmp_path, one)
    opts = options(two, server, STORYFORGE_CACHE=str(cache))
    report, _ = run(BuildOptions(**{**_fields(opts), "cache": False}))
    assert report.calls == ALL_CALLS


def test_storyforge_toml_at_the_repository_root_names_the_cache(
    tmp_path: Path, server: FakeGemini
) -> None:
    (tmp_path / "nas").mkdir()
    for clone in ("one", "two"):
        (tmp_path / clone / ".git").mkdir(parents=True)
        (tmp_path / clone / "storyforge.toml").write_text('cache = "../nas"\n', "utf-8")
    story = write_story(tmp_path / "one" / "boards")
    assert run(options(story, server))[0].calls == ALL_CALLS
    two = write_story(tmp_path / "two" / "boards")
    report, progress = run(options(two, server))
    assert report.calls == 0
    assert "from " + str(tmp_path / "two" / "storyforge.toml") in progress


def test_a_damaged_shared_object_is_paid_for_again_and_told(
    tmp_path: Path, server: FakeGemini
) -> None:
    cache = tmp_path / "nas"
    cache.mkdir()
    one = first_clone(tmp_path, server, STORYFORGE_CACHE=str(cache))
    lock = json.loads((one.parent / "story.lock").read_text("utf-8"))
    sha = lock["steps"]["c"]["sha256"]
    damaged = cache / "objects" / sha[:2] / sha[2:]
    damaged.write_bytes(bytes(damaged.stat().st_size))
    two = write_story(tmp_path / "two", one.read_text("utf-8"))
    report, progress = run(options(two, server, STORYFORGE_CACHE=str(cache)))
    assert report.exit_code == 0 and report.calls == 1
    assert "does not match its hash" in progress
    # The fake server draws the same bytes for the same request: the object is repaired.
    assert hashlib.sha256(damaged.read_bytes()).hexdigest() == sha


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORYFORGE_CACHE": "s3://user:secret@bucket"}, "no credential"),
        ({"STORYFORGE_CACHE": "/nowhere/mounted"}, "does not exist; mount or create it"),
        ({"STORYFORGE_CACHE": "/tmp", "STORYFORGE_CACHE_MODE": "write"}, "not 'read'"),
    ],
)
def test_a_misconfigured_cache_is_one_line_naming_the_fix(
    tmp_path: Path, server: FakeGemini, env: dict[str, str], message: str
) -> None:
    story = write_story(tmp_path / "one")
    with pytest.raises(UsageError, match=message) as refused:
        run(options(story, server, **env))
    assert "\n" not in str(refused.value) and "secret" not in str(refused.value)
    assert server.requests == []


def _fields(opts: BuildOptions) -> dict[str, Any]:
    return {name: getattr(opts, name) for name in BuildOptions.__dataclass_fields__}


def _main(args: list[str]) -> int:
    from storyforge.cli import main

    with pytest.raises(SystemExit) as stop:
        main(args)
    assert isinstance(stop.value.code, int)
    return stop.value.code


def test_the_command_line_plans_from_the_cache_and_leaves_it_with_no_cache(
    tmp_path: Path,
    server: FakeGemini,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache = tmp_path / "nas"
    cache.mkdir()
    for name, value in {**fake_env(server), "STORYFORGE_CACHE": str(cache)}.items():
        monkeypatch.setenv(name, value)
    one = write_story(tmp_path / "one")
    assert _main(["build", str(one), "--provider", "gemini"]) == 0
    two = second_clone(tmp_path, one)
    capsys.readouterr()
    assert _main(["plan", str(two), "--provider", "gemini"]) == 0
    out, err = capsys.readouterr()
    assert "0 calls" in out and f"shared cache {cache}" in err
    assert _main(["plan", str(two), "--provider", "gemini", "--no-cache"]) == 0
    out, err = capsys.readouterr()
    assert f"{ALL_CALLS} calls" in out and "shared cache" not in err
    shared = sorted(cache.rglob("*"))
    before = len(server.requests)
    assert _main(["build", str(two), "--provider", "gemini", "--cache-read-only"]) == 0
    assert generate_calls(server, before) == []
    assert sorted(cache.rglob("*")) == shared
    assert "read-only" in capsys.readouterr().err


def test_an_unreachable_bucket_is_told_once_and_the_build_goes_on(
    tmp_path: Path, server: FakeGemini, s3_env: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.s3_support import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    story = write_story(tmp_path / "one")
    report, progress = run(options(story, server, STORYFORGE_CACHE="s3://gone/cache"))
    assert report.exit_code == 0 and report.calls == ALL_CALLS
    assert progress.count("cannot be reached") == 1
    assert "127.0.0.1" not in progress
