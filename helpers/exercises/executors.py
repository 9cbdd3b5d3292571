"""Checker for the executors notebook: results *and* exceptions come back from a process pool."""

from __future__ import annotations

import os
from typing import Any

from .base import NOT_ANSWERED, Verdict, call_learner, report, unanswered

#: The inputs the checker gives ``run_all``: the negative ones make ``checked_square`` raise.
ITEMS = [3, -1, 4, -5, 6, 7]


def check_executor_errors(run_all: Any) -> Verdict:
    """``run_all(func, items)`` must run ``func(x)`` for every ``x`` in a **process** pool and
    return ``{x: result}``, where a task that raised maps to the exception it raised.

    Observed, not trusted: the checker passes :func:`helpers.executors.checked_square`, whose
    results carry the pid of the process that computed them, and which raises ``ValueError``
    for a negative input. It checks every item came back, the failures as exception objects
    (not raised, not dropped), the others computed in another process, and no worker left
    running.
    """
    from ..executors import checked_square

    if unanswered(run_all):
        return report(False, NOT_ANSWERED)
    if not callable(run_all):
        return report(False, "Pass the function itself: check_executor_errors(run_all), without ().")
    hint_raise = ("One failing task ended the whole call: executor.map() re-raises the first error when you "
                  "reach it. Submit each item, then ask each future for its result inside try/except "
                  "(or use future.exception()).")
    got, _, failed = call_learner(lambda: run_all(checked_square, list(ITEMS)), "run_all", hint=hint_raise,
                                  leftover_hint="Use the executor in a with block, so its workers are shut down.")
    if failed is not None:
        return failed
    if not isinstance(got, dict):
        return report(False, f"run_all() returned {type(got).__name__}, not a dict {{item: result or exception}}.",
                      "Build a dict: results[item] = future.result(), or the exception it raised.")
    missing = [x for x in ITEMS if x not in got]
    if missing:
        return report(False, f"Items {missing} are missing from the dict (it has {sorted(got, key=repr)}).",
                      "Every item needs an entry, also those whose task raised.")
    bad_failures = {x: got[x] for x in ITEMS if x < 0 and not isinstance(got[x], ValueError)}
    if bad_failures:
        shown = ", ".join(f"{x}: {v!r}" for x, v in bad_failures.items())
        return report(False, f"The failing items should map to the ValueError they raised; got {shown}.",
                      "Keep the exception object itself: `except Exception as exc: results[item] = exc`, "
                      "or `future.exception()`.")
    good = {x: got[x] for x in ITEMS if x >= 0}
    wrong = {x: v for x, v in good.items() if not (isinstance(v, tuple) and len(v) == 4 and v[1] == x * x)}
    if wrong:
        shown = ", ".join(f"{x}: {v!r}" for x, v in wrong.items())
        return report(False, f"These results are not what func returned: {shown}.",
                      "Store future.result() as it is (a Done record), without changing it.")
    here = os.getpid()
    pids = {v[2] for v in good.values()}
    if here in pids:
        return report(False, f"The tasks ran in this kernel's process (pid {here}), not in worker processes.",
                      "Use ProcessPoolExecutor, not ThreadPoolExecutor or a plain loop.")
    return report(True, f"{len(good)} results came back from {len(pids)} worker process(es), and the "
                  f"{len(ITEMS) - len(good)} failures as ValueError objects: "
                  + ", ".join(f"{x}: {'ValueError' if x < 0 else got[x][1]}" for x in ITEMS) + ".")
