"""Text measured in the bundled fonts, in points: the `Measure` that lettering layouts use."""

from __future__ import annotations

from storyforge.render.balloons import TextBlock
from storyforge.render.text import font, wrap

# Measured at 8 px per point: large enough that hinting leaves widths within a few hundredths
# of the unhinted advances the PDF uses, so PNG and PDF wrap the same lines.
SCALE = 8
LEADING = 1.18  # baseline to baseline, in ems: tighter than body text, as lettering is
CAP_HEIGHT = 0.714  # Noto Sans capitals, in ems: centres lines in their slots
MAX_LINES = 60


def measure_text(text: str, size: float, width: float) -> TextBlock:
    """The text wrapped to `width` points at `size` points, with each line's width."""
    face = font(round(size * SCALE))
    lines = wrap(text, face, width * SCALE, MAX_LINES) or [""]
    widths = tuple(face.getlength(line) / SCALE for line in lines)
    return TextBlock(tuple(lines), widths, size, size * LEADING)


def baseline(top: float, index: int, block: TextBlock) -> float:
    """The baseline of line `index` of a block whose first line starts at `top`."""
    return top + index * block.leading + block.leading / 2 + block.size * CAP_HEIGHT / 2
