"""Shared paths for the test suite."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted(p for p in (ROOT / "specs").iterdir() if p.suffix in (".yaml", ".yml", ".json"))
FIXTURE_SPECS = sorted((ROOT / "tests" / "fixtures" / "specs").glob("*.yaml"))
GENERATED = ROOT / "generated"
GOLDEN = ROOT / "tests" / "golden"
