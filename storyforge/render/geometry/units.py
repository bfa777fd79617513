"""Units: inches, millimetres and pixels at a resolution, all to and from points."""

from __future__ import annotations

POINTS_PER_INCH = 72.0
MM_PER_INCH = 25.4


def inches(value: float) -> float:
    """Points in `value` inches."""
    return value * POINTS_PER_INCH


def mm(value: float) -> float:
    """Points in `value` millimetres."""
    return value * POINTS_PER_INCH / MM_PER_INCH


def pt_to_px(value: float, dpi: float) -> float:
    """Pixels (not rounded) that `value` points cover at `dpi`."""
    return value * dpi / POINTS_PER_INCH


def px_to_pt(value: float, dpi: float) -> float:
    """Points that `value` pixels cover at `dpi`."""
    return value * POINTS_PER_INCH / dpi
