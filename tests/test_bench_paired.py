"""bench/bench.py's scaling figure: a synthetic spec's seconds beyond the smallest's are the
median of paired differences, each run against the baseline run of its own round and turn
(or the median of its round's), so that a slow moment shared by a pair cancels out."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench  # noqa: E402  (bench/ is a folder of scripts, not a package)


def run(wall: float, cpu: float | None = None, exit_code: int = 0) -> bench.Run:
    return bench.Run("s", "clientgen", "cold", "strict", exit_code, wall, cpu or wall, 1.0)


def test_pairs_share_their_moment() -> None:
    """The second round ran on a machine twice as slow: each pair still differs by 0.05 s,
    where the low quantiles of the two specs taken apart could mix moments."""
    baseline = [(0, 0, run(0.40)), (0, 1, run(0.41)), (1, 0, run(0.80)), (1, 1, run(0.82))]
    runs = [(0, 0, run(0.45)), (0, 1, run(0.46)), (1, 0, run(0.85)), (1, 1, run(0.87))]
    found = bench.paired_beyond(runs, baseline)
    assert abs(found["wall"] - 0.05) < 1e-9 and abs(found["cpu"] - 0.05) < 1e-9


def test_a_large_spec_is_paired_with_the_median_of_its_round() -> None:
    baseline = [(0, 0, run(0.40)), (0, 1, run(0.50)), (0, 2, run(0.42))]
    large = [(0, -1, run(1.42, cpu=2.0))]  # once a round, no turn: the round's median, 0.42
    found = bench.paired_beyond(large, baseline)
    assert abs(found["wall"] - 1.00) < 1e-9 and abs(found["cpu"] - 1.58) < 1e-9
    other_round = [(1, -1, run(1.42))]  # no baseline run that round: no pair at all
    assert bench.paired_beyond(other_round, baseline) == {}


def test_a_failed_baseline_gives_no_figure() -> None:
    baseline = [(0, 0, run(0.40)), (1, 0, run(0.40, exit_code=1))]
    assert bench.paired_beyond([(0, 0, run(0.45))], baseline) == {}
