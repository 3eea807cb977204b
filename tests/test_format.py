"""The format stage lays out what it can itself (``generator.layout``) and formats the rest with
black, top-level chunk by chunk (for the cache and for parallelism): the result must be code
black leaves unchanged, and the same program as the rendered text."""

from __future__ import annotations

from pathlib import Path

import ast

import black
import pytest

from generator import format as fmt
from generator import pipeline, render
from generator.parser.build import build
from generator.validate import validate
from tests.conftest import FIXTURE_SPECS, SPECS


def _rendered(spec: Path) -> dict[str, str]:
    doc = pipeline._load(spec)
    assert validate(doc) == []
    api = build(doc, spec.stem)
    return render.render(api, render.environment(None))


@pytest.mark.parametrize(
    "spec", FIXTURE_SPECS + [s for s in SPECS if s.stem == "square"], ids=lambda p: p.stem
)
def test_formatted_files_are_black_stable_and_the_same_program(spec: Path) -> None:
    rendered = _rendered(spec)
    formatted = fmt.format_files(rendered, spec.name)
    checked = 0
    for path, source in rendered.items():
        if path.endswith(".py") and not path.endswith(fmt.PREFORMATTED):
            assert black.format_str(formatted[path], mode=fmt.mode()) == formatted[path], path
            assert ast.dump(ast.parse(formatted[path])) == ast.dump(ast.parse(source)), path
            checked += 1
    assert checked >= 3


def test_black_alone_gives_the_same_program_as_the_layout() -> None:
    """With the layout stage off (every piece to black) the files differ only in layout."""
    spec = [s for s in SPECS if s.stem == "square"][0]
    rendered = _rendered(spec)
    laid_out = fmt.format_files(rendered, spec.name)
    by_black = fmt.format_files(rendered, spec.name, layout=False)
    for path in rendered:
        if path.endswith(".py") and not path.endswith(fmt.PREFORMATTED):
            assert ast.dump(ast.parse(laid_out[path])) == ast.dump(ast.parse(by_black[path]))
            assert by_black[path] == black.format_str(rendered[path], mode=fmt.mode())


def test_a_laid_out_piece_black_would_change_sends_every_piece_to_black(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sample black checks catches a layout mistake: nothing laid out is trusted then."""
    from generator import layout

    monkeypatch.setattr(fmt, "VERIFY_ONE_IN", 1)  # every laid-out piece is in the sample
    monkeypatch.setattr(layout, "fit", lambda source: source.replace("x = 1", "x=1"))
    source = "x = 1\n\n\ndef f(a,b):\n    return a\n"
    assert fmt.format_sources([source]) == [black.format_str(source, mode=fmt.mode())]


def test_the_verification_sample_is_a_share_by_each_pieces_own_hash() -> None:
    many = [f"x_{i} = {i}\n" for i in range(12_800)]
    sample = fmt.verification_sample(many)
    assert 60 <= len(sample) <= 140  # about one in 128
    assert sample == fmt.verification_sample(list(reversed(many)))  # by content, not order
    more = fmt.verification_sample(many + [f"y_{i} = {i}\n" for i in range(12_800)])
    assert len(set(sample) - set(more)) <= 1  # stable (but for the lowest), and it grows
    assert len(more) > 1.6 * len(sample)
    few = [f"w_{i} = {i}\n" for i in range(10)]
    assert len(fmt.verification_sample(few)) >= 1  # a small project has a piece checked too
    assert fmt.verification_sample(sample + sample) == sample  # each once
    long = [
        "".join(f"z_{i} = {n}\n" for n in range(fmt.VERIFY_MAX_PIECE_LINES + 1))
        for i in range(1280)
    ]
    assert [text for text in long if fmt._in_verification_share(text)]
    assert fmt.verification_sample(long) == []  # too long to check
    assert fmt.verification_sample(long + few) == fmt.verification_sample(few)
    assert fmt.verification_sample([]) == []


def test_chunks_start_at_top_level_definitions_with_their_decorators_and_comments() -> None:
    source = (
        '"""Doc: a line starting with\nclass inside a string is not a boundary."""\n'
        "import os\n"
        "# about A\n"
        "@decorator\n"
        "class A:\n    x = 1\n"
        "B = 2\n"
        "def f():\n    return '''\ndef g(): not code\n'''\n"
    )
    chunks = fmt.split_top_level(source, exact=True)
    assert [c.splitlines()[0] for c in chunks] == [
        '"""Doc: a line starting with',
        "# about A",
        "def f():",
    ]
    assert "".join(chunks) == source
    # the quick cut skips docstrings; a triple quote anywhere else hands it to the exact cut
    assert fmt.split_top_level(source) == chunks
    docstrings_only = '"""Doc:\nclass inside."""\n\n\nclass A:\n    """A.\ndef x\n"""\n'
    quick = fmt.split_top_level(docstrings_only)
    assert [c.splitlines()[0] for c in quick] == ['"""Doc:', "class A:"]


def test_a_definition_lookalike_inside_a_string_still_formats_as_the_whole_file() -> None:
    source = 'X = """\nclass inside a string\n@not a decorator\n"""\n\n\nclass A:\n  y=1\n'
    formatted = fmt.format_files({"pkg/m.py": source}, "spec.yaml", layout=False)["pkg/m.py"]
    assert formatted == black.format_str(source, mode=fmt.mode())


def test_without_the_layout_stage_black_formats_everything() -> None:
    """Templates overridden by the user are not known to emit black's spacing: black decides."""
    source = "class A:\n  y=1\n"
    assert fmt.format_files({"p/m.py": source}, "s.yaml", layout=False)["p/m.py"] == (
        "class A:\n    y = 1\n"
    )


def test_a_file_that_is_not_python_is_an_internal_error_not_a_traceback() -> None:
    """Whatever black parses (templates a user overrides, pieces the layout leaves to black,
    the verification sample); the built-in templates' output is kept valid by the tests
    (goldens imported and type-checked, fuzzed specs, the corpus)."""
    with pytest.raises(pipeline.SpecError, match="internal error: generated pkg/x.py is not valid"):
        fmt.format_files({"pkg/x.py": "def (:\n"}, "spec.yaml", layout=False)


def test_a_run_after_an_edit_checks_only_the_share() -> None:
    few = [f"v_{i} = {i}\n" for i in range(10)]
    share = [text for text in few if fmt._in_verification_share(text)]
    assert fmt.verification_sample(few, at_least_one=False) == sorted(share, key=fmt._rank)
    assert len(fmt.verification_sample(few)) == max(1, len(share))
