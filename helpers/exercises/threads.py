"""Starting threads: two workers that really run on two threads, at the same time."""

from __future__ import annotations

import threading
import time
from typing import Any

from ..engine.config import seconds
from ..charts.style import format_duration
from .base import Verdict, call_learner, cannot_show, check_function, report, returned_too_soon
from .probes import overlap, started_after, watching

#: Each worker prints this many numbers (``print_numbers(count=2)``), one pause before each.
NUMBERS = 2


def check_two_threads(run_two: Any) -> Verdict:
    """``run_two()`` must start two threads of ``print_numbers(count=2)`` and join both.

    Observed, by a recording copy of ``print_numbers`` (see :mod:`.probes`): exactly two
    calls with ``count=2``, each in a thread of its own (neither the caller's thread), both
    running at the same moment (◌ where the second was started before the first ended but
    ran only after it: a busy machine), both finished before ``run_two`` returned, and no
    thread left running.
    """
    from .. import workers

    not_yet = check_function(run_two, "run_two", "check_two_threads")
    if not_yet is not None:
        return not_yet
    caller = threading.get_ident()
    with watching(run_two, workers.print_numbers) as recorder:
        returned, elapsed, failed = call_learner(lambda: (run_two(), time.perf_counter())[1], "run_two",
                                                 leftover_hint="Call join() on every thread you started.")
        calls = recorder.calls()
    if failed is not None:
        return failed
    one = NUMBERS * seconds(1.0)
    if not calls:
        return report(False, "run_two() never called print_numbers.",
                      "threading.Thread(target=print_numbers, kwargs={'count': 2}), twice.")
    counts = [c.kwargs.get("count", c.args[0] if c.args else 5) for c in calls]
    if any(count != NUMBERS for count in counts):
        return report(False, f"print_numbers was called with count={counts}: each worker should print {NUMBERS}.",
                      "kwargs={'count': 2}")
    in_caller = [c for c in calls if c.thread == caller]
    if in_caller:
        return report(False, f"{len(in_caller)} of the {len(calls)} print_numbers calls ran in run_two's own thread, "
                      "not in a thread of its own: that is a plain function call.",
                      "threading.Thread(target=print_numbers, kwargs={'count': 2}), then start().")
    if len(calls) != 2:
        return report(False, f"print_numbers ran {len(calls)} time(s); the exercise asks for two workers.",
                      "Make exactly two threads.")
    unfinished = returned_too_soon(run_two, "run_two", "threads", [c.end for c in calls], returned, elapsed,
                                   "Call join() on both threads before returning.")
    if unfinished is not None:
        return unfinished
    together = overlap(calls)
    if together <= 0:
        first, second = sorted(calls, key=lambda c: c.start)
        assert first.end is not None  # returned_too_soon above answered any call that did not finish
        if not started_after(second, first):
            return cannot_show(f"The second thread began {format_duration(second.start - first.end)} after the first "
                               f"had finished: run_two took {format_duration(elapsed)}.",
                               "both threads were started before the first ended, but this machine was too busy "
                               "to run the second one in time")
        return report(False, f"The second thread started {format_duration(second.start - first.end)} after the first "
                      f"had finished: run_two took {format_duration(elapsed)} instead of about {format_duration(one)}.",
                      "Start both threads first, then join both; joining the first before starting the second "
                      "makes them run one after the other.")
    return report(True, f"Two threads ran print_numbers at the same time ({format_duration(together)} together): "
                  f"run_two took {format_duration(elapsed)}, about one worker's {format_duration(one)}.")
