"""How compiled templates are bounded: loops tick, literals are measured, buffers count.

Jinja compiles a template to Python. Three changes to what it compiles let the sandbox see
work that would otherwise run without any hook: every `{% for %}` iterates through a filter
that checks the deadline, every list, tuple, dict literal and `~` goes through a filter that
measures it, and every macro or `{% set %}` buffer counts what is written into it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

import jinja2.compiler
import jinja2.nodes as nodes
from jinja2.visitor import NodeTransformer

from storyforge.compile.bounds import check_total

LOOPED, MADE, CONCAT = "sf_looped", "sf_made", "sf_concat"  # the filters these go through


class Buffer(list[Any]):
    """A macro's or `{% set %}` block's output, which Jinja collects in a list: bounded."""

    __slots__ = ("_size", "_tick")

    def __init__(self, tick: Callable[[], None]) -> None:
        super().__init__()
        self._tick = tick
        self._size = 0

    def append(self, item: Any) -> None:
        """Append one piece of output, refused once the buffer passes the prompt limit."""
        self._grow((item,))
        super().append(item)

    def extend(self, items: Iterable[Any]) -> None:
        """Append pieces of output, refused once the buffer passes the prompt limit."""
        parts = tuple(items)
        self._grow(parts)
        super().extend(parts)

    def _grow(self, parts: tuple[Any, ...]) -> None:
        self._tick()
        self._size += sum(len(p) for p in parts if isinstance(p, str))
        check_total(self._size)


class Generator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, with buffers that count what is written into them."""

    def buffer(self, frame: jinja2.compiler.Frame) -> None:
        """Start the frame's buffer as a bounded one from the environment."""
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.new_buffer()")


class Bounds(NodeTransformer):
    """Rewrites a parsed template so loops tick the deadline and every literal is measured."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        """Iterate through the deadline's filter."""
        self.generic_visit(node)
        node.iter = _through(LOOPED, cast("nodes.Expr", node.iter))
        return node

    def visit_List(self, node: nodes.Expr) -> nodes.Node:
        """Measure a list or dict literal once it is made."""
        self.generic_visit(node)
        return _through(MADE, node)

    visit_Dict = visit_List

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        """Measure a tuple that is made (not one assigned to)."""
        self.generic_visit(node)
        return _through(MADE, node) if node.ctx == "load" else node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        """Measure the parts of a `~` before they are joined."""
        self.generic_visit(node)
        return _through(CONCAT, nodes.Tuple(node.nodes, "load", lineno=node.lineno))


def _through(name: str, node: nodes.Expr) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)
