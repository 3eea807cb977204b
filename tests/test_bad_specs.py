"""Bad input: every spec in tests/bad_specs/ must be rejected cleanly.

Each case is a small spec, ``NAME.yaml`` or ``NAME.json``, next to ``NAME.expected``: the exact
stderr of ``python -m generator generate tests/bad_specs/NAME.yaml --out DIR`` run from the repo
root. A case spread over several files keeps the others in a folder ``NAME/`` (which is not a
case itself); its problems may be located in those files. The contract checked for every case:

- exit status 1, stdout empty, stderr exactly the expected text (every problem located as
  ``PATH:LINE:COL: error: MESSAGE (at #/pointer)``, sorted, then a summary line);
- no Python traceback anywhere;
- the output folder, which already holds a project folder of the same name with a manifest
  and a file, is byte-for-byte unchanged.

``validate`` must print the same diagnostic lines (without the summary); a bad spec given
together with a good one writes nothing at all.

Cases listed in ``KNOWN_PROBLEMS`` expose a generator bug: their ``.expected`` holds the output
the generator SHOULD give (written by hand), and they are strict xfails. Once the generator is
fixed, the case XPASSes and fails: remove it from ``KNOWN_PROBLEMS`` then.

To (re)write the ``.expected`` files after a deliberate change of messages, run from anywhere::

    .venv/bin/python tests/test_bad_specs.py --update [NAME ...]

It rewrites the files of the cases that are not known problems (or only the NAMEs given, known
problem or not: do that once a fix has landed) and prints a diff of every change: read each one
before committing. Tests never rewrite them.

``generate`` runs as a real subprocess per case (in parallel threads); ``validate`` runs
in-process through ``cli.main``, the same code without the interpreter start-up.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
CASES_DIR = REPO / "tests" / "bad_specs"
GOOD_SPEC = "specs/telness-connect.yaml"
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
TIMEOUT = 120

# Case file name -> what is wrong with the generator's current output. The .expected file of
# these holds the output the generator should give instead.
KNOWN_PROBLEMS: dict[str, str] = {}


# The known problems where the generator accepts the bad spec (exit 0, files written) instead
# of rejecting it. Every other case must at least fail cleanly today, whatever its message.
ACCEPTED_BAD_INPUT: set[str] = set()


def case_files() -> list[Path]:
    return sorted(p for p in CASES_DIR.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file())


def relative(spec: Path) -> str:
    return spec.relative_to(REPO).as_posix()


def expected_path(spec: Path) -> Path:
    return spec.with_suffix(".expected")


def read_expected(spec: Path) -> str:
    path = expected_path(spec)
    if not path.is_file():
        pytest.fail(f"{relative(path)} is missing: write it (see --update in this file)")
    return path.read_text(encoding="utf-8")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder (None) under ``folder``."""
    found: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        found[key] = path.read_bytes() if path.is_file() else None
    return found


def make_out(out: Path, project: str) -> dict[str, bytes | None]:
    """An output folder holding a sentinel project, as a previous run would have left it.

    The manifest claims the sentinel file, so a run that wrongly goes ahead would remove it.
    """
    project_dir = out / project
    project_dir.mkdir(parents=True)
    (project_dir / "sentinel.txt").write_text("keep me\n", encoding="utf-8")
    (project_dir / "clientgen.json").write_text('{"files": ["sentinel.txt"]}\n', encoding="utf-8")
    (out / "unrelated").mkdir()
    (out / "unrelated" / "notes.md").write_text("# not clientgen's\n", encoding="utf-8")
    return snapshot(out)


@dataclass(frozen=True)
class Run:
    result: subprocess.CompletedProcess[str]
    before: dict[str, bytes | None]
    after: dict[str, bytes | None]


def diff_text(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=f"{name} (expected)",
        tofile=f"{name} (actual stderr)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def check_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, f"traceback printed:\n{stream}"


def case_params(cases: list[Path], only: Iterable[str] | None = None) -> list[object]:
    """One param per case; the known problems (or those of them in ``only``) are strict xfails."""
    failing = set(KNOWN_PROBLEMS if only is None else only)
    params: list[object] = []
    for spec in cases:
        marks = []
        if spec.name in failing:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_PROBLEMS[spec.name]))
        params.append(pytest.param(spec, id=spec.name, marks=marks))
    return params


CASES = case_files()


@pytest.fixture(scope="module")
def generate_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Run]:
    """``generate`` of every selected case, run in parallel subprocesses (one output folder
    each), once for all the tests that look at it."""
    wanted: set[Path] = set()
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "generate_runs" in getattr(item, "fixturenames", ()):
            wanted.add(callspec.params["spec"])
    base = tmp_path_factory.mktemp("bad_specs")

    def one(spec: Path) -> Run:
        out = base / spec.name / "out"
        before = make_out(out, spec.stem)
        result = run_cli("generate", relative(spec), "--out", str(out))
        return Run(result, before, snapshot(out))

    workers = max(4, 2 * (os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        specs = sorted(wanted)
        return dict(zip((s.name for s in specs), pool.map(one, specs)))


def test_cases_are_complete() -> None:
    assert len(CASES) >= 25
    expected = {p.stem for p in CASES_DIR.glob("*.expected")}
    stems = [p.stem for p in CASES]
    assert len(stems) == len(set(stems)), "two cases share a name"
    assert sorted(expected - set(stems)) == [], ".expected without a spec"
    assert sorted(set(stems) - expected) == [], "spec without .expected"
    assert sorted(set(KNOWN_PROBLEMS) - {p.name for p in CASES}) == []
    assert sorted(ACCEPTED_BAD_INPUT - set(KNOWN_PROBLEMS)) == []


@pytest.mark.parametrize("spec", case_params(CASES, only=ACCEPTED_BAD_INPUT))
def test_generate_fails_cleanly(spec: Path, generate_runs: dict[str, Run]) -> None:
    """Exit 1, no traceback, something on stderr, nothing on stdout, nothing written: holds for
    every case today, even where the message itself is a known problem."""
    run = generate_runs[spec.name]
    check_no_traceback(run.result)
    assert run.result.returncode == 1, run.result.stdout + run.result.stderr
    assert run.result.stderr.endswith("nothing written.\n")
    assert run.result.stdout == ""
    assert run.after == run.before, "the output folder was changed"


@pytest.mark.parametrize("spec", case_params(CASES))
def test_generate_rejects(spec: Path, generate_runs: dict[str, Run]) -> None:
    run = generate_runs[spec.name]
    expected = read_expected(spec)
    check_no_traceback(run.result)
    assert run.result.stderr == expected, "stderr differs:\n" + diff_text(
        expected, run.result.stderr, relative(expected_path(spec))
    )
    assert run.result.returncode == 1
    assert run.result.stdout == ""
    assert run.after == run.before, "the output folder was changed"


@contextlib.contextmanager
def in_repo() -> Iterator[None]:
    old = Path.cwd()
    os.chdir(REPO)
    try:
        yield
    finally:
        os.chdir(old)


def validate_in_process(*specs: str) -> tuple[int, str, str]:
    """``cli.main(["validate", ...])`` in this process: the same code as ``python -m generator
    validate`` without the interpreter start-up."""
    from generator import cli

    out, err = io.StringIO(), io.StringIO()
    with in_repo(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["validate", *specs])
    return code, out.getvalue(), err.getvalue()


DIAGNOSTIC = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+) \(at (?P<ptr>#.*)\)$"
)


def sort_key(line: str) -> tuple[str, int, int, str, str]:
    """The order of ``Diagnostic`` (file, line, column, message, pointer) for a rendered line."""
    match = DIAGNOSTIC.match(line)
    assert match, f"not a diagnostic line: {line!r}"
    return (
        match["file"],
        int(match["line"]),
        int(match["col"]),
        match["msg"],
        match["ptr"],
    )


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.name) for s in CASES])
def test_expected_file_follows_the_contract(spec: Path) -> None:
    """Each .expected (pinned or hand-written): located one-line diagnostics of this file (or
    of the files in its folder NAME/), sorted, no duplicates, then the summary line with the
    right count."""
    lines = read_expected(spec).splitlines()
    assert read_expected(spec).endswith("\n")
    count = len(lines) - 1
    assert count >= 1
    assert lines[-1] == f"{count} error{'s' if count != 1 else ''}; nothing written."
    for line in lines[:-1]:
        file, line_no, column, _, _ = sort_key(line)
        folder = relative(spec.with_suffix("")) + "/"
        assert file == relative(spec) or file.startswith(folder), f"{file}: not in {folder}"
        assert (REPO / file).is_file()
        assert (line_no >= 1, column >= 1) == (True, True)
    assert lines[:-1] == sorted(lines[:-1], key=sort_key)
    assert len(set(lines[:-1])) == count


def diagnostic_lines(expected: str) -> str:
    """The expected stderr of ``generate`` without its summary line."""
    lines = expected.splitlines(keepends=True)
    assert lines and lines[-1].endswith("nothing written.\n"), "no summary line"
    return "".join(lines[:-1])


@pytest.mark.parametrize("spec", case_params(CASES))
def test_validate_reports_the_same(spec: Path) -> None:
    expected = diagnostic_lines(read_expected(spec))
    code, out, err = validate_in_process(relative(spec))
    assert err == expected, "validate stderr differs:\n" + diff_text(expected, err, "validate")
    assert code == 1
    assert out == ""


# A pinned case (not a known problem) with several errors.
MIXED_CASE = CASES_DIR / "several_errors.yaml"


@pytest.mark.parametrize("bad_first", [True, False], ids=["bad-first", "good-first"])
def test_bad_spec_with_good_spec_writes_nothing(tmp_path: Path, bad_first: bool) -> None:
    assert MIXED_CASE.name not in KNOWN_PROBLEMS
    out = tmp_path / "out"
    before = make_out(out, Path(GOOD_SPEC).stem)
    specs = [relative(MIXED_CASE), GOOD_SPEC]
    result = run_cli("generate", *(specs if bad_first else specs[::-1]), "--out", str(out))
    check_no_traceback(result)
    expected = read_expected(MIXED_CASE)
    assert result.stderr == expected, diff_text(expected, result.stderr, "generate")
    assert result.returncode == 1
    assert result.stdout == ""
    assert snapshot(out) == before, "the output folder was changed"


def test_several_bad_specs_are_reported_together(tmp_path: Path) -> None:
    """Diagnostics of every spec at once, sorted across files, one summary line."""
    names = ["yaml_tab_indent.yaml", "several_meta_errors.yaml", "ext_method_keyword.yaml"]
    specs = [CASES_DIR / name for name in names]
    assert not set(names) & set(KNOWN_PROBLEMS)
    lines = sorted(
        (line for s in specs for line in diagnostic_lines(read_expected(s)).splitlines()),
        key=sort_key,
    )
    expected = "".join(line + "\n" for line in lines) + f"{len(lines)} errors; nothing written.\n"
    out = tmp_path / "out"
    before = make_out(out, "several_meta_errors")
    result = run_cli("generate", *(relative(s) for s in specs), "--out", str(out))
    check_no_traceback(result)
    assert result.stderr == expected, diff_text(expected, result.stderr, "generate")
    assert result.returncode == 1
    assert snapshot(out) == before
    code, _, err = validate_in_process(*(relative(s) for s in specs))
    assert (code, err) == (1, "".join(line + "\n" for line in lines))


def test_missing_spec_file_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = make_out(out, "telness-connect")
    result = run_cli("generate", GOOD_SPEC, "tests/bad_specs/no-such-spec.yaml", "--out", str(out))
    check_no_traceback(result)
    assert result.returncode == 2
    assert (
        result.stderr == "clientgen: error: no such spec file: tests/bad_specs/no-such-spec.yaml\n"
    )
    assert snapshot(out) == before


# -- regenerating the .expected files ----------------------------------------------------------


def update(names: list[str]) -> int:
    """Rewrite the .expected files of ``names`` (default: every case that is not a known
    problem) from the generator's current output, printing the diff of each change."""
    chosen = [s for s in CASES if s.name in names or s.stem in names] if names else CASES
    unknown = set(names) - {s.name for s in chosen} - {s.stem for s in chosen}
    if unknown:
        print(f"no such case: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    changed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in chosen:
            if spec.name in KNOWN_PROBLEMS and not names:
                print(f"skipped {spec.name}: known problem, its .expected is written by hand")
                continue
            out = Path(tmp) / spec.stem
            result = run_cli("generate", relative(spec), "--out", str(out))
            if result.returncode != 1 or "Traceback" in result.stderr + result.stdout:
                print(f"WARNING {spec.name}: exit {result.returncode}; not written:")
                print(result.stdout + result.stderr)
                continue
            target = expected_path(spec)
            old = target.read_text(encoding="utf-8") if target.is_file() else ""
            if old != result.stderr:
                sys.stdout.write(diff_text(old, result.stderr, relative(target)))
                target.write_text(result.stderr, encoding="utf-8", newline="\n")
                changed += 1
    print(f"{changed} .expected file(s) rewritten; read every diff above.")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] != "--update":
        print(__doc__)
        sys.exit(2)
    sys.exit(update(args[1:]))
