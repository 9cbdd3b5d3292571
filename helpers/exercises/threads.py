"""Starting threads: two workers that really run on two threads, at the same time."""

from __future__ import annotations

import threading
import time
from typing import Any

from ..engine.config import seconds
from ..charts.style import format_duration
from .base import (Observation, Verdict, call_learner, cannot_show, check_function, report, skipped_work,
                   waited_by_joining)
from .probes import overlap, started_after, watching

#: Each worker prints this many numbers (``print_numbers(count=2)``), one pause before each.
NUMBERS = 2


def check_two_threads(run_two: Any) -> Verdict:
    """``run_two()`` must start two threads of ``print_numbers(count=2)`` and join both.

    Observed, by a recording copy of ``print_numbers`` (see :mod:`.probes`): exactly two
    calls with ``count=2``, each in a thread of its own (neither the caller's thread), both
    running at the same moment (◌ where the second was started before the first ended but
    ran only after it: a busy machine), both in this process (threads, not child processes:
    the pids are compared). Observed by the checker's own wrappers of ``Thread.start`` and
    ``Thread.join``: each of the two threads joined, ``run_two`` inside ``join()`` when the
    last one ended (so it returned within milliseconds, not after a guessed wait), and no
    thread left running.
    """
    import os

    from .. import workers

    not_yet = check_function(run_two, "run_two", "check_two_threads")
    if not_yet is not None:
        return not_yet
    caller = threading.get_ident()
    observation = Observation()
    with watching(run_two, workers.print_numbers) as recorder:
        returned, elapsed, failed = call_learner(lambda: (run_two(), time.perf_counter())[1], "run_two",
                                                 leftover_hint="Call join() on every thread you started.",
                                                 observation=observation)
        calls = recorder.calls({w.ident for w in observation.processes if w.ident is not None})
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
    elsewhere = sorted({c.pid for c in calls if c.pid != os.getpid()})
    if elsewhere:
        return report(False, f"{len(elsewhere)} of the print_numbers calls ran in other processes (pid "
                      f"{', '.join(map(str, elsewhere))}), not in threads of this kernel (pid {os.getpid()}): "
                      f"that is {'two processes' if len(elsewhere) > 1 else 'a process'}, not threads.",
                      "threading.Thread(target=print_numbers, kwargs={'count': 2}), not multiprocessing's Process.")
    in_caller = [c for c in calls if c.thread == caller]
    if in_caller:
        return report(False, f"{len(in_caller)} of the {len(calls)} print_numbers calls ran in run_two's own thread, "
                      "not in a thread of its own: that is a plain function call.",
                      "threading.Thread(target=print_numbers, kwargs={'count': 2}), then start().")
    if len(calls) != 2:
        return report(False, f"print_numbers ran {len(calls)} time(s); the exercise asks for two workers.",
                      "Make exactly two threads.")
    if any(c.end is None or c.end > returned for c in calls):
        late = [c for c in calls if c.end is None or c.end > returned]
        return report(False, f"run_two() returned after {format_duration(elapsed)}, while {len(late)} of its threads "
                      f"{'were' if len(late) > 1 else 'was'} still working: it did not wait for them.",
                      "Call join() on both threads before returning.")
    skipped = skipped_work([(c.start, c.end) for c in calls], one, "print_numbers")
    if skipped is not None:
        return skipped
    ran = [observation.thread(c.thread) for c in calls]
    if any(w is None for w in ran):
        return report(False, "print_numbers ran on a thread that was not started with Thread.start() during "
                      "run_two().", "threading.Thread(target=print_numbers, kwargs={'count': 2}), then start().")
    unjoined = waited_by_joining([w for w in ran if w is not None], [c.end for c in calls if c.end is not None],
                                 returned, "threads", "run_two")
    if unjoined is not None:
        return unjoined
    together = overlap(calls)
    if together <= 0:
        first, second = sorted(calls, key=lambda c: c.start)
        assert first.end is not None  # the "still working" check above answered any call that did not finish
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
