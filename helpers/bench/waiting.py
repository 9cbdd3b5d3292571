"""Waiting work: k threads that each wait once, and k asyncio waits, against the ideal of one wait.

Up to :data:`~helpers.engine.config.MAX_THREADS` threads go through the course's harness
(:func:`helpers.engine.harness.run`, what the notebooks use); beyond, plain ``threading`` threads
are started and joined, because the harness refuses more threads than a notebook needs.
Each row says which (``via``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from ..engine.config import MAX_THREADS
from ..engine.harness import run
from ..workers import wait_task


def wait_on_threads(count: int, seconds: float) -> tuple[float, str]:
    """Elapsed seconds for ``count`` threads that each wait ``seconds`` once, and how they were run."""
    if count <= MAX_THREADS:
        return run(wait_task, [seconds] * count, mode="threads", workers=count).elapsed, "harness"
    threads = [threading.Thread(target=wait_task, args=(seconds,), daemon=True) for _ in range(count)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, "threading"


async def _gather_waits(count: int, seconds: float) -> None:
    await asyncio.gather(*(asyncio.sleep(seconds) for _ in range(count)))


def wait_on_asyncio(count: int, seconds: float) -> float:
    """Elapsed seconds for ``count`` concurrent ``asyncio.sleep(seconds)`` in one event loop (loop start included)."""
    start = time.perf_counter()
    asyncio.run(_gather_waits(count, seconds))
    return time.perf_counter() - start


def measure_waiting(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """Both sweeps of :class:`~helpers.bench.plan.Plan`: elapsed and elapsed / one wait, per count."""
    threads, tasks = [], []
    for count in plan.waiting_counts:
        note(f"{count} threads × one wait of {plan.wait:g} s")
        elapsed, via = wait_on_threads(count, plan.wait)
        threads.append({"count": count, "elapsed": elapsed, "ratio": elapsed / plan.wait, "via": via})
    for count in plan.asyncio_counts:
        note(f"{count} asyncio waits of {plan.wait:g} s")
        elapsed = wait_on_asyncio(count, plan.wait)
        tasks.append({"count": count, "elapsed": elapsed, "ratio": elapsed / plan.wait})
    return {"wait": plan.wait, "threads": threads, "asyncio": tasks}
