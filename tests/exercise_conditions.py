"""Shared by the exercise tests: a hard machine (one CPU, spawn), and what a verdict may say there."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from helpers.exercises.base import CANNOT_SHOW, RIGHT, Verdict

#: The conditions a right answer must survive: never a ✘ under them.
HARD = ["one_cpu", "spawn"]


@contextmanager
def hard(condition: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test process pinned to one CPU (restored afterwards), or every process started with spawn."""
    if condition == "spawn":
        monkeypatch.setenv("COURSE_START_METHOD", "spawn")
        yield
        return
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("os.sched_setaffinity is Linux-only")
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def never_wrong(verdict: Verdict) -> None:
    """A right answer on a hard machine: ✔, or "this machine cannot show", never ✘."""
    assert verdict.status in (RIGHT, CANNOT_SHOW), verdict.message
    assert not verdict.message.startswith("✘"), verdict.message


def accepted_within(check: Callable[[], Verdict], tries: int = 3) -> Verdict:
    """A right answer on a busy machine: up to ``tries`` runs of ``check``, none ✘; the first ✔, or the last verdict.

    A busy machine may leave a speed-up unshown (◌) on one try, never refuse it (✘).
    """
    for _ in range(tries):
        verdict = check()
        never_wrong(verdict)
        if verdict:
            break
    return verdict


def refused(verdict: Verdict, *fragments: str) -> None:
    """A wrong answer: ✘, with a message that names the mistake (each fragment, case-insensitive)."""
    assert not verdict and verdict.message.startswith("✘"), verdict.message
    for fragment in fragments:
        assert fragment.lower() in verdict.message.lower(), (fragment, verdict.message)


#: The time limit the never-returning tests give a learner's function (``$COURSE_CHECK_TIMEOUT``), in seconds.
SHORT_LIMIT = 1.5


def stopped_in_time(check: Callable[[], Verdict], capsys: pytest.CaptureFixture[str],
                    monkeypatch: pytest.MonkeyPatch, limit: float = SHORT_LIMIT, most: float = 15.0) -> str:
    """Run a checker on a learner function that never returns, with ``$COURSE_CHECK_TIMEOUT`` = ``limit``.

    It must end within ``most`` s with one ✘ line saying the function did not return within ``limit`` s,
    and leave no process and no thread of its own behind. Returns what it printed.
    """
    import threading
    import time

    from helpers.engine.census import live_children

    monkeypatch.setenv("COURSE_CHECK_TIMEOUT", str(limit))
    threads_before = set(threading.enumerate())
    pids_before = {p.pid for p in live_children()}
    start = time.monotonic()
    verdict = check()
    elapsed = time.monotonic() - start
    out = capsys.readouterr().out
    assert not verdict and verdict.status != RIGHT, out
    assert f"did not return within {limit:g} s" in out, out
    assert out.startswith("✘ ") and out.count("✘") == 1, out
    assert limit <= elapsed < most, f"{elapsed:.1f} s: {out}"
    left = [p for p in live_children() if p.pid not in pids_before]
    assert left == [], f"processes left running: {left}"
    deadline = time.monotonic() + 3.0
    while True:  # a pool's own housekeeping thread may take a moment to end after the shutdown
        threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()
                   and not t.name.startswith(("IO loop", "Profile", "TCP-Executor", "Dask-"))]
        if not threads or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert threads == [], f"threads left running: {threads}"
    return out
