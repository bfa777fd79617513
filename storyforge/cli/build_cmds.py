"""Commands of the CLI (filled in per command group)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
