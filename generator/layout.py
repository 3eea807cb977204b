"""Black's layout without black, for the code the templates emit.

The templates write every statement on one line, in black's spacing. A line that fits in
``LINE_LENGTH`` columns is left alone; a longer one is split the way black splits a line with a
*magic trailing comma*: after the bracket black would split at, one element per line, each
followed by a comma, then the closing bracket on its own line (recursively, for an element that
is still too long). Black keeps such a layout as it is, so the result is black-stable.

``fit`` returns None for anything it cannot lay out with certainty (a long line that is a
comprehension, a lambda, an operator expression, a subscript, a comment, ...); ``format`` hands
those pieces to black. ``tests/test_layout.py`` runs black over what ``fit`` returns for every
seed and fixture spec and requires no change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

LINE_LENGTH = 100
INDENT = "    "

_OPEN = "([{"
_CLOSE = ")]}"
_STRING_START = re.compile(r"""[rRbBuUfF]{0,2}("|')""")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Top-level words that make a split at a comma ambiguous (black splits these at other points).
_BARRIERS = frozenset({"for", "if", "else", "lambda", "and", "or", "not", "in", "is"})
# A head black splits at its last bracket: an optional `return`/`await`/assignment target, then
# a name, a dotted call target or a collection opener.
_HEAD = re.compile(
    r"""^(?:(?:return|await|raise|yield) |[A-Za-z_][\w.]*(?:\["[^"\\]*"\])?(?:: [\w.\[\], |]+)? = |[A-Za-z_]\w*=|"[^"\\]*": )?"""
    r"""(?:await )?(?:[A-Za-z_][\w.]*\(|\[|\{|\()$"""
)
_DEF = re.compile(r"^(?:async )?def [A-Za-z_]\w*\($")


def fit(source: str) -> str | None:
    """``source`` with every over-long code line split as described above, or None when a line
    cannot be split with certainty (black must do it)."""
    lines = source.split("\n")
    kinds = code_lines(lines)
    if kinds is None:
        return None  # a string spanning lines that is not a docstring: black decides
    out: list[str] = []
    for line, is_code in zip(lines, kinds):
        if not is_code or _width(line) <= LINE_LENGTH:
            out.append(line)
            continue
        split = _split(line)
        if split is None:
            return None
        out.extend(split)
    return "\n".join(out)


def code_lines(lines: list[str]) -> list[bool] | None:
    """For each line, whether it is code (False: a line of a docstring, the only string that
    spans lines in what the templates write). None when a triple quote stands anywhere but at
    the start or end of a docstring, or a docstring is left open: the lines cannot be told
    apart without a parser."""
    kinds: list[bool] = []
    in_docstring = False
    for line in lines:
        if in_docstring:
            kinds.append(False)
            in_docstring = not _closes_docstring(line)
            continue
        stripped = line.lstrip(" ")
        if stripped.startswith(('"""', 'r"""')):
            kinds.append(False)
            in_docstring = not _closes_docstring(stripped[stripped.index('"""') + 3 :])
        elif '"""' in line or "'''" in line:
            return None
        else:
            kinds.append(True)
    return None if in_docstring else kinds


def _closes_docstring(text: str) -> bool:
    end = text.rstrip()
    return end.endswith('"""') and not end.endswith('\\"""')


def _width(line: str) -> int:
    # UTF-8 bytes are never fewer than black's columns (wide characters count 2, take 3 bytes).
    return len(line) if line.isascii() else len(line.encode("utf-8"))


def _split(line: str) -> list[str] | None:
    indent = line[: len(line) - len(line.lstrip(" "))]
    code = line[len(indent) :]
    brackets = _brackets(code)
    if brackets is None or not brackets:
        return None
    if _DEF.match(code[: brackets[0][0] + 1]):
        opening, closing = brackets[0]  # black splits a def at its parameters
    else:
        opening, closing = max(brackets, key=lambda pair: pair[1])
    head, body, tail = code[: opening + 1], code[opening + 1 : closing], code[closing:]
    if not (_DEF.match(head) or _HEAD.match(head)):
        return None
    if tail not in (")", "]", "}", "),", "],", "},") and not _DEF.match(head):
        return None
    if _DEF.match(head) and not re.fullmatch(r"\)(?: -> [^#]*)?:", tail):
        return None
    if (
        code[opening] == "["
        and opening > 0
        and (code[opening - 1].isalnum() or code[opening - 1] in "_)]")
    ):
        return None  # a subscript: black treats its trailing comma differently
    if _width(indent + head) > LINE_LENGTH or _width(indent + tail) > LINE_LENGTH:
        return None
    elements = _elements(body)
    if elements is None:
        return None
    inner = indent + INDENT
    lines = [indent + head]
    for element in elements:
        element_line = f"{inner}{element},"
        if _width(element_line) <= LINE_LENGTH:
            lines.append(element_line)
            continue
        nested = _split(element_line)
        if nested is None:
            return None
        lines.extend(nested)
    lines.append(indent + tail)
    return lines


def _outside_strings(code: str) -> Iterator[tuple[int, str]] | None:
    """(index, character) of each character of ``code`` outside string literals; None for an
    unterminated, empty or triple-quoted string (never on a code line the layout splits)."""
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(code):
        char = code[i]
        match = _STRING_START.match(code, i) if char in "rRbBuUfF\"'" else None
        if match is not None and (i == 0 or not (code[i - 1].isalnum() or code[i - 1] == "_")):
            end = _string_end(code, match.end(), match.group(1))
            if end is None:
                return None
            i = end
            continue
        found.append((i, char))
        i += 1
    return iter(found)


def _brackets(code: str) -> list[tuple[int, int]] | None:
    """(opening, closing) index pairs of the brackets outside strings, in order of opening; None
    for a comment, an unbalanced bracket or an unterminated string."""
    chars = _outside_strings(code)
    if chars is None:
        return None
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, char in chars:
        if char == "#":
            return None
        if char in _OPEN:
            stack.append(i)
        elif char in _CLOSE:
            if not stack or _OPEN.index(code[stack[-1]]) != _CLOSE.index(char):
                return None
            pairs.append((stack.pop(), i))
    if stack:
        return None
    return sorted(pairs)


def _string_end(code: str, start: int, quote: str) -> int | None:
    if code.startswith(quote * 2, start):
        return None  # an empty string or a triple-quoted one: not on a code line we split
    i = start
    while i < len(code):
        if code[i] == "\\":
            i += 2
            continue
        if code[i] == quote:
            return i + 1
        i += 1
    return None


def _elements(body: str) -> list[str] | None:
    """``body`` cut at its top-level commas (a trailing comma dropped), or None when a top-level
    word makes the cut ambiguous (a comprehension, a lambda, a conditional)."""
    chars = _outside_strings(body)
    if chars is None:
        return None
    parts: list[str] = []
    depth = 0
    start = 0
    for i, char in chars:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif depth == 0 and char == ",":
            parts.append(body[start:i])
            start = i + 1
        elif depth == 0 and (char.isalpha() or char == "_"):
            if i == 0 or not (body[i - 1].isalnum() or body[i - 1] == "_"):  # a word starts
                word = _WORD.match(body, i)
                if word is not None and word.group() in _BARRIERS:
                    return None
    parts.append(body[start:])
    elements = [part.strip() for part in parts]
    if elements and not elements[-1]:
        elements.pop()
    if not elements or any(not element for element in elements):
        return None
    return elements
