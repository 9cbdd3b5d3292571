"""Checker for notebook 19 (when programs misbehave): find which threads are inside a given function."""

from __future__ import annotations

import functools
import random
import sys
import threading
import time
from typing import Any

from .base import Verdict, call_learner, cannot_show, check_function, report

#: Threads the checker starts: stuck on a lock, and waiting on an event (an Event's wait is Python code, so
#: ``idle_until`` is *not* the top of their stack: only an answer that walks the stack finds them).
STUCK, IDLE = 3, 2
NOBODY = "a_function_no_thread_is_in"


def _in_function(thread: threading.Thread, name: str) -> bool:
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == name:
            return True
        frame = frame.f_back
    return False


def check_stuck_threads(stuck_threads: Any) -> Verdict:
    """``stuck_threads(function_name)`` must return the set of names of this process's threads that are inside
    ``function_name`` now, anywhere in their stack.

    Observed, not trusted: the checker starts threads with random names (some in
    :func:`helpers.failures_operations.wait_for_lock`, some in :func:`~helpers.failures_operations.idle_until`,
    below ``Event.wait``), asks for each function and for one no thread is in, compares with what it sees itself
    through ``sys._current_frames()``, and releases its threads on every exit path.
    """
    from ..failures_operations import idle_until, wait_for_lock

    name = "stuck_threads"
    failed = check_function(stuck_threads, name, "check_stuck_threads")
    if failed is not None:
        return failed
    tag = random.randint(100, 999)
    lock, go = threading.Lock(), threading.Event()
    lock.acquire()
    stuck = [threading.Thread(target=wait_for_lock, args=(lock, 20.0), name=f"writer-{tag}-{i}", daemon=True)
             for i in range(STUCK)]
    idle = [threading.Thread(target=idle_until, args=(go, 20.0), name=f"reader-{tag}-{i}", daemon=True)
            for i in range(IDLE)]
    try:
        for thread in stuck + idle:
            thread.start()
        deadline = time.monotonic() + 10
        while not (all(_in_function(t, "wait_for_lock") for t in stuck)
                   and all(_in_function(t, "idle_until") for t in idle)):
            if time.monotonic() > deadline:
                return cannot_show("", "the checker's threads did not reach their waits within 10 s (a very busy "
                                   "machine); run the cell again")
            time.sleep(0.01)
        questions = [("wait_for_lock", {t.name for t in stuck}), ("idle_until", {t.name for t in idle}),
                     (NOBODY, set())]
        for function, expected in questions:
            got, _, failed = call_learner(functools.partial(stuck_threads, function), name,
                                          hint="Look at sys._current_frames() for each thread of "
                                               "threading.enumerate().")
            if failed is not None:
                return failed
            if isinstance(got, (list, tuple, frozenset)):
                got = set(got)
            if not isinstance(got, set) or not all(isinstance(item, str) for item in got):
                return report(False, f"{name}({function!r}) returned {type(got).__name__} {got!r:.80}, not a set of "
                              "thread names.", "Collect thread.name for each thread found, in a set.")
            mine = {t.name for t in stuck + idle}
            if got == expected:
                continue
            if function == "idle_until" and not got & expected:
                return report(False, f"{name}('idle_until') missed the {len(expected)} threads waiting below it "
                              "(idle_until calls Event.wait, so it is not the top of their stack).",
                              "Walk each frame's f_back down to the bottom of the stack, not only the top frame.")
            extra, missing = got - expected, expected - got
            detail = []
            if missing:
                detail.append(f"missed {sorted(missing)}")
            if extra:
                others = extra - mine
                detail.append(f"included {len(extra)} thread(s) that are not in {function}"
                              + (f" ({len(others)} of them not the checker's: e.g. {sorted(others)[:2]})"
                                 if others else ""))
            return report(False, f"{name}({function!r}): " + "; ".join(detail) + ".",
                          "Keep only the threads one of whose frames (frame.f_code.co_name) is that function.")
        return report(True, f"{name}() found the {STUCK} threads stuck in wait_for_lock and the {IDLE} waiting in "
                      f"idle_until (random names, e.g. {stuck[0].name!r}), and none in a function no thread was in.")
    finally:
        lock.release()
        go.set()
        for thread in stuck + idle:
            thread.join(timeout=5)
