"""Threads for waiting work: the fewest threads that finish a batch of waits in time."""

from __future__ import annotations

from typing import Any

from ..engine.config import seconds
from .base import Verdict, report

#: This many waiting tasks of this many seconds (before scaling) must end in about the target time.
WAITING_TASKS = 12
WAITING_PAUSE = 0.5
WAITING_TARGET = 1.5


def check_fewest_threads(threads: Any) -> Verdict:
    """``threads``: the fewest threads that finish 12 waiting tasks of 0.5 s in about 1.5 s.

    Each thread takes one task after another, so the run lasts ``ceil(12 / threads)``
    rounds of 0.5 s, and 4 is the fewest threads that need only 3 rounds. The checker
    runs the 12 tasks on that many threads (pauses scaled by ``$COURSE_TIME_SCALE``) and
    prints what it measured beside the verdict; the verdict itself follows the rounds, so
    a busy machine cannot turn a right answer wrong.
    """
    from ..engine.config import MAX_THREADS

    if threads is ...:
        return report(False, "answer is still `...`: replace it with a whole number of threads and run the cell again.")
    if isinstance(threads, bool) or not isinstance(threads, int):
        return report(False, f"{threads!r} is not a number of threads.", "Give a whole number, e.g. answer = 3.")
    if not 1 <= threads <= MAX_THREADS:
        return report(False, f"{threads} threads: choose a number from 1 to {MAX_THREADS}.",
                      f"There are only {WAITING_TASKS} tasks; how many must each thread take?")
    from ..engine.harness import run
    from ..workers import wait_task

    pause = seconds(WAITING_PAUSE)
    measured = run(wait_task, [pause] * WAITING_TASKS, mode="threads", workers=threads).elapsed
    rounds = -(-WAITING_TASKS // threads)  # ceiling division
    allowed = round(WAITING_TARGET / WAITING_PAUSE)
    fewest = -(-WAITING_TASKS // allowed)
    said = (f"{WAITING_TASKS} waits of {pause:.2f} s on {threads} thread{'s' if threads > 1 else ''}: "
            f"measured {measured:.2f} s, {rounds} round{'s' if rounds > 1 else ''} of waiting")
    if rounds > allowed:
        return report(False, f"{said}, more than the {seconds(WAITING_TARGET):.2f} s wanted.",
                      f"A thread does its tasks one after another: {threads} "
                      f"thread{'s need' if threads > 1 else ' needs'} {rounds} rounds. "
                      f"How many threads make it {allowed} rounds?")
    if threads > fewest:
        return report(False, f"{said}: fast enough, but fewer threads would do.",
                      f"{allowed} rounds are allowed, so each thread may take {allowed} tasks. "
                      "How many threads is that?")
    return report(True, f"{said}: {threads} threads × {allowed} tasks each, the fewest that keep the time.")
