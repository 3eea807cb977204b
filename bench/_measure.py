"""One measured child process: wall time, CPU time and peak memory from ``os.wait4`` (the
child's own resource use plus that of the processes it waited for, e.g. opc's ruff; taken by
``_spawn.py``), its output, and what it left in an output folder."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Sequence

STAGE = re.compile(r"(?P<name>[a-z]+) (?P<seconds>\d+(?:\.\d+)?)s")
CHANGED = re.compile(r"(?P<count>\d+) file\(s\) changed")
LOCATED_ERROR = re.compile(r"^.+?:\d+:\d+: error: ", re.MULTILINE)
LOCATED_WARNING = re.compile(r"^.+?:\d+:\d+: warning: ", re.MULTILINE)


@dataclass
class Measured:
    """A finished child process."""

    command: list[str]
    exit_code: int
    wall: float  # seconds
    cpu: float  # user + sys seconds, the child and its waited-for children
    peak_mb: float  # ru_maxrss: the largest resident set of the child or one of its children
    stdout: str
    stderr: str
    timed_out: bool = False


@dataclass
class Output:
    """Files and lines under an output folder."""

    files: int = 0
    lines: int = 0
    bytes: int = 0
    python_files: int = 0
    extra: dict[str, int] = field(default_factory=dict)


SPAWN = Path(__file__).resolve().parent / "_spawn.py"


def run(
    command: Sequence[str],
    cwd: Path,
    timeout: float,
    env: dict[str, str] | None = None,
) -> Measured:
    """Run ``command`` to its end (its process group killed after ``timeout`` seconds) and
    measure it, through ``_spawn.py`` (see there why), which reaps it with ``os.wait4``."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as folder,
    ):
        result = Path(folder) / "result.json"
        start = time.perf_counter()
        spawn = [sys.executable, "-I", "-S", str(SPAWN), str(result), *command]
        process = subprocess.Popen(
            spawn,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        killed = threading.Event()
        timer = threading.Timer(timeout, _kill_group, (process.pid, killed))
        timer.start()
        try:
            process.wait()
        finally:
            timer.cancel()
        figures = _figures(result, process.returncode, time.perf_counter() - start)
        return Measured(
            command=list(command),
            exit_code=int(figures["exit_code"]),
            wall=figures["wall"],
            cpu=figures["cpu"],
            peak_mb=figures["peak_mb"],
            stdout=_read(out),
            stderr=_read(err),
            timed_out=killed.is_set(),
        )


def _figures(result: Path, spawn_exit: int, wall: float) -> dict[str, float]:
    """What ``_spawn.py`` wrote; when it was killed (timeout), its exit and our wall time."""
    try:
        return dict(json.loads(result.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        nan = float("nan")
        return {"exit_code": spawn_exit or -9, "wall": wall, "cpu": nan, "peak_mb": nan}


def _kill_group(pid: int, killed: threading.Event) -> None:
    killed.set()
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _read(file: IO[bytes]) -> str:
    file.seek(0)
    return file.read().decode("utf-8", errors="replace")


def stage_seconds(stderr: str) -> dict[str, float]:
    """The ``stages: load 0.030s, ...`` line of ``generate --timings``, as a dict."""
    for line in reversed(stderr.splitlines()):
        if line.startswith("stages:"):
            return {m["name"]: float(m["seconds"]) for m in STAGE.finditer(line)}
    return {}


def files_changed(stdout: str) -> int | None:
    found = CHANGED.search(stdout)
    return int(found["count"]) if found else None


def count_output(folder: Path) -> Output:
    """Every file under ``folder`` (hidden folders, e.g. caches, left out)."""
    out = Output()
    if not folder.is_dir():
        return out
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).parts
        if not path.is_file() or any(part.startswith(".") for part in relative[:-1]):
            continue
        data = path.read_bytes()
        out.files += 1
        out.bytes += len(data)
        out.lines += data.count(b"\n")
        out.python_files += path.suffix == ".py"
    return out
