"""``generator.parallel.both``: two pieces of work at once, the second in a forked child."""

from __future__ import annotations

import os

import pytest

from generator import parallel
from generator.diagnostics import Diagnostic, SpecError


def test_both_results_come_back_and_the_child_ran_elsewhere() -> None:
    here = os.getpid()
    a, b, seconds = parallel.both(lambda: os.getpid(), lambda: (os.getpid(), "x" * 1_000_000))
    assert a == here
    assert (b[0] != here) == (parallel.cores() > 1 and hasattr(os, "fork"))
    assert len(b[1]) == 1_000_000 and seconds >= 0


def test_a_spec_error_in_the_child_arrives_whole() -> None:
    problem = Diagnostic("spec.yaml", 3, 7, "bad thing", "#/paths")

    def fails() -> None:
        raise SpecError([problem])

    with pytest.raises(SpecError) as caught:
        parallel.both(lambda: 1, fails)
    assert caught.value.diagnostics == (problem,)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork: the work runs in one process")
def test_the_parents_error_wins_and_no_child_is_left_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forked: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(parallel, "cores", lambda: 2)

    def fails() -> None:
        raise ValueError("parent")

    with pytest.raises(ValueError, match="parent"):
        parallel.both(fails, lambda: 2)
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)  # reaped already


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork: the work runs in one process")
def test_a_child_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match="died without a result"):
        parallel.both(lambda: 1, lambda: os._exit(3))


def test_one_core_runs_both_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cores", lambda: 1)
    here = os.getpid()
    assert parallel.both(lambda: os.getpid(), lambda: os.getpid())[:2] == (here, here)
