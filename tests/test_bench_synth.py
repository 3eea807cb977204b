"""bench/synth.py: the synthetic specs of `make bench` are valid, have exactly the operation
count asked for, and are the same bytes every time."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synth = _load()


def test_exact_operation_counts() -> None:
    for count in (1, 4, 5, 6, 10, 23, 100):
        paths = synth.synth_spec(count)["paths"]
        assert sum(1 for item in paths.values() for key in item if key in METHODS) == count


def test_specs_are_valid_and_deterministic(tmp_path: Path) -> None:
    specs = [synth.write_spec(count, tmp_path) for count in (10, 23)]
    first = [spec.read_bytes() for spec in specs]
    assert [synth.write_spec(count, tmp_path).read_bytes() for count in (10, 23)] == first
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", *map(str, specs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2 specs valid."
