"""How many things were running at once: the one sweep over start/end times the course uses.

Threads in a log (notebook 11), a learner's workers recorded by a checker, tasks of a run:
each is an interval, and "did they overlap?" is "were two or more open at the same moment?".
"""

from __future__ import annotations

from collections.abc import Iterable


def most_at_once(intervals: Iterable[tuple[float, float | None]]) -> int:
    """The largest number of ``(start, end)`` intervals open at the same moment (``end`` None: still open).

    An interval that ends exactly when another starts does not overlap it.
    """
    events = []
    for start, end in intervals:
        events.append((start, 1))
        if end is not None:
            events.append((end, -1))
    running = most = 0
    for _, step in sorted(events):  # at equal times the end (-1) sorts first
        running += step
        most = max(most, running)
    return most
