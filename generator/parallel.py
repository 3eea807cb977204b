"""Two independent pieces of work at once: the second in a forked child process.

Rendering a large project's models (then laying them out) and the rest of it (the other
modules, the markdown pages) are independent and take about as long as each other, and so are
validating a spec and building its IR: with two cores, each pair runs side by side.
A fork is used rather than a process pool: the child starts with the IR already in memory
(nothing to pickle on the way in, nothing to import), and only the result comes back, pickled,
through a pipe. Where there is no fork, or a single core, the two run one after the other.
"""

from __future__ import annotations

import os
import pickle
import time
from typing import Any, Callable, Generic, TypeVar, cast

A = TypeVar("A")
B = TypeVar("B")


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def both(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B, float]:
    """``first()`` here and ``second()`` in a child process, at the same time; their results,
    and the seconds ``second`` took. An exception in either is raised here (the child's
    after the parent's own work is done), never leaving a child process behind."""
    if not _can_fork():
        a = first()
        b, seconds = Pending(second).result()
        return a, b, seconds
    pending = Pending(second)
    try:
        a = first()
    finally:
        b, seconds = pending.result()
    return a, b, seconds


def _can_fork() -> bool:
    return hasattr(os, "fork") and cores() >= 2


class Pending(Generic[B]):
    """``work()`` started now in a child process (run at once, here, where there is no fork or
    a single core), its result collected by ``result()``, which must be called: it reaps the
    child. The child starts with this process's memory (nothing is pickled on the way in)."""

    def __init__(self, work: Callable[[], B]) -> None:
        self._pid = 0
        self._read_end = -1
        self._done: tuple[bool, Any, float] | None = None
        if not _can_fork():
            start = time.perf_counter()
            try:
                self._done = (True, work(), time.perf_counter() - start)
            except Exception as exc:
                self._done = (False, exc, time.perf_counter() - start)
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            os.close(read_end)
            _child(work, write_end)
        os.close(write_end)
        self._pid, self._read_end = pid, read_end

    def result(self) -> tuple[B, float]:
        """The work's result and the seconds it took; its exception raised here."""
        if self._done is None:
            with os.fdopen(self._read_end, "rb") as pipe:
                raw = pipe.read()
            os.waitpid(self._pid, 0)
            try:
                self._done = pickle.loads(raw)
            except Exception:
                self._done = (False, RuntimeError("a worker process died without a result"), 0.0)
        ok, value, seconds = self._done
        if not ok:
            raise value
        return cast(B, value), seconds


def _child(work: Callable[[], object], write_end: int) -> None:
    start = time.perf_counter()
    try:
        ok, value = True, work()
    except BaseException as exc:  # handed to the parent, which raises it
        ok, value = False, exc
    try:
        raw = pickle.dumps((ok, value, time.perf_counter() - start))
    except Exception as exc:
        raw = pickle.dumps((False, RuntimeError(f"unpicklable result: {exc!r}"), 0.0))
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(raw)
    finally:
        os._exit(0)  # no atexit handlers, no flushing of the parent's buffers
