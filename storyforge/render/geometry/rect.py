"""An axis-aligned rectangle, the one shape every layout function returns."""

from __future__ import annotations

from dataclasses import dataclass

EPSILON = 1e-6  # points; float sums of gutters and widths are compared with this slack


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle: top-left corner, width and height, y pointing down."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """The x of the right edge."""
        return self.x + self.width

    @property
    def bottom(self) -> float:
        """The y of the bottom edge."""
        return self.y + self.height

    @property
    def center(self) -> tuple[float, float]:
        """The centre point."""
        return (self.x + self.width / 2, self.y + self.height / 2)

    @property
    def ratio(self) -> float:
        """Width over height."""
        return self.width / self.height

    def inset(self, dx: float, dy: float | None = None) -> Rect:
        """This rectangle shrunk by `dx` left and right and `dy` (default dx) top and bottom."""
        dy = dx if dy is None else dy
        return Rect(self.x + dx, self.y + dy, self.width - 2 * dx, self.height - 2 * dy)

    def moved(self, dx: float, dy: float) -> Rect:
        """This rectangle shifted by (dx, dy)."""
        return Rect(self.x + dx, self.y + dy, self.width, self.height)

    def scaled(self, factor: float) -> Rect:
        """This rectangle with every coordinate multiplied (points to pixels, say)."""
        return Rect(self.x * factor, self.y * factor, self.width * factor, self.height * factor)

    def contains(self, other: Rect) -> bool:
        """Whether `other` lies inside this rectangle (edges may touch)."""
        return (
            other.x >= self.x - EPSILON
            and other.y >= self.y - EPSILON
            and other.right <= self.right + EPSILON
            and other.bottom <= self.bottom + EPSILON
        )

    def overlaps(self, other: Rect) -> bool:
        """Whether the two rectangles share area (touching edges do not count)."""
        return (
            self.x < other.right - EPSILON
            and other.x < self.right - EPSILON
            and self.y < other.bottom - EPSILON
            and other.y < self.bottom - EPSILON
        )

    def mirrored(self, axis_x: float) -> Rect:
        """This rectangle reflected about the vertical line x = axis_x."""
        return Rect(2 * axis_x - self.right, self.y, self.width, self.height)

    def as_box(self) -> tuple[int, int, int, int]:
        """Rounded (left, top, right, bottom) for pixel APIs."""
        return (round(self.x), round(self.y), round(self.right), round(self.bottom))
