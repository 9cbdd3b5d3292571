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
