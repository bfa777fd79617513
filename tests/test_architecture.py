"""The house in wings: the layering contracts hold, and a wrong import breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
GROUND = {
    "__init__.py",
    "__main__.py",
    "errors.py",
    "diagnostics.py",
    "mime.py",
    "capabilities.py",
    "names.py",
}


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=package_parent, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "storyforge", tmp_path / "storyforge",
                    ignore=shutil.ignore_patterns("__pycache__", "fonts"))  # fmt: skip
    return tmp_path


def test_the_contracts_are_kept() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_only_the_ground_floor_sits_directly_in_the_package() -> None:
    assert {p.name for p in (ROOT / "storyforge").glob("*.py")} == GROUND


def test_the_story_wing_importing_the_build_breaks_the_layers(tmp_path: Path) -> None:
    parent = copy_of_the_package(tmp_path)
    models = parent / "storyforge" / "story" / "models.py"
    models.write_text(models.read_text() + "\nimport storyforge.build.pipeline  # wrong way\n")
    run = lint_imports(parent)
    assert run.returncode == 1
    assert "storyforge.story.models -> storyforge.build.pipeline" in run.stdout


def test_the_fake_server_importing_the_client_breaks_two_contracts(tmp_path: Path) -> None:
    parent = copy_of_the_package(tmp_path)
    app = parent / "storyforge" / "fakeserver" / "app.py"
    app.write_text(app.read_text() + "\nimport storyforge.providers.wire  # shares client code\n")
    run = lint_imports(parent)
    assert run.returncode == 1
    assert "2 broken" in run.stdout


def test_a_circle_inside_a_package_breaks_the_acyclic_contract(tmp_path: Path) -> None:
    parent = copy_of_the_package(tmp_path)
    draw = parent / "storyforge" / "render" / "contact_panel.py"
    draw.write_text(draw.read_text() + "\nimport storyforge.render.contact  # a circle\n")
    run = lint_imports(parent)
    assert run.returncode == 1
    assert "No package has a circle among its modules BROKEN" in run.stdout
