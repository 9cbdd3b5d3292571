"""Checkers for the free-threaded Python notebook: tell the build from the GIL's state; fix a race.

:func:`check_gil_report`: the learner writes ``describe_python()``, returning
``{"free_threaded_build": bool, "gil_enabled": bool}`` for the Python it runs in. A function that
only returns this machine's answer would pass on this machine, so the checker also calls it inside
four simulated Pythons: for one call each it makes every place a program can read the build from
say what that Python would (``Py_GIL_DISABLED`` in ``sysconfig``'s configuration, so
``get_config_var`` and ``get_config_vars()`` alike; ``sys.abiflags``; the "free-threading build"
in ``sys.version``) and what ``sys._is_gil_enabled`` reports (absent before 3.13). Any correct way
of reading them passes; the function must read both at call time and survive a Python without
``sys._is_gil_enabled``.

:func:`check_race_fix`: the learner makes ``record_visits_safely(tally, pages)`` count correctly when
several threads share ``tally``. ``tally[page] += 1`` loses nothing on a GIL build (a thread switch
never falls between its read and its write there) and loses a good share on a free-threaded build
(measured: notebook 15). The checker runs the answer on threads of its own twice: on a plain dict
(on a free-threaded build that is the real race), and on a dict that forces a thread switch between
every read and the write that follows (``time.sleep(0)`` in its ``__getitem__`` and ``get``), which
shows on a GIL build what a free-threaded one does unforced. The totals are counted by the checker,
from a tally that starts with counts of its own, with a different number of pages per thread.
"""

from __future__ import annotations

import random
import sys
import sysconfig
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..engine.bounded import DidNotReturn, stop_threads
from ..free_threading import gil_status
from .base import NOT_ANSWERED, Verdict, check_function, learner_limit, never_returned, report, unanswered

_MISSING = object()

#: (description, what sys._is_gil_enabled returns or _MISSING, Py_GIL_DISABLED, the right answer)
SIMULATED_PYTHONS: list[tuple[str, Any, Any, dict[str, bool]]] = [
    ("Python 3.12 (no sys._is_gil_enabled at all)", _MISSING, None,
     {"free_threaded_build": False, "gil_enabled": True}),
    ("standard Python 3.14", True, 0, {"free_threaded_build": False, "gil_enabled": True}),
    ("free-threaded Python 3.14t, GIL off", False, 1, {"free_threaded_build": True, "gil_enabled": False}),
    ("free-threaded Python 3.14t after an extension turned the GIL back on", True, 1,
     {"free_threaded_build": True, "gil_enabled": True}),
]

_HINTS = {
    "free_threaded_build": "The build is a compile-time fact: sysconfig.get_config_var('Py_GIL_DISABLED') "
                           "(1 on a free-threaded build; 0 or None otherwise).",
    "gil_enabled": "Whether the GIL is on now is a run-time fact: sys._is_gil_enabled(), which a "
                   "free-threaded build answers True after importing an extension that needs the GIL.",
}


@contextmanager
def _simulated(gil: Any, disabled: Any) -> Iterator[None]:
    """For one call: the build and ``sys._is_gil_enabled`` as another Python has them.

    The build is changed where it is kept, not in one reader: ``Py_GIL_DISABLED`` in the dict that
    ``sysconfig.get_config_vars()`` returns (``get_config_var`` reads the same dict), ``sys.abiflags``
    (``t`` on a free-threaded build) and the words "free-threading build" in ``sys.version``.
    """
    saved_check = getattr(sys, "_is_gil_enabled", _MISSING)
    config = sysconfig.get_config_vars()  # the module's own dict (filled on first use)
    saved_var = config.get("Py_GIL_DISABLED", _MISSING)
    saved_abiflags: Any = getattr(sys, "abiflags", _MISSING)
    saved_version = sys.version
    plain_version = saved_version.replace(" free-threading build", "")
    try:
        if gil is _MISSING:
            if saved_check is not _MISSING:
                del sys._is_gil_enabled  # type: ignore[attr-defined]  # 3.13+ (checked as 3.10)
        else:
            sys._is_gil_enabled = lambda: gil  # type: ignore[attr-defined]
        if disabled is None:
            config.pop("Py_GIL_DISABLED", None)
        else:
            config["Py_GIL_DISABLED"] = disabled
        if saved_abiflags is not _MISSING:
            flags = saved_abiflags.replace("t", "")
            sys.abiflags = flags + ("t" if disabled else "")
        head, _, tail = plain_version.partition(" (")
        sys.version = f"{head} free-threading build ({tail}" if disabled and tail else plain_version
        yield
    finally:
        sys.version = saved_version
        if saved_abiflags is not _MISSING:
            sys.abiflags = saved_abiflags
        if saved_var is _MISSING:
            config.pop("Py_GIL_DISABLED", None)
        else:
            config["Py_GIL_DISABLED"] = saved_var
        if saved_check is _MISSING:
            if hasattr(sys, "_is_gil_enabled"):
                del sys._is_gil_enabled
        else:
            sys._is_gil_enabled = saved_check  # type: ignore[attr-defined]


def _answer(describe: Callable[[], Any]) -> dict[str, Any]:
    """What ``describe()`` returned, checked; it is stopped after :func:`.base.learner_limit` s."""
    from ..engine.bounded import call_within

    value = call_within(describe, learner_limit())
    if not isinstance(value, dict) or set(value) != {"free_threaded_build", "gil_enabled"}:
        raise TypeError(f"returned {value!r:.80}, not a dict with the keys 'free_threaded_build' and "
                        "'gil_enabled'")
    return value


def check_gil_report(describe_python: Any) -> Verdict:
    """Call ``describe_python()`` here and in four simulated Pythons; compare with the truth."""
    if unanswered(describe_python):
        return report(False, NOT_ANSWERED)
    if not callable(describe_python):
        return report(False, f"describe_python should be a function, not {type(describe_python).__name__}.",
                      "Define it with def describe_python(): ... and run the cell.")
    here = gil_status()
    truth_here = {"free_threaded_build": here.free_threaded_build, "gil_enabled": here.gil_enabled}
    worlds = [("this kernel's Python", None, None, truth_here), *SIMULATED_PYTHONS]
    for name, gil, disabled, truth in worlds:
        try:
            if gil is None:
                said = _answer(describe_python)
            else:
                with _simulated(gil, disabled):
                    said = _answer(describe_python)
        except DidNotReturn as stopped:
            return never_returned("describe_python", stopped.limit)
        except AttributeError as exc:
            return report(False, f"in {name}, describe_python() raised AttributeError: {exc}.",
                          "Before 3.13, sys has no _is_gil_enabled (and the GIL is always on): "
                          "getattr(sys, '_is_gil_enabled', lambda: True)().")
        except Exception as exc:
            return report(False, f"in {name}, describe_python() {exc}" if isinstance(exc, TypeError)
                          else f"in {name}, describe_python() raised {type(exc).__name__}: {exc}",
                          "Return {'free_threaded_build': ..., 'gil_enabled': ...} with True or False in each.")
        for key in ("free_threaded_build", "gil_enabled"):
            if not isinstance(said[key], bool):
                return report(False, f"in {name}, {key} was {said[key]!r}, not True or False.",
                              "Wrap the value in bool(...): Py_GIL_DISABLED is 1, 0 or None.")
            if said[key] != truth[key]:
                return report(False, f"in {name}, describe_python() said {key}={said[key]}, but it is "
                              f"{truth[key]} there.", _HINTS[key])
    return report(True, f"right in this kernel ({here}) and in the {len(SIMULATED_PYTHONS)} simulated Pythons: "
                  "3.12, standard 3.14, 3.14t with the GIL off, and 3.14t with the GIL turned back on.")


# --- the race that only a free-threaded build shows ------------------------------------------------

#: The pages of the exercise, and the counts the shared tally already holds when the threads start.
PAGES = ("home", "about", "blog", "shop")
_RACE_HINT = ("Take a threading.Lock around the read and the write (with lock: tally[page] += 1), or count in a "
              "local dict first and add it to tally under the lock once. The lock must be one object shared by "
              "every thread: create it outside the function (a global), not inside.")


class SwitchingTally(dict[str, int]):
    """A dict that lets the other threads run between a read and the write that follows it.

    ``tally[page] += 1`` reads through ``__getitem__`` and writes through ``__setitem__``:
    ``time.sleep(0)`` after each read gives up the CPU (and the GIL, where there is one), which a
    free-threaded Python does not need in order to interleave two threads there.
    """

    def __getitem__(self, key: Any) -> Any:
        value = super().__getitem__(key)
        time.sleep(0)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        value = super().get(key, default)
        time.sleep(0)
        return value


def _count_on_threads(record: Callable[..., Any], tally: dict[str, int], per_thread: list[list[str]],
                      timeout: float) -> tuple[dict[str, int], str | None]:
    """Run ``record(tally, pages)`` on one thread per list of pages, all released together; the totals.

    Returns ``(expected totals, problem)``: ``problem`` names an exception or a thread still running
    after ``timeout`` seconds (the threads are daemons: a deadlocked answer cannot keep Python alive).
    """
    expected = dict(tally)
    for pages in per_thread:
        for page in pages:
            expected[page] += 1
    errors: list[BaseException] = []
    ready = threading.Barrier(len(per_thread))

    def work(pages: list[str]) -> None:
        try:
            ready.wait(timeout)
            record(tally, pages)
        except BaseException as exc:  # reported in the verdict, not on stderr
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(pages,), name=f"visits-{n + 1}", daemon=True)
               for n, pages in enumerate(per_thread)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    stuck = [w.name for w in workers if w.is_alive()]
    if stuck:
        still = stop_threads([w for w in workers if w.is_alive()])
        left = (f"; {len(still)} could not be stopped (inside a C call): restart the kernel to end them"
                if still else "; the checker stopped them")
        return expected, (f"{len(stuck)} of its {len(workers)} threads were still inside record_visits_safely after "
                          f"{timeout:.0f} s (waiting for a lock that nobody releases?){left}")
    if errors:
        return expected, f"record_visits_safely raised {type(errors[0]).__name__}: {errors[0]}"
    return expected, None


def _workload(rng: random.Random, threads: int, most: int) -> tuple[dict[str, int], list[list[str]]]:
    start = {page: rng.randint(1, 50) for page in PAGES}  # yesterday's counts: they must be added to
    per_thread = [[rng.choice(PAGES) for _ in range(rng.randint(most // 2, most))] for _ in range(threads)]
    return start, per_thread


def _difference(expected: dict[str, int], tally: dict[str, int]) -> str:
    counted = sum(dict.values(tally))
    wanted = sum(expected.values())
    if set(tally) != set(expected):
        return f"the tally's pages became {sorted(tally)!r:.80}, not {sorted(expected)!r}"
    if counted < wanted:
        return f"{wanted - counted:,} of {wanted:,} visits were lost"
    if counted > wanted:
        return f"{counted - wanted:,} visits too many were counted ({counted:,} for {wanted:,})"
    wrong = [page for page in expected if dict.__getitem__(tally, page) != expected[page]]
    return f"the total is right but {', '.join(wrong)} got the wrong counts"


def check_race_fix(record_visits_safely: Any, timeout: float = 30.0) -> Verdict:
    """Run ``record_visits_safely(tally, pages)`` on 3-4 threads sharing one tally, plain and with forced switches."""
    problem = check_function(record_visits_safely, "record_visits_safely", "check_race_fix")
    if problem is not None:
        return problem
    here = gil_status()
    rng = random.Random()
    threads = rng.choice((3, 4))
    # 1. A plain dict, many visits: on a free-threaded build with the GIL off this is the real race.
    start, per_thread = _workload(rng, threads, 200_000)
    tally = dict(start)
    expected, trouble = _count_on_threads(record_visits_safely, tally, per_thread, timeout)
    if trouble:
        return report(False, f"on {threads} threads, {trouble}.", _RACE_HINT)
    if tally != expected:
        return report(False, f"on {threads} threads sharing a plain dict ({here}), {_difference(expected, tally)}.",
                      _RACE_HINT)
    # 2. A thread switch between every read and its write: what the free-threaded build does without forcing.
    start, per_thread = _workload(rng, threads, 400)
    switching = SwitchingTally(start)
    expected, trouble = _count_on_threads(record_visits_safely, switching, per_thread, timeout)
    if trouble:
        return report(False, f"with a thread switch forced between each read and write, {trouble}.", _RACE_HINT)
    if dict(switching) != expected:
        seen = ("this GIL build hid it above: a thread switch never fell between the read and the write"
                if here.gil_enabled else "the plain run above happened not to show it")
        return report(False, f"{_difference(expected, dict(switching))} once a thread switch was forced between "
                      f"each read and its write: the race is there, {seen}. On a free-threaded Python with the GIL "
                      "off, threads interleave there without being forced (notebook 15 counted it).", _RACE_HINT)
    total = sum(sum(len(p) for p in run) for run in (per_thread,))
    where = ("on this free-threaded build with the GIL off, where the original loses updates by itself"
             if not here.gil_enabled else
             "on this GIL build the original loses nothing by luck; with the switches forced, as a free-threaded "
             "build interleaves threads unforced, it would have lost visits and yours did not")
    return report(True, f"every visit counted on {threads} threads: a plain shared dict, then with a thread switch "
                  f"forced between every read and write ({total:,} visits): {where}.")


def check_build_and_race(describe_python: Any, record_visits_safely: Any) -> Verdict:
    """Both parts of notebook 15's exercise: :func:`check_gil_report`, then :func:`check_race_fix`.

    Each prints its own line; the verdict is right only when both are (and says which part is not).
    """
    first = check_gil_report(describe_python)
    second = check_race_fix(record_visits_safely)
    if first and second:
        return Verdict(True, first.message + "\n" + second.message)
    wrong = [name for name, verdict in (("part 1", first), ("part 2", second)) if not verdict]
    summary = f"not yet right: {' and '.join(wrong)} (see the lines above)"
    return Verdict(False, f"{summary}\n{first.message}\n{second.message}", second.status if first else first.status)
