"""Starting processes: two workers that really run in two other processes, at the same time."""

from __future__ import annotations

import os
import time
from typing import Any

from ..engine.config import seconds
from ..charts.style import format_duration
from .base import (Observation, Verdict, call_learner, cannot_show, check_function, report,
                   returned_list, waited_for_processes)
from .probes import child_startup, overlap, started_after, watching

#: What the two workers print: ``print_letters("AB")`` and ``print_letters("CD")``.
LETTERS = ("AB", "CD")


def check_two_processes(start_two: Any) -> Verdict:
    """``start_two()`` must start two processes (not threads) at once, join them, and return them.

    Observed, by a recording copy of ``print_letters`` that writes down its own pid and
    times: one call for "AB" and one for "CD", in two processes other than this kernel,
    running at the same moment, both done before ``start_two`` returned; the two
    ``Process`` objects returned, exit code 0; nothing left running. Observed by the checker's
    own wrappers of ``Process.start`` and ``join``: each child joined, ``start_two`` inside
    ``join()`` when the last child's work ended (not waiting by a guess), and only calls from
    children started during ``start_two`` believed. When the two did not
    overlap, the child start-up measured here decides: if starting a process takes about
    as long as the work, this machine cannot show it, and the verdict says so.
    """
    from .. import workers

    not_yet = check_function(start_two, "start_two", "check_two_processes")
    if not_yet is not None:
        return not_yet
    observation = Observation()
    with watching(start_two, workers.print_letters) as recorder:
        outcome, elapsed, failed = call_learner(lambda: (start_two(), time.perf_counter()), "start_two",
                                                leftover_hint="join() both processes before returning.",
                                                observation=observation)
        calls = recorder.calls({w.ident for w in observation.processes if w.ident is not None})
    if failed is not None:
        return failed
    processes, returned = outcome
    work = 2 * seconds(1.0)
    if not calls:
        return report(False, "print_letters never ran: start_two() started no worker.",
                      "Process(target=print_letters, args=('AB',)) and one with 'CD'.")
    here = [c for c in calls if c.pid == os.getpid()]
    if here:
        return report(False, f"{len(here)} of the {len(calls)} print_letters calls ran in this kernel's own process "
                      f"(pid {os.getpid()}): on a thread or as a plain call, not in a child process.",
                      "multiprocessing's Process (here: helpers' Process), not threading.Thread.")
    letters = sorted(str(c.args[0] if c.args else c.kwargs.get("letters", "ABCDE")) for c in calls)
    if letters != sorted(LETTERS):
        return report(False, f"The workers printed {letters}; the exercise asks for one 'AB' and one 'CD'.",
                      "args=('AB',) for the first, args=('CD',) for the second.")
    not_waited = waited_for_processes(calls, observation, returned, elapsed, "start_two",
                                      "join() both processes before returning them.")
    if not_waited is not None:
        return not_waited
    processes = returned_list(processes, "start_two", "the two Process objects", "return [first, second]")
    if isinstance(processes, Verdict):
        return processes
    if len(processes) != 2 or not all(hasattr(p, "pid") and hasattr(p, "exitcode") for p in processes):
        return report(False, f"Expected the two Process objects, got {processes!r:.100}.", "return [first, second]")
    if sorted(p.pid for p in processes) != sorted(c.pid for c in calls):
        return report(False, "The Process objects returned are not the ones that ran the workers.",
                      "Return the two processes you started.")
    if any(p.exitcode != 0 for p in processes):
        return report(False, f"Exit codes {[p.exitcode for p in processes]}: a child failed (see its error above).")
    together = overlap(calls)
    if together <= 0:
        first, second = sorted(calls, key=lambda c: c.start)  # the order they began, whatever the log's order
        assert first.end is not None  # the "still working" check above answered any call that did not finish
        startup = child_startup()
        gap = second.start - first.end
        if not started_after(second, first):
            return cannot_show(f"The second child began {format_duration(gap)} after the first had ended.",
                               f"both children were started together, but starting a process takes "
                               f"{format_duration(startup)} here, about as long as the work itself "
                               f"({format_duration(work)})")
        return report(False, f"The second child was started only after the first had ended, and began "
                      f"{format_duration(gap)} after it: "
                      f"start_two took {format_duration(elapsed)} instead of about {format_duration(work)}.",
                      "Start both processes first, then join both.")
    return report(True, f"Two child processes (pids {sorted(c.pid for c in calls)}) printed at the same time: "
                  f"{format_duration(together)} of their {format_duration(work)} each side by side; start_two took "
                  f"{format_duration(elapsed)} in all, child start-up included.")
