"""Allow `python -m storyforge`."""

from storyforge.cli import main

main()
