"""A long fuzz campaign that does not stop at the first failure: draws random specs like
tests/test_fuzz_specs.py, sorts every failure by where it happened, keeps the smallest spec
of each kind, and type-checks all the packages that passed.

    .venv/bin/python -m tests.fuzz.campaign EXAMPLES [SEED] [--out DIR]

Writes DIR/report.md (default: bench/.cache/fuzz) and one spec file per kind of failure.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz import specs
from tests.fuzz.harness import Generated, check_spec, mypy_strict


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    where = f"{Path(last.filename).name}:{last.name}" if last else "?"
    first = (str(exc).strip().splitlines() or [""])[0][:100]
    if isinstance(exc, AssertionError) and "refused" in first:
        lines = str(exc).splitlines()
        first = lines[1].split(": error: ", 1)[-1][:100] if len(lines) > 1 else first
    return f"{type(exc).__name__} at {where}: {first}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", type=int)
    parser.add_argument("seed", type=int, nargs="?", default=0)
    parser.add_argument("--out", type=Path, default=Path("bench/.cache/fuzz"))
    args = parser.parse_args(argv)
    out: Path = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    failures: dict[str, list[tuple[int, str, str]]] = {}
    passed: list[Generated] = []
    count = 0
    started = time.monotonic()

    @seed(args.seed)
    @settings(
        max_examples=args.examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(spec=specs.openapi_specs(), dialect=st.sampled_from(["3.1", "3.0"]), data=st.data())
    def one(spec: dict[str, Any], dialect: str, data: st.DataObject) -> None:
        nonlocal count
        count += 1
        try:
            passed.append(check_spec(spec, dialect, out / "work", data))
        except Exception as exc:  # every failure is collected, none stops the campaign
            text = specs.dumps(spec if dialect == "3.1" else specs.to_openapi30(spec))
            detail = "".join(traceback.format_exception(exc, limit=-4))
            failures.setdefault(_signature(exc), []).append((len(text), text, detail))

    one()
    report = [f"# Fuzz campaign: {count} specs, seed {args.seed}", ""]
    report.append(f"{count - sum(map(len, failures.values()))} passed; {len(failures)} kinds")
    report.append(f"of failure; {time.monotonic() - started:.0f} s.\n")
    for index, (sig, cases) in enumerate(sorted(failures.items(), key=lambda i: -len(i[1]))):
        size, text, detail = min(cases)
        name = f"failure{index}.json"
        (out / name).write_text(text, encoding="utf-8")
        report += [f"## {len(cases)} x {sig}", "", f"Smallest spec: `{name}`", ""]
        report += ["```text", detail.strip()[-3000:], "```", ""]
    folders = sorted({g.package_folder for g in passed})
    for start in range(0, len(folders), 40):
        status, output = mypy_strict(folders[start : start + 40], out / "mypy-cache")
        if status:
            report += ["## mypy --strict", "", "```text", output.strip()[-5000:], "```", ""]
    report.append(f"mypy --strict over {len(folders)} packages done.")
    (out / "report.md").write_text("\n".join(report), encoding="utf-8")
    print("\n".join(line for line in report if line.startswith(("#", "Smallest"))))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
