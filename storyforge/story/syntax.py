"""Word YAML syntax errors plainly, the same whichever YAML parser found them.

libyaml and the pure-Python parser describe the same mistake differently, so the
message is chosen from what the mistake is, and placed where the user can fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storyforge.diagnostics import Diagnostic

_TAB = "tab character used for indentation; use spaces"
_LAYOUT = "unexpected text here; check the indentation, or quote the whole value"

# (words in the parser's problem, words in its context, message, shown at the context mark)
_RULES: tuple[tuple[str, str, str, bool], ...] = (
    ("mapping values", "", "a ':' is not allowed here; check the indentation, "
     "or quote text that contains ': '", False),
    ("unexpected ':'", "", "a ':' is not allowed here; check the indentation, "
     "or quote text that contains ': '", False),
    ("expected ':'", "simple key", "expected `key: value`; add the ':' or fix the indentation",
     True),
    ("mapping keys", "", "a key is not allowed here; check the indentation", False),
    ("node content", "", "a value is missing here", False),
    ("document start", "", "a line starting with '%' is a YAML directive; remove it", False),
    ("directive", "", "a line starting with '%' is a YAML directive; remove it", False),
    ("undefined alias", "", "unknown alias; define the anchor (&name) before its alias "
     "(*name)", False),
    ("second occurrence", "", "anchor defined twice; give this one another name", False),
    ("another document", "", "a story is one YAML document; remove the second '---'", False),
    ("escape", "quoted scalar", "unknown escape sequence in double quotes; "
     "use single quotes for text with backslashes", True),
    ("", "quoted scalar", "unclosed quote; end the text with the same quote it starts with",
     True),
    ("", "flow sequence", "unclosed '['; separate items with ',' and end the list with ']'",
     True),
    ("", "flow mapping", "unclosed '{'; separate entries with ',' and end them with '}'", True),
    ("", "an anchor", "an anchor (&) needs a name right after it", True),
    ("", "an alias", "an alias (*) needs a name right after it", True),
    ("", "block scalar", "bad block text header; write | or > alone at the end of the line",
     True),
    ("cannot start any token", "", "a value cannot start with this character; "
     "put the value in quotes", False),
    ("expected key", "", _LAYOUT, False),
    ("<block end>", "", _LAYOUT, False),
    ("'-' indicator", "", _LAYOUT, False),
)  # fmt: skip


_UNCLOSED = {
    "[": "unclosed '['; separate items with ',' and end the list with ']'",
    "{": "unclosed '{'; separate entries with ',' and end them with '}'",
}


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """What a YAML parser reported: its problem and context texts and their 0-based marks."""

    problem: str
    context: str
    line: int
    column: int
    context_line: int | None = None
    context_column: int | None = None

    @classmethod
    def of(cls, error: Any) -> SyntaxProblem:
        """Read a YAML parser's error (`problem`, `context` and their marks) without yaml."""
        problem, context = error.problem_mark, error.context_mark
        mark = problem or context
        return cls(
            problem=error.problem or "",
            context=error.context or "",
            line=mark.line if mark else 0,
            column=mark.column if mark else 0,
            context_line=context.line if context else None,
            context_column=context.column if context else None,
        )


def syntax_diagnostic(file: str, text: str, found: SyntaxProblem) -> Diagnostic:
    """One located, plainly worded diagnostic for a YAML syntax error in `text`."""
    rows = text.split("\n")
    line, column = found.line, found.column
    if line >= len(rows):  # libyaml can point just past the last line
        line, column = len(rows) - 1, len(rows[-1])
    row = rows[line]
    if (column < len(row) and row[column] == "\t") or "tab character" in found.problem:
        indent = row[: len(row) - len(row.lstrip(" \t"))]
        if "\t" in indent:
            return Diagnostic(file, line + 1, indent.index("\t") + 1, "", _TAB)
        return Diagnostic(file, line + 1, column + 1, "", "tab character here; use a space")
    if "node content" in found.problem and not "".join(rows[line:])[column:].strip():
        opened = unclosed_bracket(text)  # the file ended inside a [ … ] or { … }
        if opened is not None:
            at_line, at_column, bracket = opened
            return Diagnostic(file, at_line, at_column, "", _UNCLOSED[bracket])
    for in_problem, in_context, message, at_context in _RULES:
        if in_problem in found.problem and in_context in found.context:
            if at_context and found.context_line is not None:
                line, column = found.context_line, found.context_column or 0
            return Diagnostic(file, line + 1, column + 1, "", message)
    return Diagnostic(file, line + 1, column + 1, "", f"invalid YAML: {found.problem}")


def control_character_diagnostic(file: str, text: str, position: int, code: int) -> Diagnostic:
    """A diagnostic for a control character YAML does not allow, at its offset in `text`."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return Diagnostic(file, line, column, "", f"control character U+{code:04X}; remove it")


def unclosed_bracket(text: str) -> tuple[int, int, str] | None:
    """Where the innermost `[` or `{` still open at the end of `text` is (1-based), if any.

    Quoted text and comments are skipped; this is only asked once the parser has already
    found the file ending inside a flow collection, so it need not be a full YAML lexer.
    """
    stack: list[tuple[int, int, str]] = []
    for number, row in enumerate(text.split("\n"), start=1):
        quote = ""
        for column, char in enumerate(row, start=1):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "#" and (column == 1 or row[column - 2] in " \t"):
                break
            elif char in "[{":
                stack.append((number, column, char))
            elif char in "]}" and stack:
                stack.pop()
    return stack[-1] if stack else None
