"""Time, pages and peak memory of a 500-panel contact sheet built from 1024x1024 PNG files.

Run: .venv/bin/python bench/bench_contact_sheet.py [PANELS]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from storyforge.outputs.sheet_pages import render_contact_sheet
from storyforge.render.contact_panel import SheetPanel

STATUSES = ("generated", "cached", "generated", "failed", "generated", "blocked", "skipped")


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def page_size(path: Path) -> tuple[int, int]:
    # Width and height from the IHDR chunk, without asking Pillow to open the page.
    header = path.read_bytes()[16:24]
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")


def make_images(folder: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        image = Image.linear_gradient("L").resize((1024, 1024)).convert("RGB")
        draw = ImageDraw.Draw(image)
        hue = (n * 37 % 255, n * 91 % 255, n * 53 % 255)
        draw.ellipse((200 + n % 300, 200, 700, 800), fill=hue)
        draw.rectangle((0, 900, 1024, 1024), fill=(n % 255, 80, 120))
        path = folder / f"panel-{n:03d}.png"
        image.save(path, compress_level=1)
        paths.append(path)
    return paths


def panels_for(paths: list[Path]) -> list[SheetPanel]:
    panels = []
    for n, path in enumerate(paths):
        status = STATUSES[n % len(STATUSES)]
        has_image = status in {"generated", "cached"}
        panels.append(
            SheetPanel(
                step_id=f"panel-{n:03d}",
                scene_id=f"scene-{n // 12:02d}",
                scene_title=f"Scene {n // 12}",
                shot=("wide", "close-up", "medium")[n % 3],
                caption="The keeper climbs the stairs as the storm arrives." if n % 2 else None,
                dialogue=(("Mara", "Another storm."),) if n % 3 == 0 else (),
                status=status,
                reason="" if has_image else "HTTP 503 after 5 attempts",
                image_path=path if has_image else None,
            )
        )
    return panels


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        paths = make_images(root, count)
        made = time.perf_counter() - started
        before = peak_rss_mb()
        panels = panels_for(paths)
        started = time.perf_counter()
        out = root / "contact_sheet.png"
        pages = render_contact_sheet("Benchmark story", panels, out)
        took = time.perf_counter() - started
        sizes = {page_size(page) for page in pages}
        total = sum(page.stat().st_size for page in pages)
        print(f"inputs:      {count} PNG files of 1024x1024 (made in {made:.1f} s)")
        shown = ", ".join(f"{w}x{h}" for w, h in sorted(sizes))
        print(f"sheet:       {len(pages)} pages of {shown} px, {total / 1e6:.1f} MB in all")
        print(f"wall time:   {took:.2f} s ({took / count * 1000:.1f} ms per panel)")
        print(f"peak RSS:    {peak_rss_mb():.0f} MB (before the sheet: {before:.0f} MB)")


if __name__ == "__main__":
    main()
