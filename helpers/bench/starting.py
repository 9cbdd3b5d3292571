"""Start cost: what it takes to start and join one thread, one process per start method, one interpreter.

Each figure is the median of ``plan.start_samples`` starts (threads: more) of a task that
does nothing, after one start that is thrown away (a fork server or an import cache warms
up there; the first start is recorded apart). Plain ``threading`` and ``multiprocessing``
are measured, not the course's relaying :class:`helpers.Process`: this is the floor.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from ..engine.config import start_context
from ..engine.relay import stop
from . import interpreters
from .work import nothing


def time_thread_start() -> float:
    """Seconds to start and join one thread that does nothing."""
    start = time.perf_counter()
    thread = threading.Thread(target=nothing)
    thread.start()
    thread.join()
    return time.perf_counter() - start


def time_process_start(method: str) -> float:
    """Seconds to start and join one process that does nothing, with start method ``method``."""
    process = start_context(method).Process(target=nothing, daemon=True)
    start = time.perf_counter()
    try:
        process.start()
        process.join(30)
    finally:
        stop(process)  # only does something if the join above was interrupted or timed out
    return time.perf_counter() - start


def sample(timed: Callable[[], float], count: int) -> dict[str, float]:
    """The first of ``count + 1`` timings and the median of the others, in milliseconds."""
    first = timed()
    rest = [timed() for _ in range(max(1, count))]
    return {"first_ms": first * 1000, "ms": statistics.median(rest) * 1000, "samples": len(rest)}


def measure_starting(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """One row per kind of worker: thread, process per start method, interpreter (or why not)."""
    note("starting threads")
    rows = [{"what": "thread", "method": None, **sample(time_thread_start, plan.thread_start_samples)}]
    for method in plan.methods:
        note(f"starting processes ({method})")
        rows.append({"what": "process", "method": method,
                     **sample(lambda: time_process_start(method), plan.start_samples)})
    reason = interpreters.unavailable_reason()
    if reason is None:
        note("starting interpreters")
        rows.append({"what": "interpreter", "method": None,
                     **sample(lambda: interpreters.time_interpreter_start(nothing), plan.start_samples)})
    return {"rows": rows, "interpreters": reason or "measured"}
