"""What one more waiting thread, or one more waiting asyncio task, costs in memory (notebook 13).

:func:`memory_per_waiter` starts, in a fresh child process, ``count`` threads or tasks that all wait on one event,
and measures the growth of the child's resident memory and of what Python's allocator handed out
(``tracemalloc``). A fresh child, so the notebook's own memory does not blur the figure.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from .engine import validate
from .engine.config import resolve_start_method, start_context

WAITER_KINDS = ("threads", "tasks")
#: The most waiters one measurement starts (as many as notebook 13 fetches pages at once).
MAX_WAITERS = 2000


def _waiters_in_child(kind: str, count: int, answer: Any) -> None:
    import tracemalloc

    import psutil

    process = psutil.Process()
    tracemalloc.start()
    rss_before = process.memory_info().rss
    traced_before = tracemalloc.get_traced_memory()[0]
    if kind == "threads":
        release = threading.Event()
        threads = [threading.Thread(target=release.wait) for _ in range(count)]
        for thread in threads:
            thread.start()
        rss_after = process.memory_info().rss
        traced_after = tracemalloc.get_traced_memory()[0]
        release.set()
        for thread in threads:
            thread.join()
    else:
        async def main() -> tuple[int, int]:
            release = asyncio.Event()
            tasks = [asyncio.create_task(release.wait()) for _ in range(count)]
            await asyncio.sleep(0)  # every task runs up to its wait
            measured = process.memory_info().rss, tracemalloc.get_traced_memory()[0]
            release.set()
            await asyncio.gather(*tasks)
            return measured

        rss_after, traced_after = asyncio.run(main())
    answer.put({"kind": kind, "count": count, "rss": rss_after - rss_before, "traced": traced_after - traced_before})


def memory_per_waiter(kind: str, count: int = 1000, start_method: str | None = None,
                      timeout: float = 60.0) -> dict[str, Any]:
    """In a fresh child process, start ``count`` threads or tasks that all wait, and measure.

    Returns ``kind``, ``count``, ``rss`` (resident memory growth, bytes) and ``traced`` (what
    Python's own allocator handed out, from ``tracemalloc``), plus per-waiter figures.
    """
    if kind not in WAITER_KINDS:
        raise ValueError(f"kind must be one of {', '.join(WAITER_KINDS)}; you gave {kind!r}.")
    validate.whole_number(count, "count", 1, MAX_WAITERS)
    validate.seconds(timeout, "timeout", 600)
    context = start_context(resolve_start_method(start_method))
    answer = context.Queue()
    process = context.Process(target=_waiters_in_child, args=(kind, count, answer), daemon=True)
    process.start()
    try:
        figures = answer.get(timeout=timeout)
    finally:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(5)
        answer.close()
        answer.join_thread()
    figures["rss_each"] = figures["rss"] / count
    figures["traced_each"] = figures["traced"] / count
    return figures
