"""A small lettered book story for the page and PDF tests, and what its pages show."""

from __future__ import annotations

BOOK = """\
storyforge: 1.1
title: Pages test
characters:
  mara: {name: Mara}
  tomas: {name: Tomas}
book: {preset: us-comic, dpi: 72}
scenes:
  - id: one
    layout: [[1], [1, 1]]
    continuity: none
    panels:
      - id: a
        characters: [mara, tomas]
        prompt: a lighthouse at night
        caption: Night.
        dialogue:
          - {who: mara, text: "Another storm."}
          - {who: tomas, text: "Will he come?", kind: whisper}
      - id: b
        characters: [mara]
        prompt: spiral stairs
        dialogue: [{who: mara, text: "Up we go.", kind: shout}]
      - id: c
        prompt: a lamp
        sfx: [{text: KRAK}]
  - id: two
    layout: splash
    continuity: none
    panels:
      - id: d
        prompt: the sea at dawn
        dialogue: [{text: "Dawn came.", kind: narration}]
"""
# Every lettered text of the book, in reading order.
TEXTS = ["Night.", "Another storm.", "Will he come?", "Up we go.", "KRAK", "Dawn came."]
PANELS = ("a", "b", "c", "d")
