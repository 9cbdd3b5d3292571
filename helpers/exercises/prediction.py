"""Predicting a measurement: how long do waiting tasks take on threads?"""

from __future__ import annotations

from typing import Any

from ..engine.config import seconds
from ..charts.style import format_duration
from .base import Verdict, cannot_show, report

#: The panel's first run: this many tasks that each wait this long (before scaling), on as many threads.
WAITS = 4
WAIT_SECONDS = 1.0
#: A busy machine only ever makes the run slower, so the checker keeps the fastest of this many runs.
RUNS = 3
#: A prediction this fraction below one wait is still one wait, rounded (0.25 s written as 0.249).
ROUNDING = 0.005


def check_wait_prediction(predicted: Any) -> Verdict:
    """``predicted``: the seconds that :data:`WAITS` waiting tasks take on as many threads.

    The checker measures it (the tasks run by :func:`helpers.run`, pauses scaled by
    ``$COURSE_TIME_SCALE``; again, up to :data:`RUNS` runs, while a run lasts over 1.25 waits,
    keeping the fastest) and accepts a figure from one task's wait to a quarter more, or within
    10 % of what it measured when that is within a quarter of one wait; less than one wait is
    impossible (refused), 1.5 waits is the "partly overlapping" mistake (refused), and it names
    the one-after-another time too.
    """
    if predicted is ...:
        return report(False, "my_seconds is still `...`: replace it with the seconds you predict (a number), "
                      "and run the cell again.")
    if isinstance(predicted, bool) or not isinstance(predicted, (int, float)):
        return report(False, f"{predicted!r} is not a number of seconds.", "Write a number, e.g. my_seconds = 2.5.")
    from ..engine.harness import run
    from ..workers import wait_task

    pause = seconds(WAIT_SECONDS)
    runs: list[float] = []
    while len(runs) < RUNS and (not runs or min(runs) > 1.25 * pause):
        runs.append(run(wait_task, [pause] * WAITS, mode="threads", workers=WAITS).elapsed)
    measured = min(runs)
    fastest = f" (the fastest of {len(runs)} runs)" if len(runs) > 1 else ""
    said = (f"You predicted {predicted:g} s; measured now: {WAITS} waits of {format_duration(pause)} "
            f"on {WAITS} threads took {format_duration(measured)}{fastest}")
    # Right: from one wait (no task ends before its own wait: less is impossible) to a quarter more,
    # or within 10 % of what was measured when that is itself within a quarter of one wait.
    # 1.5 waits is the "partly overlapping" misconception, refused below.
    possible = predicted >= (1 - ROUNDING) * pause
    near = lambda target: 0.75 * target <= predicted <= 1.25 * target  # noqa: E731
    if possible and (predicted <= 1.25 * pause
                     or (measured <= 1.25 * pause and abs(predicted - measured) <= 0.1 * measured)):
        return report(True, f"{said}: the threads waited at the same time, so the run lasts about one wait.")
    if possible and measured > 1.25 * pause and near(measured):
        return cannot_show(f"{said}.", f"even the fastest run lasted {measured / pause:.1f} waits: too busy to tell "
                                       "a prediction near that from one of waits that partly overlap")
    if predicted <= 0:
        return report(False, f"{said}. A duration is more than 0 s.", "How long does one task wait?")
    if predicted > 1.5 * WAITS * pause:
        return report(False, f"{said}. That is longer than even the {WAITS} waits one after another "
                      f"({WAITS} × {format_duration(pause)}).", "How long does one task wait?")
    if predicted >= 0.75 * WAITS * pause:
        return report(False, f"{said}. {predicted:g} s is the time of the tasks one after another "
                      f"({WAITS} × {format_duration(pause)}).",
                      "On threads the waits overlap: while one thread waits, the others wait too.")
    if not possible:
        return report(False, f"{said}. That is less than one task's own wait of {format_duration(pause)}.",
                      "No task can finish before its own wait is over.")
    return report(False, f"{said}: between one wait and all {WAITS} in a row.",
                  "Do the threads wait in turn, or all at once? Try it in the panel: mode threads.")
