"""Allow `python -m storyforge`."""

from storyforge.cli import run

run()
