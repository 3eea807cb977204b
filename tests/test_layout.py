"""``generator.layout.fit``: black's layout for the lines the templates emit, or None."""

from __future__ import annotations

from pathlib import Path

import black
import pytest

from generator import format as fmt
from generator import pipeline, render
from generator.layout import LINE_LENGTH, fit
from generator.parser.build import build
from tests.conftest import FIXTURE_SPECS, SPECS

LONG = "a_rather_long_argument_name_that_takes_room"


def _black(source: str) -> str:
    return black.format_str(source, mode=fmt.mode())


def test_lines_that_fit_are_left_alone() -> None:
    source = "x = call(a, b)\n"
    assert fit(source) == source


def test_a_long_call_is_split_one_argument_a_line_with_a_trailing_comma() -> None:
    source = f"result = module.function({LONG}, {LONG}, key=value)\n"
    laid_out = fit(source)
    assert laid_out == (
        "result = module.function(\n" f"    {LONG},\n" f"    {LONG},\n" "    key=value,\n" ")\n"
    )
    assert _black(laid_out) == laid_out


def test_an_argument_still_too_long_is_split_again() -> None:
    source = f"x = f(outer=g({LONG}, {LONG}), other=1)\n"
    laid_out = fit(source)
    assert laid_out is not None
    assert "    outer=g(\n" in laid_out and all(len(line) <= LINE_LENGTH for line in laid_out)
    assert _black(laid_out) == laid_out


def test_a_def_is_split_at_its_parameters() -> None:
    source = f"def f(self, {LONG}: int, *, other_{LONG}: str | None = None) -> dict[str, int]:\n    return {{}}\n"
    laid_out = fit(source)
    assert laid_out is not None and laid_out.startswith("def f(\n    self,\n")
    assert ") -> dict[str, int]:\n" in laid_out
    assert _black(laid_out) == laid_out


def test_brackets_and_commas_inside_strings_are_not_structure() -> None:
    source = f'x = f("a, (b", "{LONG}", "c)]", "{LONG}")\n'
    laid_out = fit(source)
    assert laid_out is not None and laid_out.count("\n") == 6
    assert _black(laid_out) == laid_out


def test_docstrings_ending_in_a_quote_are_spelled_as_black_spells_them() -> None:
    """Found on GitHub's spec: the space black adds after a final quote is for one-line
    docstrings only (a multi-line one ends with its closing quotes on their own line)."""
    from generator.text import docstring

    for text in ['Say "hi"', 'Summary.\n\nSay "hi"', 'Summary.\n    Say "hi"']:
        source = f"def f():\n    {docstring(text)}\n"
        assert _black(source) == source


def test_docstring_lines_are_never_split() -> None:
    source = f'def f():\n    """Summary.\n\n    {LONG}, {LONG}, {LONG}\n    """\n'
    assert fit(source) == source


@pytest.mark.parametrize(
    "line",
    [
        f"x = [item.to_dict({LONG}) for item in {LONG}_values_and_more]",  # comprehension
        f"x = {LONG} if {LONG} is None else {LONG}",  # no bracket to split at
        f"x = lambda a, b: f({LONG}, {LONG})",  # lambda
        f"x = values[{LONG}, {LONG}, {LONG}]",  # subscript
        f"x = f({LONG}, {LONG})  # a comment",  # comment
        f"x = a + f({LONG}, {LONG}, {LONG})",  # operator before the bracket
        f"    field: {LONG.title()} | {LONG.title()} | None = None",  # black's type-hint parens
    ],
)
def test_what_black_would_lay_out_differently_is_left_to_black(line: str) -> None:
    assert len(line) > LINE_LENGTH
    assert fit(line + "\n") is None


def _pieces(spec: Path) -> list[str]:
    doc = pipeline._load(spec)
    files = render.render(build(doc, spec.stem), render.environment(None))
    return [
        piece
        for path, text in files.items()
        if path.endswith(".py") and not path.endswith(fmt.PREFORMATTED)
        for piece in fmt.split_top_level(text)
    ]


@pytest.mark.parametrize("spec", FIXTURE_SPECS + SPECS, ids=lambda p: p.stem)
def test_every_piece_laid_out_is_black_stable(spec: Path) -> None:
    """The property the format stage relies on, on every piece it would trust (the stage itself
    only checks a sample)."""
    laid_out = [text for text in map(fit, _pieces(spec)) if text is not None]
    assert laid_out
    for text in laid_out:
        text = text.strip("\n") + "\n"
        assert _black(text) == text
