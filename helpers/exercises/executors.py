"""Checker for the executors notebook: results *and* exceptions come back from a process pool."""

from __future__ import annotations

import os
from typing import Any

from .base import NOT_ANSWERED, Observation, Verdict, call_learner, report, unanswered

#: The inputs the checker gives ``run_all``: the negative ones make ``checked_square`` raise.
ITEMS = [3, -1, 4, -5, 6, 7]


def check_executor_errors(run_all: Any) -> Verdict:
    """``run_all(func, items)`` must run ``func(x)`` for every ``x`` in a **process** pool and
    return ``{x: result}``, where a task that raised maps to the exception it raised.

    Observed, not trusted: the checker passes :func:`helpers.executors.checked_square`, whose
    results carry the pid of the process that computed them, and which raises ``ValueError``
    for a negative input. It checks every item came back, the failures as exception objects
    (not raised, not dropped), the others computed in another process, and no worker left
    running. ``func`` is a recording copy (see :mod:`.probes`), so the checker also sees, from
    the workers themselves, that every item ran in a worker process started during the call
    and that each negative one raised there; and each exception returned must be the one
    that worker raised (it carries the pool's remote traceback), not one made in the kernel.
    The pool itself must be shut down (observed: ``shutdown()``, or ``terminate()``/``close()``
    and ``join()`` for a ``multiprocessing`` pool), not left for the garbage collector.
    """
    from ..executors import checked_square
    from .probes import Recorded, Recorder

    if unanswered(run_all):
        return report(False, NOT_ANSWERED)
    if not callable(run_all):
        return report(False, "Pass the function itself: check_executor_errors(run_all), without ().")
    hint_raise = ("One failing task ended the whole call: executor.map() re-raises the first error when you "
                  "reach it. Submit each item, then ask each future for its result inside try/except "
                  "(or use future.exception()).")
    recorder = Recorder()
    observation = Observation()
    try:
        got, _, failed = call_learner(lambda: run_all(Recorded(checked_square, recorder.token), list(ITEMS)),
                                      "run_all", hint=hint_raise, observation=observation,
                                      leftover_hint="Use the executor in a with block, so its workers are shut down.")
        calls = recorder.calls({w.ident for w in observation.processes if w.ident is not None})
    finally:
        recorder.close()
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
    here = os.getpid()
    ran: dict[Any, Any] = {}
    for call in calls:
        item = call.args[0] if call.args else call.kwargs.get("n")
        if call.pid != here and item in ITEMS:
            ran.setdefault(item, call)
    in_kernel = sorted({c.args[0] for c in calls if c.pid == here and c.args}, key=repr)
    if in_kernel and not ran:
        return report(False, f"The tasks ran in this kernel's process (pid {here}), not in worker processes.",
                      "Use ProcessPoolExecutor, not ThreadPoolExecutor or a plain loop.")
    never = [x for x in ITEMS if x not in ran]
    if never:
        return report(False, f"func never ran in a worker process for {never}: the checker's copy of func, which "
                      "notes every call from inside the worker, saw no such call.",
                      "Submit every item to the pool: pool.submit(func, item) for each, and keep what comes back.")
    made_here = [x for x in ITEMS if x < 0 and not _raised_in_a_worker(got[x])]
    if made_here:
        return report(False, f"The ValueError for {made_here} was not the one the worker raised: it came back "
                      "without the pool's remote traceback, so it was made (or raised again) in this kernel.",
                      "Keep the exception the future gives you: future.exception(), or `except Exception as exc: "
                      "results[item] = exc` around future.result().")
    good = {x: got[x] for x in ITEMS if x >= 0}
    wrong = {x: v for x, v in good.items() if not (isinstance(v, tuple) and len(v) == 4 and v[1] == x * x)}
    if wrong:
        shown = ", ".join(f"{x}: {v!r}" for x, v in wrong.items())
        return report(False, f"These results are not what func returned: {shown}.",
                      "Store future.result() as it is (a Done record), without changing it.")
    pids = {v[2] for v in good.values()}
    if here in pids:
        return report(False, f"The tasks ran in this kernel's process (pid {here}), not in worker processes.",
                      "Use ProcessPoolExecutor, not ThreadPoolExecutor or a plain loop.")
    return report(True, f"{len(good)} results came back from {len(pids)} worker process(es), and the "
                  f"{len(ITEMS) - len(good)} failures as ValueError objects: "
                  + ", ".join(f"{x}: {'ValueError' if x < 0 else got[x][1]}" for x in ITEMS) + ".")


def _raised_in_a_worker(error: BaseException) -> bool:
    """Whether ``error`` came back from a worker process: a process pool attaches the worker's
    traceback as its ``__cause__`` (``concurrent.futures.process._RemoteTraceback``, or
    ``multiprocessing.pool.RemoteTraceback``) when it rebuilds the exception here."""
    cause = error.__cause__
    return type(cause).__name__ in ("_RemoteTraceback", "RemoteTraceback") and "checked_square" in str(cause)
