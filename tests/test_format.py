"""The format stage formats top-level chunks separately (for the cache and for parallelism):
the result must be byte for byte what black gives for the whole file."""

from __future__ import annotations

from pathlib import Path

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
def test_chunked_formatting_is_black_on_the_whole_file(spec: Path) -> None:
    rendered = _rendered(spec)
    formatted = fmt.format_files(rendered, spec.name)
    checked = 0
    for path, source in rendered.items():
        if path.endswith(".py") and not path.endswith(fmt.PREFORMATTED):
            assert formatted[path] == black.format_str(source, mode=fmt.mode()), path
            checked += 1
    assert checked >= 3


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
    # the quick cut takes lines at column 0 for what they look like, inside strings too
    quick = fmt.split_top_level(source)
    assert [c.splitlines()[0] for c in quick][-1] == "def g(): not code"
    assert "".join(quick) == source


def test_a_definition_lookalike_inside_a_string_still_formats_as_the_whole_file() -> None:
    source = 'X = """\nclass inside a string\n@not a decorator\n"""\n\n\nclass A:\n  y=1\n'
    formatted = fmt.format_files({"pkg/m.py": source}, "spec.yaml")["pkg/m.py"]
    assert formatted == black.format_str(source, mode=fmt.mode())


def test_a_file_that_is_not_python_is_an_internal_error_not_a_traceback() -> None:
    with pytest.raises(pipeline.SpecError, match="internal error: generated pkg/x.py is not valid"):
        fmt.format_files({"pkg/x.py": "def (:\n"}, "spec.yaml")
