"""``generator.layout.fit``: black's layout for the lines the templates emit, or None."""

from __future__ import annotations

import ast
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
        f"else: {LONG.title()} | {LONG.title()} | {LONG}",  # a statement, not a type hint
    ],
)
def test_what_black_would_lay_out_differently_is_left_to_black(line: str) -> None:
    assert len(line) > LINE_LENGTH
    assert fit(line + "\n") is None


# Lines the templates emit for long names (all seen on GitHub's spec), where black does not split
# one element a line (or does, with a magic trailing comma it then keeps).
_N = "RepositoryRulesetConditionsRepositoryPropertyTargetRepository"
BLACK_SHAPES = {
    "type hint in parentheses": f"class A:\n    conditions_and_more: {_N}Property | str | None = None\n",
    "type hint one operand a line": (
        f"class A:\n    payload: {_N}A | {_N}B | dict[str, Any] | None | Unset = UNSET\n"
    ),
    "default in parentheses": f"class A:\n    conditions: {_N}Property | str | None = None\n",
    "union inside a subscript": (
        f"class A:\n    rules: list[{_N}A | {_N}B | dict[str, Any]] | None | Unset = UNSET\n"
    ),
    "subscript without a default": f"class A:\n    rules: list[{_N}PropertyTargetItemValue]\n",
    "dict of a long list, a parameter": (
        f"def f(\n    self,\n    body: dict[str, list[{_N}A | {_N}B | str]],\n) -> None:\n"
        "    pass\n"
    ),
    "union returned": f"def f(value: Any) -> {_N}A | {_N}B | dict[str, Any]:\n    pass\n",
    "subscript returned": (
        f"def f(\n    self,\n) -> ApiResponse[{_N}Alpha | {_N}Beta]:\n    pass\n"
    ),
    "class bases": f"class {_N}PropertyTargetReviewerType(str, Enum):\n    A = 1\n",
    "argument with a head too long": (
        f'x = cls(\n    repository_property={_N}RepositoryProperty.from_dict(data["a"]),\n)\n'
    ),
    "brackets in a string of a hugged argument": (
        f'x = cls(\n    repository_property={_N}RepositoryProperty.from_dict(data[")](["]),\n)\n'
    ),
    "subscript argument": (
        'x = cls(\n    is_firewall_recommended_allowlist_enabled_and_more=data["is_firewall_'
        'recommended_allowlist_enabled_and_more"],\n)\n'
    ),
    "lambda argument": (
        "x = call(\n    parse=lambda response: " f"{_N}Response.from_dict(response.json()),\n)\n"
    ),
    "lambda argument, its call's arguments a line each": (
        "x = call(\n    parse=lambda response: decode_list(response.json(), "
        f"_models.{_N}ResponseItem.from_dict),\n)\n"
    ),
    "value in parentheses": (
        'if x:\n    data["members_allowed_repository_creation_type_and_some"] = '
        "self.members_allowed_repository_creation_type\n"
    ),
    "frozenset of a set": f'_{_N.upper()}_KEYS = frozenset({{"id", "login", "avatar_url"}})\n',
    "frozenset of a long set": (
        f'_{_N.upper()}_ITEM_KEYS = frozenset({{"id", "login", "avatar_url", "deleted", '
        '"email", "events_url", "followers_url", "following_url"})\n'
    ),
    "frozenset, a name too long": f'_{_N.upper()}_ITEM_PARENT_VALUE_KEYS = frozenset({{"url"}})\n',
    "awaited call in parentheses": (
        "async def f(self):\n    response = await self.actions_add_custom_labels_to_self_hosted_"
        "runner_for_repo_with_response(owner, repo, body=body, timeout=timeout)\n"
    ),
    "call, parentheses would not help": (
        "def f(self):\n    response = self.orgs_custom_properties_for_repos_create_or_update_"
        "organization_definitions_with_response(org, body=body, timeout=timeout)\n"
    ),
    "return of a call": f"def f(value):\n    if value:\n        return {_N}RequestedItem_2.from_dict(value)\n",
    "atoms black cannot split": (
        'X = Operation(\n    path="/enterprises/{enterprise}/actions/oidc/customization/'
        'properties/repo/{custom_property_name}",\n)\n'
    ),
}


@pytest.mark.parametrize("source", BLACK_SHAPES.values(), ids=BLACK_SHAPES.keys())
def test_long_names_are_laid_out_so_black_keeps_them(source: str) -> None:
    assert max(len(line) for line in source.splitlines()) > LINE_LENGTH
    laid_out = fit(source)
    assert laid_out is not None and _black(laid_out) == laid_out
    assert ast.dump(ast.parse(laid_out)) == ast.dump(ast.parse(source))


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
