"""Golden tests: freshly generated output must equal the committed output byte for byte.

On a difference the test prints a unified diff. To accept a change on purpose, run
`make golden` (never done by a test) and review the diff in git.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from generator import pipeline
from tests.conftest import FIXTURE_SPECS, GENERATED, GOLDEN, SPECS

IGNORED_PARTS = {"__pycache__", ".mypy_cache", "build"}

CASES = [(spec, GENERATED) for spec in SPECS] + [(spec, GOLDEN) for spec in FIXTURE_SPECS]


def _on_disk(folder: Path) -> dict[str, str]:
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not IGNORED_PARTS & set(rel.parts) and ".egg-info" not in str(rel):
            files[rel.as_posix()] = path.read_text(encoding="utf-8")
    return files


@pytest.mark.parametrize("spec,golden_root", CASES, ids=[s.stem for s, _ in CASES])
def test_output_matches_golden(spec: Path, golden_root: Path, tmp_path: Path) -> None:
    project = pipeline.generate_project(spec, tmp_path, None)
    expected = _on_disk(golden_root / spec.stem)
    actual = project.files
    problems = []
    for rel in sorted(set(expected) | set(actual)):
        if rel not in actual:
            problems.append(f"golden has {rel}, generator no longer writes it\n")
        elif rel not in expected:
            problems.append(f"generator writes {rel}, golden lacks it\n")
        elif expected[rel] != actual[rel]:
            diff = difflib.unified_diff(
                expected[rel].splitlines(keepends=True),
                actual[rel].splitlines(keepends=True),
                fromfile=f"golden/{rel}",
                tofile=f"generated/{rel}",
            )
            problems.append("".join(list(diff)[:80]))
    assert not problems, (
        f"{spec.name}: output differs from {golden_root.name}/ (run `make golden` if intended):\n"
        + "\n".join(problems)
    )


def test_every_spec_has_a_golden() -> None:
    for spec in SPECS:
        assert (GENERATED / spec.stem / "clientgen.json").is_file(), f"no golden for {spec.name}"
    for spec in FIXTURE_SPECS:
        assert (GOLDEN / spec.stem / "clientgen.json").is_file(), f"no golden for {spec.name}"
