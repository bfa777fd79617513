"""`storyforge diff` on a git repository made here, one commit per change a reviewer meets."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from storyforge.build.diff import StepDiff, StoryDiff
from storyforge.build.diff_render import MARKDOWN_LIMIT, format_markdown
from storyforge.build.diff_sides import is_flagged
from storyforge.store.lock import LockEntry

from .build_support import run_main
from .compiler_support import assert_snapshot

GIT = "/usr/bin/git"
BASE = """\
storyforge: 1.1
title: The Lighthouse
aspect_ratio: "1:1"
characters:
  mara: {name: Mara, description: a keeper in a yellow raincoat, sheet: true}
scenes:
  - id: one
    continuity: none
    panels:
      - {id: lamp, prompt: a lamp on a table, takes: 2}
      - {id: stairs, characters: [mara], prompt: "{{ mara.name }} climbs the stairs"}
      - {id: gull, prompt: a gull on the rail, caption: Dawn.}
      - {id: door, prompt: a red door}
      - {id: rope, prompt: a coil of rope}
      - {id: sea, prompt: the grey sea}
  - id: two
    continuity: none
    panels:
      - {id: boat, prompt: a small boat}
"""
# Every class at once: mara's description (her sheet and stairs regenerate), sea's prompt
# under a pick (stale), lamp's take 2 picked, gull's caption and sfx (re-lettered), door
# moved to scene two, rope removed, kite added, boat untouched.
HEAD = """\
storyforge: 1.1
title: The Lighthouse
aspect_ratio: "1:1"
characters:
  mara: {name: Mara, description: a keeper in a green raincoat, sheet: true}
scenes:
  - id: one
    continuity: none
    panels:
      - {id: lamp, prompt: a lamp on a table, takes: 2}
      - {id: stairs, characters: [mara], prompt: "{{ mara.name }} climbs the stairs"}
      - {id: gull, prompt: a gull on the rail, caption: Dawn breaks., sfx: [{text: KRAA}]}
      - {id: sea, prompt: the grey sea at night}
  - id: two
    continuity: none
    panels:
      - {id: door, prompt: a red door}
      - {id: boat, prompt: a small boat}
      - {id: kite, prompt: a kite over the cliff}
"""
EXPECTED = {
    "mara.sheet": "regenerated",
    "lamp": "take-switched",
    "stairs": "regenerated",
    "gull": "relettered",
    "sea": "stale",
    "door": "moved",
    "boat": "unchanged",
    "kite": "added",
    "rope": "removed",
}


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run([GIT, "-C", str(repo), *args], capture_output=True, check=True)
    return done.stdout.decode()


@dataclass(frozen=True)
class Repo:
    top: Path
    folder: Path  # the story's folder, boards/ inside the repository

    @property
    def story(self) -> Path:
        return self.folder / "story.yaml"

    def commit(self, message: str) -> None:
        _git(self.top, "add", "-A")
        _git(self.top, "commit", "-q", "-m", message)


def _sketch(*args: str) -> None:
    assert run_main([*args, "--provider", "sketch"]) == 0


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """base: built with sea's take picked; head: every change of HEAD built and committed."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")  # nobody's own git settings
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_DATE", "2026-01-01T12:00:00Z")
    top = tmp_path / "repo"
    folder = top / "boards"
    folder.mkdir(parents=True)
    _git(top, "init", "-q", "-b", "main")
    _git(top, "config", "user.name", "Story Tester")
    _git(top, "config", "user.email", "tester@example.com")
    (top / ".gitignore").write_text("out/\n.storyforge/\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    made = Repo(top, folder)
    made.story.write_text(BASE, encoding="utf-8")
    _sketch("build", "story.yaml")
    _sketch("pick", "sea", "1")
    made.commit("base")
    made.story.write_text(HEAD, encoding="utf-8")
    _sketch("pick", "lamp", "2")
    _sketch("build", "story.yaml")
    made.commit("every change")
    return made


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run_main(["diff", *args, "--provider", "sketch"])
    out, err = capsys.readouterr()
    return code, out, err


def _classes(out: str) -> dict[str, str]:
    """step id -> class, read from the Markdown table."""
    rows = re.findall(r"^\| `([^`]+)` \| \S+ ([^|]+?) \|", out, re.MULTILINE)
    names = {"take switched": "take-switched", "re-lettered": "relettered"}
    found = {sid: names.get(label, label) for sid, label in rows}
    unchanged = re.search(r"unchanged</summary>\n\n(.*)\n", out)
    for sid in re.findall(r"`([^`]+)`", unchanged.group(1) if unchanged else ""):
        found[sid] = "unchanged"
    return {k: found[k].replace("approved but stale", "stale") for k in found}


def _normalized(text: str) -> str:
    """Hashes and commits numbered in order of appearance: rendering may vary by machine."""
    seen: dict[str, str] = {}
    return re.sub(r"\b[0-9a-f]{7,64}\b", lambda m: seen.setdefault(m[0], f"#{len(seen) + 1}"), text)


def test_every_class_between_two_commits(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _diff(capsys, "HEAD~1", "HEAD", "--format", "markdown")
    assert code == 1
    assert _classes(out) == EXPECTED
    assert_snapshot("diff-every-class.md", _normalized(out))


def test_reasons_name_the_field_or_input(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _diff(capsys, "HEAD~1", "HEAD")
    assert code == 1
    assert "prompt changed (characters.mara.description)" in _line(out, "mara.sheet")
    assert "input mara.sheet changed (characters.mara.description)" in _line(out, "stairs")
    assert "take 1 was picked for an earlier request: prompt changed" in _line(out, "sea")
    assert "take 1 → 2" in _line(out, "lamp")
    assert "caption, sfx changed; no call" in _line(out, "gull")
    assert "moved from one, panel 4 to two, panel 1" in _line(out, "door")
    assert "2 regenerated, 1 approved but stale, 1 take switched, 1 re-lettered" in out
    assert "building HEAD (" in out and ": 0 calls" in out


def _line(out: str, step_id: str) -> str:
    return next(line for line in out.splitlines() if f"  {step_id} " in line)


def test_images_come_from_the_store(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _diff(capsys, "HEAD~1", "HEAD", "--format", "markdown")
    old_lock = _git(repo.top, "show", "HEAD~1:boards/story.lock")
    new_lock = (repo.folder / "story.lock").read_text(encoding="utf-8")
    row = _row(out, "mara.sheet")
    before, after = re.findall(r"`([0-9a-f]{12})`", row)
    assert before in old_lock and after in new_lock and before != after
    assert re.findall(r"`([0-9a-f]{12})`", _row(out, "rope"))[0] in old_lock
    assert _row(out, "rope").endswith("| — |")


def _row(out: str, step_id: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"| `{step_id}` |"))


def test_nothing_changed_exits_0(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _diff(capsys)  # HEAD against the clean work tree
    assert code == 0
    assert "no differences" in out and "8 unchanged" in out
    assert _diff(capsys, "HEAD", "HEAD")[0] == 0


def test_work_tree_edits_not_built_yet(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    text = HEAD.replace("a small boat", "a small boat in a storm")
    repo.story.write_text(text, encoding="utf-8")
    index = (repo.top / ".git" / "index").read_bytes()
    status = _git(repo.top, "status", "--porcelain")
    code, out, _ = _diff(capsys, "--format", "markdown")
    assert code == 1
    assert _row(out, "boat").startswith("| `boat` | 🔴 regenerated | prompt changed")
    assert _row(out, "boat").endswith("; 1 call | `" + _row(out, "boat").split("`")[-2] + "` | — |")
    assert "**1 call**" in out and "at gemini prices" in out
    assert (repo.top / ".git" / "index").read_bytes() == index  # the index is not touched
    assert _git(repo.top, "status", "--porcelain") == status
    assert repo.story.read_text(encoding="utf-8") == text


def test_story_given_from_the_repository_top(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.top)
    code, out, _ = _diff(capsys, "HEAD~1", "--story", "boards/story.yaml")
    assert code == 1
    assert "diff: The Lighthouse (boards/story.yaml), HEAD~1 (" in out
    assert "→ the work tree" in out


def test_a_story_added_later_is_all_added(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _git(repo.top, "rev-list", "--max-parents=0", "HEAD").strip()
    other = repo.top / "extra"
    other.mkdir()
    (other / "story.yaml").write_text(BASE, encoding="utf-8")
    monkeypatch.chdir(other)
    code, out, _ = _diff(capsys, first)
    assert code == 1
    assert "8 added" in out and "9 calls" in out


def test_a_broken_revision_is_one_line_naming_it(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    for ref in ("no-such-branch", "HEAD~9"):
        code, out, err = _diff(capsys, ref)
        assert code == 2 and out == ""
        assert err.splitlines() == [
            f"storyforge: unknown revision '{ref}': not a commit of this repository; "
            "try HEAD~1, a branch or a tag (git log --oneline lists commits)"
        ]
    assert run_main(["diff", "--provider", "sketch", "--", "--output=x"]) == 2
    assert "'--output=x' is not a revision" in capsys.readouterr().err


def test_an_invalid_story_exits_2_naming_the_revision(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.story.write_text(HEAD.replace("characters: [mara]", "characters: [marra]"), "utf-8")
    code, _, err = _diff(capsys)
    assert code == 2
    assert err.startswith("story.yaml:11:")
    assert "did you mean 'mara'" in err and "Traceback" not in err
    repo.commit("a typo")
    repo.story.write_text(HEAD, encoding="utf-8")
    code, _, err = _diff(capsys)
    assert code == 2
    assert err.startswith("HEAD:boards/story.yaml:11:")


def test_outside_a_repository_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "story.yaml").write_text(BASE, encoding="utf-8")
    code, _, err = _diff(capsys)
    assert code == 2
    assert "is not in a git repository" in err and len(err.splitlines()) == 1


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and values.get("src"):
            self.sources.append(str(values["src"]))
        if values.get("id"):
            self.ids.append(str(values["id"]))


def test_html_shows_before_and_after_copied_from_the_store(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "review"
    code, _, err = _diff(capsys, "HEAD~1", "HEAD", "--html", str(folder))
    assert code == 1 and f"wrote {folder / 'index.html'}" in err
    page = _Page()
    page.feed((folder / "index.html").read_text(encoding="utf-8"))
    assert len(page.ids) == len(set(page.ids)) == 8  # one row per step that differs
    assert page.sources and "http" not in "".join(page.sources)
    store = repo.folder / ".storyforge" / "objects"
    for src in page.sources:
        data = (folder / src).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        assert (store / sha[:2] / sha[2:]).read_bytes() == data  # byte for byte
        assert Path(src).name.startswith(sha[:16])


def test_markdown_is_cut_between_rows_under_the_limit() -> None:
    rows = tuple(
        StepDiff(f"panel-{n:04d}", "regenerated", "prompt changed " + "x" * 200, "a" * 64, None)
        for n in range(2000)
    )
    diff = StoryDiff("story.yaml", "Long", "main (1234567)", "the work tree", "sketch", rows)
    text = format_markdown(diff)
    assert len(text) < MARKDOWN_LIMIT
    table = [line for line in text.splitlines() if line.startswith("| `panel-")]
    assert 100 < len(table) < 2000
    assert all(line.endswith(" | — |") for line in table)  # whole rows only
    assert f"_{2000 - len(table)} more changed steps not listed" in text
    assert "65,536 characters" in text


def test_markdown_folds_long_reasons_and_escapes_pipes() -> None:
    long = StepDiff("a", "regenerated", "prompt | changed " + "y" * 400)
    diff = StoryDiff("story.yaml", "T <b>", "HEAD (1234567)", "the work tree", "sketch", (long,))
    text = format_markdown(diff)
    assert "<details><summary>prompt \\| changed" in text
    assert "T &lt;b&gt;" in text


@dataclass(frozen=True, slots=True)
class _Approved(LockEntry):
    """A lock entry as it looks once the lock has an `approved` field."""

    approved: bool = False


def test_approved_entries_count_as_chosen() -> None:
    key = "0" * 64
    assert is_flagged(_Approved(key, approved=True))
    assert is_flagged(LockEntry(key, picked=True))
    assert not is_flagged(_Approved(key))


def test_a_fresh_clone_without_the_store_classifies_from_the_locks(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(repo.folder / ".storyforge")
    code, out, _ = _diff(capsys, "HEAD~1", "HEAD", "--format", "markdown")
    assert code == 1
    assert _classes(out) == EXPECTED
    # Nothing is stored here: building HEAD pays for every call but the picked takes of lamp
    # (2) and sea (1), which are never re-rolled (a build refuses them until forced).
    assert "**6 calls**" in out
