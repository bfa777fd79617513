"""A storyboard story for the board, viewer, serve and animatic tests, and builds of it."""

from __future__ import annotations

import asyncio
import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from storyforge.build.pipeline import BuildOptions, BuildReport, build
from storyforge.build.progress import Progress
from storyforge.fakeserver import FakeGemini, Faults

from .build_support import fake_env, write_story

# Mixed ratios, a shot of two boards, takes, every board field, and one panel the fake
# server blocks (its prompt has the block word).
BOARD_STORY = """\
storyforge: 1.1
title: The Lighthouse Keeper
aspect_ratio: "16:9"
characters:
  mara: {name: Mara, description: a keeper in a yellow raincoat}
scenes:
  - id: storm
    title: The storm comes in
    panels:
      - id: arrival
        characters: [mara]
        shot: wide
        camera: slow push in
        duration: 3
        action: Mara climbs the cliff path, wind tearing at her coat.
        caption: Every night for thirty years.
        notes: Hold on the lamp before she enters.
        prompt: "{{ mara.name }} climbs the cliff path at dusk"
      - id: knock
        characters: [mara]
        aspect_ratio: "21:9"
        duration: 1.5
        prompt: "{{ mara.name }} knocks at the door"
        dialogue: [{who: mara, text: "Who's there at this hour?"}]
      - id: lamp
        shot: close-up
        aspect_ratio: "9:16"
        takes: 2
        prompt: "the great lamp is lit"
        sfx: [{text: KLANK}]
  - id: dawn
    title: Morning
    continuity: none
    panels:
      - id: boat
        shot: over-the-shoulder
        duration: 2.5
        prompt: "a forbidden boat rounds the cliff"
        caption: At dawn, a sail.
      - id: jetty
        shot: wide
        aspect_ratio: "1:1"
        duration: 0.75
        prompt: "the jetty in the first light"
        dialogue: [{text: "Papa!", who: mara, kind: shout}]
"""
BOARD_IDS = ("arrival", "knock", "lamp", "boat", "jetty")
DURATIONS = (3.0, 1.5, 2.0, 2.5, 0.75)  # lamp has none: 2 s
BLOCKED = "boat"


def image_paths(out: Path) -> dict[str, list[str]]:
    """Each step's image paths in OUT by take, from the manifest (the selected take first)."""
    data = json.loads((out / "manifest.json").read_text("utf-8"))
    return {
        s["id"]: sorted((o["path"] for o in s["outputs"]), key=lambda p: ("/" in p, p))
        for s in data["steps"]
    }


def build_boards(folder: Path, outputs: tuple[str, ...], text: str = BOARD_STORY) -> BuildReport:
    """Build the board story against the fake server (which blocks `boat`)."""
    story = write_story(folder, text)
    with FakeGemini(faults=Faults(block_word="forbidden")) as srv:
        options = BuildOptions(story=story, provider="gemini", env=fake_env(srv), outputs=outputs)
        # A thread of its own: Playwright's sync API keeps an event loop running in this one.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(
                asyncio.run, build(options, Progress(io.StringIO(), live=False))
            ).result()
