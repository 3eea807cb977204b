"""Wall-clock time per pipeline stage, for ``make bench`` and ``clientgen generate --timings``."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

STAGES = ("load", "validate", "build", "render", "format", "write")


@dataclass
class StageTimes:
    """Seconds spent in each stage, summed over every spec of a run (and over processes: two
    shares of the files render side by side, so the sum can exceed the wall time)."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def add(self, name: str, seconds: float) -> None:
        """Time spent elsewhere (a worker process) on a stage."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def report(self) -> str:
        parts = [f"{name} {self.seconds[name]:.3f}s" for name in STAGES if name in self.seconds]
        return "stages: " + ", ".join(parts)
