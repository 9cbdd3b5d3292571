"""Tasks for ``concurrent.futures`` pools, and what a pool does by default on this Python.

The tasks run in a ``ThreadPoolExecutor`` or a ``ProcessPoolExecutor``; they live here,
not in a notebook cell, so that a process pool started with *spawn* or *forkserver* can
import them. Each reports *where* it ran (process id, thread name) so a notebook can show
which worker took which task.

Pauses are scaled by ``$COURSE_TIME_SCALE`` (see :mod:`helpers.engine.config`).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from typing import Any, NamedTuple

from .engine.config import resolve_start_method, seconds

#: Longest pause a task here accepts (before scaling), so no demo can wait for long.
MAX_PAUSE = 60.0


class Done(NamedTuple):
    """What a task returns: its input, its result, and the worker that computed it."""

    argument: Any
    value: Any
    pid: int
    thread: str


def _check_pause(pause: object) -> float:
    if isinstance(pause, bool) or not isinstance(pause, (int, float)) or not 0 <= pause <= MAX_PAUSE:
        raise ValueError(f"A pause must be from 0 to {MAX_PAUSE:g} seconds; you gave {pause!r}.")
    return float(pause)


def square(n: int) -> int:
    """``n * n``: a task far smaller than the cost of sending it to a process."""
    return n * n


def slow_square(n: int, pause: float = 0.5) -> Done:
    """Wait ``pause`` s (scaled), then return ``n * n`` with the worker that did it."""
    time.sleep(seconds(_check_pause(pause)))
    return Done(n, n * n, os.getpid(), threading.current_thread().name)


def checked_square(n: int) -> Done:
    """``n * n`` with the worker that computed it; a negative ``n`` raises ``ValueError``."""
    if n < 0:
        raise ValueError(f"negative input: {n}")
    return Done(n, n * n, os.getpid(), threading.current_thread().name)


def noted_square(n: int, folder: str, pause: float = 0.1) -> int:
    """Note in ``folder`` that the task for ``n`` ran (an empty file named ``n``), wait ``pause`` s (scaled),
    then return ``n * n``; a negative ``n`` raises ``ValueError`` after its pause.

    The note is written before anything else, so the folder lists every task that began, wherever it
    ran, even one whose result nobody collected (notebook 10: what ``map`` cancels after an error).
    """
    with open(os.path.join(folder, str(n)), "x"):
        pass
    time.sleep(seconds(_check_pause(pause)))
    if n < 0:
        raise ValueError(f"negative input: {n}")
    return n * n


def ran_in(folder: str) -> list[int]:
    """The numbers :func:`noted_square` noted in ``folder``, in order."""
    return sorted(int(name) for name in os.listdir(folder))


def wait_then_return(pause: float) -> float:
    """Sleep ``pause`` s (scaled) and return how long it slept."""
    pause = seconds(_check_pause(pause))
    time.sleep(pause)
    return pause


def die(exit_code: int = 3) -> None:
    """End this worker process at once with ``exit_code``, as a crash would (no exception, no clean-up).

    Run it only in a process pool: in a thread it would end the whole kernel.
    """
    if multiprocessing.parent_process() is None:
        raise RuntimeError("die() ends the process it runs in: run it only in a child process, never in a thread.")
    if isinstance(exit_code, bool) or not isinstance(exit_code, int) or not 1 <= exit_code <= 125:
        raise ValueError(f"exit_code must be from 1 to 125; you gave {exit_code!r}.")
    os._exit(exit_code)


def process_context(start_method: str | None = None) -> Any:
    """The ``multiprocessing`` context for ``ProcessPoolExecutor(mp_context=...)``: the course's start method.

    Its ``Pool(...)`` is a :class:`helpers.engine.safe_pool.BoundedPool`, whose ``terminate()`` cannot hang
    after a worker was killed (the standard one can, on every Python from 3.10 on).
    """
    from .engine.safe_pool import bounded_context

    return bounded_context(multiprocessing.get_context(resolve_start_method(start_method)))


def cpu_count_for_pools() -> int:
    """The CPU count the pools use for their default size on this Python.

    3.13+: ``os.process_cpu_count()`` (the CPUs this process may use); before:
    ``os.cpu_count()`` (all the machine's CPUs).
    """
    counter = getattr(os, "process_cpu_count", None) or os.cpu_count
    return counter() or 1


def default_max_workers() -> dict[str, int]:
    """How many workers each pool starts when ``max_workers`` is not given, by the documented rule.

    ``ThreadPoolExecutor``: ``min(32, cpus + 4)`` (3.8+). ``ProcessPoolExecutor``: ``cpus``,
    at most 61 on Windows. ``cpus`` is :func:`cpu_count_for_pools`.
    """
    cpus = cpu_count_for_pools()
    processes = min(cpus, 61) if sys.platform == "win32" else cpus
    return {"ThreadPoolExecutor": min(32, cpus + 4), "ProcessPoolExecutor": processes}


def has_terminate_workers() -> bool:
    """True when ``ProcessPoolExecutor`` has ``terminate_workers()`` and ``kill_workers()`` (Python 3.14+)."""
    from concurrent.futures import ProcessPoolExecutor

    return hasattr(ProcessPoolExecutor, "terminate_workers")
