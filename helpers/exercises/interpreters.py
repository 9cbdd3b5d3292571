"""Checker for the subinterpreters notebook: the same sums, on two interpreters at once.

The learner writes ``sums_on_interpreters(numbers)``, which returns
``[timed_sum(n) for n in numbers]`` but runs the calls on two interpreters of this process at
the same time. Each :class:`~helpers.interpreters.TimedSum` records, from inside the worker,
the process id, the interpreter id and when it ran, so the checker sees where and when the
work happened: in this process, in interpreters other than the main one, in at least two of
them, overlapping in time, each taking about as long as the checker's own sum of that size
(a record of a sum never computed is refused), with every interpreter closed and every pool
shut down (observed: ``shutdown()`` called, not left to the garbage collector).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ..interpreters import available, unavailable_reason
from ..workers import sum_of_squares
from .base import NOT_ANSWERED, Verdict, call_learner, report, unanswered

#: The checker's job: 4 sums, each long enough (~0.1-0.3 s) for a second interpreter to start
#: before the first one has done them all.
INTERPRETER_SUMS = [2_500_000, 2_600_000, 2_700_000, 2_800_000]


def _open_interpreters() -> set[int]:
    from concurrent import interpreters

    return {interp.id for interp in interpreters.list_all()}


def check_interpreter_sums(sums_on_interpreters: Any, numbers: list[int] | None = None) -> Verdict:
    """Call ``sums_on_interpreters(numbers)`` and check where and when each sum ran."""
    if unanswered(sums_on_interpreters):
        return report(False, NOT_ANSWERED)
    if not callable(sums_on_interpreters):
        return report(False, f"sums_on_interpreters should be a function, not {type(sums_on_interpreters).__name__}.",
                      "Define it with def sums_on_interpreters(numbers): ... and run the cell.")
    if not available():
        text = (f"– Not checked: {unavailable_reason()} Run this notebook on Python 3.14+ to try it "
                "(e.g. uv python install 3.14).")
        print(text)
        return Verdict(False, text)
    numbers = list(INTERPRETER_SUMS if numbers is None else numbers)
    import time

    smallest = min((n for n in numbers if isinstance(n, int) and n > 0), default=0)
    began = time.perf_counter()
    _squares(smallest)  # the checker's own sum: how long the least of these sums takes here
    alone = time.perf_counter() - began
    before = _open_interpreters()
    records, elapsed, failed = call_learner(
        lambda: sums_on_interpreters(list(numbers)), "sums_on_interpreters",
        "Try it by hand first: sums_on_interpreters([10, 20]) should return two TimedSum records.",
        "Interpreters live in this process: no process should be started.")
    left = _open_interpreters() - before
    if left:
        _close(left)
    if failed is not None:
        return failed
    if left:
        return report(False, f"{len(left)} interpreter(s) were still open when sums_on_interpreters() returned "
                      "(the checker closed them).",
                      "Use InterpreterPoolExecutor in a with-block, or call close() on every interpreter you create.")
    try:
        records = list(records)
        fields = [(r.pid, r.interpreter, r.start, r.end, r.total) for r in records]
    except (TypeError, AttributeError):
        return report(False, f"sums_on_interpreters() returned {records!r:.80}, not a list of TimedSum records.",
                      "Return what timed_sum returned, one record per number, in the order of the numbers.")
    expected = [sum_of_squares(n) for n in numbers]
    if [total for *_, total in fields] != expected:
        return report(False, f"the {len(fields)} sums returned are not the sums of {numbers} in that order.",
                      "Keep the order: pool.map(timed_sum, numbers) returns results in the order of its inputs.")
    pids = {pid for pid, *_ in fields}
    if pids != {os.getpid()}:
        return report(False, f"the sums ran in {len(pids - {os.getpid()})} other process(es): interpreters live "
                      "inside this process.",
                      "Use concurrent.futures.InterpreterPoolExecutor, not ProcessPoolExecutor.")
    ids = sorted({interp for _, interp, *_ in fields})
    if ids == [0]:
        return report(False, "every sum ran in the main interpreter (id 0): that is threads (or a plain loop), "
                      "not interpreters.", "Use InterpreterPoolExecutor(max_workers=2), or interpreters.create().")
    if len(ids) < 2:
        return report(False, f"all {len(fields)} sums ran in one interpreter (id {ids[0]}), one after another.",
                      "Use two interpreters: InterpreterPoolExecutor(max_workers=2).")
    if alone >= MEASURABLE:
        # A sum can be slowed by a busy machine, never sped up: far quicker than the checker's own, it was not summed.
        quick = [(n, end - start) for n, (_, _, start, end, _) in zip(numbers, fields)
                 if end - start < WORK_FLOOR * alone * n / smallest]
        if quick:  # the baseline may itself have been slowed (a busy core): time the checker's own sum again
            for _ in range(2):
                began = time.perf_counter()
                _squares(smallest)
                alone = min(alone, time.perf_counter() - began)
            quick = [(n, end - start) for n, (_, _, start, end, _) in zip(numbers, fields)
                     if end - start < WORK_FLOOR * alone * n / smallest]
        if quick:
            n, took = quick[0]
            return report(False, f"the record for {n} says its sum took {took * 1000:.1f} ms, against "
                          f"{alone * n / smallest * 1000:.0f} ms for that sum here: it was not computed by "
                          "timed_sum.", "Return what timed_sum returned, unchanged, one record per number.")
    overlap = _overlap(fields)
    said = (f"{len(fields)} sums in interpreters {ids} of this process, {elapsed:.2f} s in all "
            f"(the sums alone: {sum(end - start for _, _, start, end, _ in fields):.2f} s)")
    if overlap <= 0:
        return report(False, f"{said}, but never two at the same time: one interpreter after another.",
                      "Start the calls together (a pool's map, or call_in_thread) before waiting for any result.")
    return report(True, f"{said}; two interpreters computed at the same time for {overlap:.2f} s.")


#: A sum in an interpreter takes at least this fraction of the checker's own (busy cores only slow a sum, but
#: may have slowed the baseline too) …
WORK_FLOOR = 0.05
#: … judged only where the checker's own sum takes this long (shorter ones are all noise).
MEASURABLE = 0.005


def _squares(number: int) -> int:
    """The checker's own copy of ``sum_of_squares``: its time is the baseline, out of the learner's reach."""
    return sum(i * i for i in range(number))


def _overlap(fields: list[tuple[int, int, float, float, int]]) -> float:
    """Longest time two sums from different interpreters ran at once (0 if they never did)."""
    best = 0.0
    for i, (_, a, s1, e1, _) in enumerate(fields):
        for _, b, s2, e2, _ in fields[i + 1:]:
            if a != b:
                best = max(best, min(e1, e2) - max(s1, s2))
    return best


def _close(ids: set[int]) -> None:
    from concurrent import interpreters

    for interp in interpreters.list_all():
        if interp.id in ids:
            try:
                interp.close()
            except Exception as exc:  # still running in a thread of the learner's: say so, leave it
                print(f"(interpreter {interp.id} could not be closed: {exc})", file=sys.stderr)
