from __future__ import annotations

import io

from storyforge.build.progress import Progress, format_failures, format_step, format_summary
from storyforge.outputs.results import StepResult

GENERATED = StepResult("stairs", "generated", calls=1, cost_usd=0.039, seconds=6.24)
CACHED = StepResult("lamp", "cached")
FAILED = StepResult("poster", "failed", reason="HTTP 503 overloaded")
BLOCKED = StepResult("ghost", "blocked", reason="IMAGE_SAFETY")
SKIPPED = StepResult("later", "skipped", reason="input poster failed")


def test_plain_lines_per_step() -> None:
    assert format_step(GENERATED) == "  generated  stairs  (1 call, $0.039, 6.2 s)"
    assert format_step(CACHED) == "  cached     lamp"
    assert format_step(FAILED) == "  FAILED     poster: HTTP 503 overloaded"
    assert format_step(BLOCKED) == "  BLOCKED    ghost: IMAGE_SAFETY"
    assert format_step(SKIPPED) == "  skipped    later: input poster failed"
    stale = StepResult("lamp", "cached", stale=True, warning="take 2 was picked earlier")
    assert format_step(stale) == "  stale      lamp: take 2 was picked earlier"


def test_summary_counts_what_happened() -> None:
    results = [GENERATED, CACHED, CACHED, FAILED]
    assert (
        format_summary(results, 3, 0.1234, "out/contact_sheet.png")
        == "4 steps: 1 generated, 2 cached, 1 failed; 3 calls, $0.12 — out/contact_sheet.png"
    )
    assert format_summary([], 0, 0.0, None) == "0 steps: nothing to do; 0 calls, $0.00"


def test_failures_are_listed_one_per_line() -> None:
    assert format_failures([GENERATED, FAILED, BLOCKED, SKIPPED]) == [
        "storyforge: poster failed: HTTP 503 overloaded",
        "storyforge: ghost blocked: IMAGE_SAFETY; the model refused this panel: reword its "
        "prompt (or change its references)",
    ]
    where = {"ghost": "story.yaml:14:9"}
    assert format_failures([BLOCKED], where)[0].startswith(
        "story.yaml:14:9: ghost blocked: IMAGE_SAFETY; the model refused this panel: reword"
    )


def test_plain_mode_writes_a_line_per_finished_step() -> None:
    stream = io.StringIO()
    progress = Progress(stream, live=False)
    progress.start("Story", 2)
    progress.notice("a notice")
    progress.call_started("stairs")
    progress.step_finished(GENERATED)
    progress.step_finished(CACHED)
    progress.stop()
    assert stream.getvalue().splitlines() == [
        "a notice",
        "  generated  stairs  (1 call, $0.039, 6.2 s)",
        "  cached     lamp",
    ]


def test_live_mode_counts_and_shows_failures_above_the_bar() -> None:
    stream = io.StringIO()
    progress = Progress(stream, live=True)
    progress.start("Story", 3)
    progress.call_started("stairs")
    assert "1 running" in progress._render().plain
    progress.step_finished(GENERATED)
    progress.step_finished(FAILED)
    line = progress._render().plain
    assert "2/3 steps" in line and "1 generated" in line and "1 failed" in line
    assert "$0.04" in line and "ETA" in line
    progress.stop()
    assert "FAILED     poster: HTTP 503 overloaded" in stream.getvalue()
    assert "generated  stairs" not in stream.getvalue()
