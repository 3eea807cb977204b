"""Generated packages in tests: import one under a unique name (and forget it again), and
type-check many at once with ``mypy --strict``."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Iterable


def import_package(folder: Path, name: str) -> ModuleType:
    """The generated package in ``folder`` imported as ``name`` (unique per test run, so two
    generated packages never share a module), with its submodules (``name.models``...)."""
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    try:
        spec.loader.exec_module(package)
    except BaseException:
        forget_package(name)
        raise
    return package


def forget_package(name: str) -> None:
    """Drop ``name`` and its submodules from ``sys.modules``."""
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]


def mypy_strict(folders: Iterable[Path], cache_dir: Path) -> tuple[int, str]:
    """``mypy --strict`` over the package ``folders`` at once: (exit status, output)."""
    args = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary"]
    args += ["--cache-dir", str(cache_dir), *map(str, folders)]
    run = subprocess.run(args, capture_output=True, text=True, check=False)
    return run.returncode, run.stdout + run.stderr
