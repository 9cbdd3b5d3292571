"""Processes that run threads: three processes at once, each waiting on two threads."""

from __future__ import annotations

import os
import time
from typing import Any

from ..engine.config import seconds
from ..charts.style import format_duration
from .base import (Observation, Verdict, call_learner, cannot_show, check_function, report,
                   returned_list, waited_for_processes)
from .probes import child_startup, most_at_once, started_after, watching

#: The processes' names, and the threads each one starts.
OFFICES = "XYZ"
THREAD_NAMES = "AB"


def check_processes_with_threads(three_offices: Any) -> Verdict:
    """``three_offices()`` starts processes ``X``, ``Y``, ``Z`` at once, each running
    ``process_with_threads_reporting(name, queue, "AB")``, drains the queue, joins them and
    returns the spans.

    Observed, by a recording copy of ``process_with_threads_reporting``: three calls, in three
    child processes, all three running at the same moment and done before ``three_offices``
    returned; the 9 spans returned come from those processes (2 waiting threads + the main
    thread each); nothing left running. Observed by the checker's own wrappers of
    ``Process.start`` and ``join``: each of the three joined (a process that ended by itself
    and was never joined is refused, however soon it ended). When the three never ran together, the child
    start-up measured here decides whether this machine could have shown it.
    """
    from .. import workers

    not_yet = check_function(three_offices, "three_offices", "check_processes_with_threads")
    if not_yet is not None:
        return not_yet
    observation = Observation()
    with watching(three_offices, workers.process_with_threads_reporting) as recorder:
        outcome, elapsed, failed = call_learner(
            lambda: (three_offices(), time.perf_counter()), "three_offices",
            "queue.Empty means fewer spans came than you waited for; check the names and counts.",
            "Join every process after you have taken all the spans off the queue.", observation=observation)
        calls = recorder.calls({w.ident for w in observation.processes if w.ident is not None})
    if failed is not None:
        return failed
    spans, returned = outcome
    pause = seconds(1.0)
    if not calls:
        return report(False, "process_with_threads_reporting never ran.",
                      "Process(target=process_with_threads_reporting, args=(name, queue, 'AB')) for name in 'XYZ'.")
    here = [c for c in calls if c.pid == os.getpid()]
    if here:
        return report(False, f"{len(here)} of the offices ran in this kernel's own process, not in a child process.",
                      "One Process per name, not a thread or a plain call.")
    names = sorted(str(c.args[0] if c.args else c.kwargs.get("process_name")) for c in calls)
    threads = [c.args[2] if len(c.args) > 2 else c.kwargs.get("thread_names", "ABC") for c in calls]
    if names != sorted(OFFICES) or any(t != THREAD_NAMES for t in threads):
        return report(False, f"The offices ran as {names} with threads {threads}; expected X, Y, Z with 'AB' each.",
                      "args=(name, queue, 'AB') for name in 'XYZ'.")
    if len({c.pid for c in calls}) != 3:
        return report(False, "The three offices did not run in three separate processes.", "One Process per name.")
    not_waited = waited_for_processes(calls, observation, returned, elapsed, "three_offices",
                                      "Take the 9 spans off the queue, then join every process.", prompt=False)
    if not_waited is not None:
        return not_waited
    spans = returned_list(spans, "three_offices", "a list of spans",
                          "Collect what you get() from the queue in a list and return it.")
    if isinstance(spans, Verdict):
        return spans
    fields = ("process", "pid", "thread", "start", "end")
    if not all(all(hasattr(s, f) for f in fields) for s in spans):
        return report(False, "three_offices() must return the ThreadSpan objects taken off the queue.",
                      "spans = [queue.get(timeout=30) for _ in range(9)]")
    if len(spans) != 9:
        return report(False, f"Got {len(spans)} spans; 3 processes × (2 threads + their main thread) send 9.",
                      "Each process sends one span per thread and one for itself: take 9 off the queue.")
    if sorted(s.pid for s in spans) != sorted(c.pid for c in calls for _ in range(3)):
        return report(False, "The spans returned are not the ones the three processes sent (3 each).",
                      "Return exactly what you took off the queue.")
    together = most_at_once(calls)
    if together < 3:
        startup = child_startup()
        said = (f"At most {together} of the 3 processes were running at the same moment; three_offices took "
                f"{format_duration(elapsed)} for waits of {format_duration(pause)}")
        ordered = sorted(calls, key=lambda c: c.start)
        one_after_another = any(started_after(b, a) for i, a in enumerate(ordered) for b in ordered[i + 1:])
        if not one_after_another:
            return cannot_show(said + ".", f"the processes were started together, but starting one takes "
                               f"{format_duration(startup)} here, about as long as each office's wait "
                               f"({format_duration(pause)})")
        return report(False, said + ": a process was started only after another had ended.",
                      "Start all three processes before you take anything off the queue or "
                      "join any.")
    waits = [s for s in spans if s.thread != "MainThread"]
    all_six = max(s.start for s in waits) < min(s.end for s in waits)
    return report(True, f"3 processes (pids {sorted(c.pid for c in calls)}) ran at the same time, 2 threads each: "
                  f"6 waits of {format_duration(pause)} in {format_duration(elapsed)} "
                  f"instead of {format_duration(6 * pause)}"
                  + (", all six waiting at the same moment." if all_six else "."))
