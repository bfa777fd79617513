"""A stranger's template cannot run forever or make gigabytes: each refusal is one located line."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyforge.cli import main
from storyforge.compile import limits

HEAD = "storyforge: 1\ntitle: T\nscenes:\n  - id: s\n    panels:\n      - id: p\n"
TOO_LONG = "template text longer than 100,000 characters"
BIG_X = '("x" * 99999)'
NS = '{% set ns = namespace(x="ab") %}'


def _validate(tmp_path: Path, prompt: str, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "story.yaml").write_text(HEAD + f"        prompt: '{prompt}'\n")
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(tmp_path / "story.yaml")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{tmp_path / 'story.yaml'}:7:17: scenes[0].panels[0].prompt: ")
    assert err.count("\n") == 1
    return err


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "prompt",
    [
        "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
        "{% set r = range(99999) %}{% for a in r %}{% for b in r %}{% for c in r %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{% if f(1) %}{% endif %}",
        "{% for a in range(99999) recursive %}{{ loop(range(99999)) }}{% endfor %}",
    ],
)
def test_a_template_that_runs_forever_is_stopped(
    tmp_path: Path,
    prompt: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0.2)
    err = _validate(tmp_path, prompt, capsys)
    assert "template ran longer than 0.2 seconds; simplify its loops" in err or ("recursion" in err)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "prompt",
    [
        '{{ "a".ljust(1000000000) }}',
        '{{ "a".rjust(1000000000, "b") }}',
        '{{ "a".center(1000000000) }}',
        '{{ "a".zfill(10 ** 9) }}',
        '{{ "a" | center(1000000000) }}',
        '{{ "a" | indent(1000000000, true) }}',
        '{{ ("a\\n" * 50000) | indent(99999) }}',
        '{{ "%1000000000d" % 1 }}',
        '{{ "%.1000000000f" % 1.5 }}',
        '{{ "%*d" % (1000000000, 1) }}',
        '{{ "%1000000000s" | format("x") }}',
        '{{ "{:>1000000000}".format(1) }}',
        '{{ "{0:{1}}".format("x", 1000000000) }}',
        '{{ "{x:>1000000000}".format_map({"x": 1}) }}',
        "{{ " + BIG_X + ' | replace("x", ' + BIG_X + ") }}",
        "{{ " + BIG_X + '.replace("x", ' + BIG_X + ") }}",
        "{{ " + BIG_X + '.replace("", ' + BIG_X + ") }}",
        "{{ " + BIG_X + ".translate({120: " + BIG_X + "}) }}",
        '{{ ("\\t" * 99999).expandtabs(99999) }}',
        "{{ range(99999) | join(" + BIG_X + ") }}",
        "{{ " + BIG_X + '.join(["a"] * 99999) }}',
        '{{ "x" | wordwrap(1, wrapstring=' + BIG_X + ") }}",
        '{{ ("ab" * 49999) | wordwrap(1, wrapstring=' + BIG_X + ") }}",
        "{{ [[1] * 99999] * 99999 }}",
        "{{ [" + BIG_X + "] * 99999 }}",
        "{{ (" + BIG_X + ", " + BIG_X + ") }}",
        "{{ " + BIG_X + " ~ " + BIG_X + " }}",
        "{{ " + BIG_X + " + " + BIG_X + " }}",
        "{{ [1] | batch(1000000000, 0) | list }}",
        "{{ [1] | slice(1000000000, 0) | list }}",
        NS + "{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x | length }}",
        NS + "{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x | length }}",
        NS + "{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x }}",
        NS + "{% for i in range(60) %}{% set ns.x = {1: ns.x, 2: ns.x} %}{% endfor %}{{ ns.x }}",
        NS + "{% for i in range(60) %}{% set ns.x = (ns.x, ns.x) %}{% endfor %}{{ ns.x | string }}",
        "{% macro m() %}{% for i in range(99999) %}{{ " + BIG_X + " ~ i }}{% endfor %}"
        "{% endmacro %}{{ m() | length }}",
        "{% set y %}{% for i in range(99999) %}{{ " + BIG_X + " ~ i }}{% endfor %}"
        "{% endset %}{{ y | length }}",
        "{% filter upper %}{% for i in range(99999) %}{{ " + BIG_X + " ~ i }}{% endfor %}"
        "{% endfilter %}",
    ],
)
def test_a_template_that_would_make_gigabytes_is_refused(
    tmp_path: Path, prompt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _validate(tmp_path, prompt, capsys)
    assert TOO_LONG in err


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "prompt",
    [
        "{{ (10 ** 64) ** 64 ** 2 }}",
        "{% set ns = namespace(x=10 ** 60) %}{% for i in range(40) %}"
        "{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x > 1 }}",
    ],
)
def test_a_template_that_would_make_a_giant_number_is_refused(
    tmp_path: Path, prompt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _validate(tmp_path, prompt, capsys)
    assert "too large in template" in err


def test_a_stopped_template_is_not_run_again_for_every_panel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0.2)
    hang = "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"
    panels = "".join(f"      - id: p{n}\n        prompt: '{hang}'\n" for n in range(50))
    (tmp_path / "story.yaml").write_text(HEAD.replace("      - id: p\n", "") + panels)
    with pytest.raises(SystemExit):
        main(["validate", str(tmp_path / "story.yaml")])
    err = capsys.readouterr().err
    assert err.count("template ran longer than 0.2 seconds") == 50
