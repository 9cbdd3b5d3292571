"""Checkers for each notebook's exercise: they measure what the learner's code does.

Every checker prints one line starting with ✔ (right) or ✘ (not yet, with a hint) and
returns a :class:`Verdict` (true when right; it shows nothing more in a notebook). A checker never raises for a wrong or missing answer, so a
notebook with the exercise still open runs from top to bottom. ``...`` (Ellipsis) means
"not answered yet".
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from .config import seconds


class Verdict:
    """A checker's answer: truthy when right; ``message`` is what was printed."""

    def __init__(self, ok: bool, message: str) -> None:
        self.ok = ok
        self.message = message

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict(ok={self.ok}, message={self.message!r})"

    def _ipython_display_(self) -> None:
        pass  # the printed line already said it


def report(ok: bool, message: str, hint: str = "") -> Verdict:
    """Print the verdict the way every checker does, and return it."""
    text = ("✔ " if ok else "✘ ") + message + (f"\n  Hint: {hint}" if hint and not ok else "")
    print(text)
    return Verdict(ok, text)


NOT_ANSWERED = "Not answered yet: replace the ... with your answer and run the cell again."


def _unanswered(answer: Any) -> bool:
    return answer is ...


# --- 00 welcome ------------------------------------------------------------------------

def check_00(cores: Any) -> Verdict:
    """The learner reads the number of CPU cores from the machine table."""
    if _unanswered(cores):
        return report(False, NOT_ANSWERED)
    actual = os.cpu_count()
    return report(cores == actual, f"This machine has {actual} cores." if cores == actual
                  else f"{cores!r} is not this machine's core count.",
                  "Look at the row 'CPU cores (os.cpu_count)' in the table above.")


# --- 01 what is a thread ---------------------------------------------------------------

def check_01(run_two: Any) -> Verdict:
    """``run_two()`` must start two threads of ``print_numbers(count=2)`` and join both.

    Measured: it must take about one worker's time (2 pauses), not two (4 pauses), and
    leave no thread of its own running when it returns.
    """
    if _unanswered(run_two):
        return report(False, NOT_ANSWERED)
    if not callable(run_two):
        return report(False, "Pass the function itself: check_01(run_two), without ().")
    before = threading.active_count()
    start = time.perf_counter()
    run_two()
    elapsed = time.perf_counter() - start
    leftover = threading.active_count() - before
    one_worker = 2 * seconds(1.0)
    if leftover > 0:
        return report(False, f"{leftover} thread(s) were still running when run_two() returned.",
                      "Call join() on every thread you started.")
    if elapsed < one_worker * 0.9:
        return report(False, f"run_two() returned after {elapsed:.2f} s, before one worker could finish "
                      f"({one_worker:.2f} s).", "Did you start both threads, and join them?")
    if elapsed > one_worker * 1.5:
        return report(False, f"run_two() took {elapsed:.2f} s: the threads ran one after the other.",
                      "Start both threads first, then join both.")
    return report(True, f"Two workers of {one_worker:.2f} s each finished together in {elapsed:.2f} s.")


# --- 02 what is a process --------------------------------------------------------------

def check_02(start_two: Any) -> Verdict:
    """``start_two()`` must start two processes (not threads) at once and return them, joined."""
    if _unanswered(start_two):
        return report(False, NOT_ANSWERED)
    if not callable(start_two):
        return report(False, "Pass the function itself: check_02(start_two), without ().")
    start = time.perf_counter()
    processes = start_two()
    elapsed = time.perf_counter() - start
    try:
        processes = list(processes)
    except TypeError:
        return report(False, "start_two() must return the two Process objects (a list or tuple).")
    if len(processes) != 2 or not all(hasattr(p, "pid") and hasattr(p, "exitcode") for p in processes):
        return report(False, f"Expected two Process objects, got {processes!r}.")
    if any(p.exitcode is None for p in processes):
        for p in processes:
            p.join(10)
        return report(False, "A process was still running when start_two() returned.", "join() both before returning.")
    pids = {p.pid for p in processes}
    if os.getpid() in pids or len(pids) != 2:
        return report(False, "The two workers did not run in two separate processes.")
    if any(p.exitcode != 0 for p in processes):
        return report(False, f"Exit codes {[p.exitcode for p in processes]}: a child failed (see its error above).",
                      "Use a worker from helpers.workers, e.g. print_letters.")
    sequential = 2 * 2 * seconds(1.0)
    if elapsed > sequential * 0.85:
        return report(False, f"start_two() took {elapsed:.2f} s: the processes ran one after the other.",
                      "Start both, then join both.")
    return report(True, f"Two processes (pids {sorted(pids)}) ran side by side: {elapsed:.2f} s "
                  f"instead of {sequential:.2f} s one after the other.")


# --- 03 threads for waiting work -------------------------------------------------------


# --- 04 processes for CPU work ---------------------------------------------------------


# --- 05 sharing data -------------------------------------------------------------------


# --- 06 joining and stopping -----------------------------------------------------------


# --- 07 processes with threads ---------------------------------------------------------


# --- 08 quick reference ----------------------------------------------------------------


# --- 09 analogy and conclusion ---------------------------------------------------------
