"""Hostile spec text stays inert: code runs nothing from the spec, docs show it literally."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import GOLDEN

PROJECT = GOLDEN / "hostile"


def test_importing_and_using_the_package_runs_nothing_from_the_spec() -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import hostile, hostile.models as m;"
        "e = m.Evil.from_dict({'\"key\"': 'v', 'from': 'x', 'class': 1, 'self': 's'});"
        "assert e.key == 'v' and e.from_ == 'x' and e.class_ == 1 and e.self_ == 's';"
        "assert e.to_dict() == {'\"key\"': 'v', 'from': 'x', 'class': 1, 'self': 's'};"
        "print(hostile.__doc__.splitlines()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(PROJECT)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "pwned" not in result.stdout + result.stderr
    assert result.stdout.startswith('Hostile """ API {{ 7*7 }} {% raw %}')


def _generated_files() -> list[Path]:
    return [p for p in PROJECT.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def test_templates_never_evaluate_spec_text() -> None:
    for path in _generated_files():
        text = path.read_text()
        assert not re.search(r"API 49|API \\?\{?49", text), f"{path}: Jinja evaluated spec text"
    assert any("{{ 7*7 }}" in p.read_text() for p in _generated_files() if p.suffix == ".py")


def test_docs_show_html_and_markup_literally() -> None:
    for page in [PROJECT / "README.md", *sorted((PROJECT / "docs").rglob("*.md"))]:
        text = page.read_text()
        raw_html = re.findall(r"(?<!\\)<(?:script|img|b)\b", text)
        assert not raw_html, f"{page}: raw HTML {raw_html}"
    readme = (PROJECT / "README.md").read_text()
    assert '# Hostile """ API \\{\\{ 7\\*7 \\}\\}' in readme  # markdown-escaped, shown as typed


def test_path_like_names_stay_inside_the_project() -> None:
    names = {p.relative_to(PROJECT).as_posix() for p in _generated_files()}
    assert all(".." not in name and not name.startswith("/") for name in names)
    assert "docs/models/Evil.md" in names
