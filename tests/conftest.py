"""Shared paths for the test suite."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted(p for p in (ROOT / "specs").iterdir() if p.suffix in (".yaml", ".yml", ".json"))
FIXTURE_SPECS = sorted((ROOT / "tests" / "fixtures" / "specs").glob("*.yaml"))
GENERATED = ROOT / "generated"
GOLDEN = ROOT / "tests" / "golden"


def pytest_configure(config: object) -> None:
    """Every run (and every generator process it starts) gets its own empty cache: tests never
    read, or fill, the user's ~/.cache/clientgen."""
    os.environ["CLIENTGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="clientgen-test-cache-")


def pytest_unconfigure(config: object) -> None:
    shutil.rmtree(os.environ.pop("CLIENTGEN_CACHE_DIR", ""), ignore_errors=True)
