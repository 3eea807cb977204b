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

import keyword
import re

LINE_LENGTH = 100
INDENT = "    "

_OPEN = "([{"
_CLOSE = ")]}"
# Top-level words that make a split at a comma ambiguous (black splits these at other points).
_BARRIERS = frozenset({"for", "if", "else", "lambda", "and", "or", "not", "in", "is"})
# A head black splits at its last bracket: an optional `return`/`await`/assignment target, then
# a name, a dotted call target or a collection opener.
_HEAD = re.compile(
    r"""^(?:(?:return|await|raise|yield) |[A-Za-z_][\w.]*(?:\["[^"\\]*"\])?(?:: [\w.\[\], |]+)? = |[A-Za-z_]\w*=|"[^"\\]*": )?"""
    r"""(?:await )?(?:[A-Za-z_][\w.]*\(|\[|\{|\()$"""
)
_DEF = re.compile(r"^(?:async )?def [A-Za-z_]\w*\($")
# What black cannot split and leaves too long: a dotted name, a string without brackets.
_ATOM = re.compile(r"""[A-Za-z_][\w.]*|"[^"\\]*"|'[^'\\]*'""")


def fit(source: str) -> str | None:
    """``source`` with every over-long code line split as described above, or None when a line
    cannot be split with certainty (black must do it)."""
    lines = source.split("\n")
    if source.isascii() and max(map(len, lines)) <= LINE_LENGTH:
        return source  # nothing to split (the common case, decided in C)
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
    for shape in _SHAPES:
        lines = shape(indent, code)
        if lines is not None:
            return lines
    return None


def _bracket_split(indent: str, code: str) -> list[str] | None:
    """A call, a def or a collection split one element a line with a magic trailing comma."""
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
    returns = _DEF.match(head) and re.fullmatch(r"\) -> ([\w.\[\], |]+):", tail)
    if _DEF.match(head) and tail != "):" and not returns:
        return None
    if (
        code[opening] == "["
        and opening > 0
        and (code[opening - 1].isalnum() or code[opening - 1] in "_)]")
    ):
        return None  # a subscript: black treats its trailing comma differently
    if _width(indent + head) > LINE_LENGTH:
        return None
    tail_lines = [indent + tail]
    if _width(indent + tail) > LINE_LENGTH:
        long_return = _return_lines(indent, returns.group(1)) if returns else None
        if long_return is None:
            return None
        tail_lines = long_return
    elements = _elements(body)
    if elements is None:
        return None
    inner = indent + INDENT
    lines = [indent + head]
    for element in elements:
        element_line = f"{inner}{element},"
        if _width(element_line) <= LINE_LENGTH or _ATOM.fullmatch(element):
            lines.append(element_line)
            continue
        nested = _split(element_line)
        if nested is None:
            return None
        lines.extend(nested)
    return lines + tail_lines


# A string literal (skipped), a word, or a character that matters (a bracket, a comma, a comment
# sign, a quote that starts no complete string). A triple quote never matches as a string.
_TOKEN = re.compile(
    r"""(?<!\w)[rRbBuUfF]{0,2}(?:"(?!"")(?:[^"\\]|\\.)*"|'(?!'')(?:[^'\\]|\\.)*')"""
    r"""|[A-Za-z_]\w*|[()\[\]{},#"']"""
)


def _tokens(code: str) -> list[tuple[int, str]] | None:
    """(index, text) of each word and each bracket, comma or comment sign outside string
    literals; None for an unterminated or triple-quoted string (never on a code line the
    layout splits)."""
    found: list[tuple[int, str]] = []
    for match in _TOKEN.finditer(code):
        text = match.group()
        if text[-1] in "\"'":
            if len(text) == 1:
                return None
            continue
        found.append((match.start(), text))
    return found


def _brackets(code: str) -> list[tuple[int, int]] | None:
    """(opening, closing) index pairs of the brackets outside strings, in order of opening; None
    for a comment, an unbalanced bracket or an unterminated string."""
    tokens = _tokens(code)
    if tokens is None:
        return None
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, text in tokens:
        if text == "#":
            return None
        if text in _OPEN:
            stack.append(i)
        elif text in _CLOSE:
            if not stack or _OPEN.index(code[stack[-1]]) != _CLOSE.index(text):
                return None
            pairs.append((stack.pop(), i))
    if stack:
        return None
    return sorted(pairs)


def _elements(body: str) -> list[str] | None:
    """``body`` cut at its top-level commas (a trailing comma dropped), or None when a top-level
    word makes the cut ambiguous (a comprehension, a lambda, a conditional)."""
    tokens = _tokens(body)
    if tokens is None:
        return None
    parts: list[str] = []
    depth = 0
    start = 0
    for i, text in tokens:
        if text in _OPEN:
            depth += 1
        elif text in _CLOSE:
            depth -= 1
        elif depth == 0 and text == ",":
            parts.append(body[start:i])
            start = i + 1
        elif depth == 0 and text in _BARRIERS:
            return None
    parts.append(body[start:])
    elements = [part.strip() for part in parts]
    if elements and not elements[-1]:
        elements.pop()
    if not elements or any(not element for element in elements):
        return None
    return elements


# -- Type hints: black's parenthesized long type hints --------------------------------------------

_ANNOTATED = re.compile(
    r"(?P<name>[A-Za-z_]\w*): (?P<type>[\w.\[\], |]+?)(?P<default> = [\w.]+)?(?P<comma>,?)"
)
_CLASS = re.compile(r"class (?P<name>[A-Za-z_]\w*)\((?P<bases>[\w.\[\], ]+)\):")


def _annotated(indent: str, code: str) -> list[str] | None:
    """``name: T`` or ``name: T = default`` (a field), or either with a comma (a parameter):
    the default goes in parentheses if that is enough; else a union goes in parentheses, one
    operand a line if it does not fit on one; a subscript without a default is split after
    its bracket."""
    match = _ANNOTATED.fullmatch(code)
    if match is None or keyword.iskeyword(match["name"]):
        return None  # (``else: a | b`` is a statement, not an annotation)
    name, hint, comma = match["name"], match["type"], match["comma"]
    default = match["default"] or ""
    wrapped = f"{indent}{name}: {hint}{default[:3]}("
    if default and not comma and _width(wrapped) <= LINE_LENGTH:
        return [wrapped, indent + INDENT + default[3:], f"{indent}){comma}"]  # black's choice
    if len(_top_level(hint, "|")) > 1:
        block = _type_block(hint, indent + INDENT)
        if block is None:
            return None
        return [f"{indent}{name}: ("] + block + [f"{indent}){default}{comma}"]
    if default:
        return None  # black wraps the default in parentheses first: left to black
    return _subscript_lines(hint, indent, f"{name}: ", comma)


def _return_lines(indent: str, hint: str) -> list[str] | None:
    """``) -> T:`` closing a def whose parameters are split, with T too long for the line."""
    if len(_top_level(hint, "|")) > 1:
        block = _type_block(hint, indent + INDENT)
        return None if block is None else [f"{indent}) -> ("] + block + [f"{indent}):"]
    return _subscript_lines(hint, indent, ") -> ", ":")


def _type_block(hint: str, indent: str) -> list[str] | None:
    """A type's lines at ``indent`` inside brackets: one line if it fits; else one operand of
    ``|`` a line (each but the first after ``| ``), a subscript still too long split in turn;
    a name too long stays as it is (black cannot split it either)."""
    if _width(indent + hint) <= LINE_LENGTH:
        return [indent + hint]
    operands = _top_level(hint, "|")
    if len(operands) == 1:
        return _subscript_lines(hint, indent, "", "")
    lines: list[str] = []
    for i, operand in enumerate(operands):
        prefix = "| " if i else ""
        if _width(indent + prefix + operand) <= LINE_LENGTH or "[" not in operand:
            lines.append(indent + prefix + operand)
            continue
        nested = _subscript_lines(operand, indent, prefix, "")
        if nested is None:
            return None
        lines += nested
    return lines


def _subscript_lines(hint: str, indent: str, prefix: str, suffix: str) -> list[str] | None:
    """``X[inner]`` split after its bracket: ``inner`` on one line if it fits, else one element
    a line with a trailing comma (several elements) or as a type block (one)."""
    bracket = hint.find("[")
    if bracket <= 0 or not hint.endswith("]") or not _pairs(hint, bracket, len(hint) - 1):
        return None
    head, inner = f"{indent}{prefix}{hint[: bracket + 1]}", hint[bracket + 1 : -1]
    if _width(head) > LINE_LENGTH:
        return None
    inner_indent = indent + INDENT
    elements = _top_level(inner, ",")
    body: list[str] | None
    if _width(inner_indent + inner) <= LINE_LENGTH:
        body = [inner_indent + inner]
    elif len(elements) > 1:
        body = []
        for element in elements:
            lines = _type_block(element, inner_indent)
            if lines is None:
                return None
            body += lines[:-1] + [lines[-1] + ","]
    else:
        body = _type_block(inner, inner_indent)
    return None if body is None else [head] + body + [f"{indent}]{suffix}"]


def _pairs(code: str, opening: int, closing: int) -> bool:
    """Whether the bracket at ``opening`` is closed at ``closing`` (strings skipped)."""
    return (opening, closing) in (_brackets(code) or ())


def _top_level(text: str, separator: str) -> list[str]:
    """``text`` (no strings in it) cut at ``separator`` outside brackets, parts stripped."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _class_header(indent: str, code: str) -> list[str] | None:
    """``class Name(bases):`` split after its bracket, the bases on one line if they fit."""
    match = _CLASS.fullmatch(code)
    if match is None:
        return None  # (a head too long stays so: black cannot split a name)
    inner = indent + INDENT
    bases = match["bases"]
    if _width(inner + bases) <= LINE_LENGTH:
        body = [inner + bases]
    else:
        body = [f"{inner}{base}," for base in _top_level(bases, ",")]
    return [f"{indent}class {match['name']}("] + body + [f"{indent}):"]


def _return_tail(indent: str, code: str) -> list[str] | None:
    """``) -> T:``, the last line of a def the template wrote with its parameters split."""
    match = re.fullmatch(r"\) -> ([\w.\[\], |]+):", code)
    return None if match is None else _return_lines(indent, match.group(1))


# -- Where black hugs: the body of the last bracket on one line, without a trailing comma -----

_TARGET = r"[A-Za-z_][\w.]*(?:\[\"[^\"\\]*\"\])?"
_ASSIGN_NAME = re.compile(rf"(?P<target>{_TARGET}) = (?P<value>[A-Za-z_][\w.]*)")
_ASSIGN_CALL = re.compile(
    rf"(?P<target>{_TARGET} = |return )(?P<callee>(?:await )?[A-Za-z_][\w.]*\()(?P<body>.*)\)"
)
# A line black leaves too long: a def's head the template already split, a long atom.
_UNSPLITTABLE = re.compile(
    rf"(?:async )?def [A-Za-z_]\w*\(|(?:[A-Za-z_]\w*=)?(?:{_ATOM.pattern}),?"
)
_ELEMENT = re.compile(
    r"(?P<head>[A-Za-z_]\w*=(?P<lambda>lambda [\w, ]*: )?[A-Za-z_][\w.]*[(\[])"
    r"(?P<body>.*)(?P<tail>[)\]],?)"
)


def _hugged(indent: str, head: str, body: str, tail: str) -> list[str] | None:
    """``head`` / ``body`` / ``tail``, the body on one line when it fits; else one element a
    line with a trailing comma (an element still too long split in turn), or a single
    bracketed element split at its own brackets."""
    inner = indent + INDENT
    if _width(inner + body) <= LINE_LENGTH:
        return [indent + head, inner + body, indent + tail]
    elements = _elements(body)
    if elements is None:
        return None
    lines = [indent + head]
    for element in elements:
        line = f"{inner}{element}" + ("," if len(elements) > 1 else "")
        if _width(line) <= LINE_LENGTH or _ATOM.fullmatch(element):
            lines.append(line)
            continue
        nested = _split(line)
        if nested is None:
            return None
        lines += nested
    return lines + [indent + tail]


def _element_call(indent: str, code: str) -> list[str] | None:
    """``name=callee(body)``, ``name=value[key]`` or ``name=lambda a: callee(body)``, an
    argument black splits at its last bracket, the body hugged (its head may stay too long:
    black cannot split a name); a call's body too long for a line, one argument a line."""
    match = _ELEMENT.fullmatch(code)
    if match is None or not _pairs(code, len(match["head"]) - 1, len(code) - len(match["tail"])):
        return None
    body = match["body"]
    elements = _elements(body)
    if elements is None:
        return None
    if match["head"].endswith("["):
        if len(elements) != 1 or _width(indent + INDENT + body) > LINE_LENGTH:
            return None  # a subscript: hugged when its one key fits, else black decides
    elif _width(indent + INDENT + body) > LINE_LENGTH and len(elements) < 2:
        return None
    return _hugged(indent, match["head"], body, match["tail"])


def _assignment(indent: str, code: str) -> list[str] | None:
    """``target = name`` too long: the value goes in parentheses. ``target = callee(body)`` or
    ``return callee(body)``: split at the call's bracket, the body hugged; but when
    ``target = callee(`` is too long and the parentheses would help (``target = (`` and
    ``callee(`` inside them both fit), the whole value goes in parentheses first."""
    inner = indent + INDENT
    named = _ASSIGN_NAME.fullmatch(code)
    if named is not None:
        head = f"{indent}{named['target']} = ("
        if _width(head) > LINE_LENGTH or _width(inner + named["value"]) > LINE_LENGTH:
            return None
        return [head, inner + named["value"], indent + ")"]
    call = _ASSIGN_CALL.fullmatch(code)
    if call is None or not _pairs(code, len(code) - len(call["body"]) - 2, len(code) - 1):
        return None
    target, callee, body = call["target"], call["callee"], call["body"]
    paren_heads = (f"{indent}{target}(", inner + callee)
    if _width(indent + target + callee) <= LINE_LENGTH or any(
        _width(head) > LINE_LENGTH for head in paren_heads
    ):
        return _hugged(indent, target + callee, body, ")")
    value = code[len(target) :]
    lines = (
        [inner + value]
        if _width(inner + value) <= LINE_LENGTH
        else _hugged(inner, callee, body, ")")
    )
    return None if lines is None else [f"{indent}{target}("] + lines + [indent + ")"]


def _unsplittable(indent: str, code: str) -> list[str] | None:
    return [indent + code] if _UNSPLITTABLE.fullmatch(code) else None


_SHAPES = (
    _annotated,
    _return_tail,
    _class_header,
    _bracket_split,
    _element_call,
    _assignment,
    _unsplittable,
)
