"""The benchmark's measurement: many simultaneous requests to a local server, asyncio against a thread each.

:func:`compare_concurrent_requests` is what ``benchmarks/bench_concurrent_requests.py`` reports: the best of a few
runs each way, the memory a waiting thread and a waiting task cost (:mod:`helpers.waiter_memory`), the load and the
cores, so a reader can judge the figures.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from .engine import validate
from .engine.machine import usable_cores
from .fetching import MAX_PAGES, FetchRun, fetch_on_threads, fetch_with_asyncio, page_urls
from .waiter_memory import memory_per_waiter


def best_of(fetch: Callable[[Sequence[str]], FetchRun], urls: Sequence[str], repeats: int = 3) -> FetchRun:
    """The fastest of ``repeats`` runs of ``fetch(urls)`` that fetched every page (else the last run)."""
    validate.whole_number(repeats, "repeats", 1, 20)
    runs = [fetch(urls) for _ in range(repeats)]
    complete = [run for run in runs if run.ok == run.pages]
    return min(complete, key=lambda run: run.elapsed) if complete else runs[-1]


def compare_concurrent_requests(count: int = 1000, delay: float = 1.0, repeats: int = 3) -> dict[str, Any]:
    """``count`` simultaneous requests to a local server that waits ``delay`` s: asyncio vs one thread each.

    Returns the best runs (``"asyncio"``, ``"threads"``), the 1-minute load average (``"load"``:
    other programs competing for the cores stretch the figures), the memory one waiting thread and one
    waiting task cost (``"per_thread"``, ``"per_task"``, from :func:`memory_per_waiter`), the open-file
    limit note, and the cores this process may use.
    """
    from .local_server import LocalServer, check_delay, raise_open_file_limit

    check_delay(delay)
    limit_note = raise_open_file_limit(2 * count + 100)
    with LocalServer(delay=delay) as server:
        urls = page_urls(server.url, count)
        fetch_with_asyncio(urls[:10])  # imports and warms aiohttp outside the timing
        tasks = best_of(fetch_with_asyncio, urls, repeats)
        threads = best_of(fetch_on_threads, urls, repeats)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"asyncio": tasks, "threads": threads, "load": load,
            "per_thread": memory_per_waiter("threads", min(count, MAX_PAGES)),
            "per_task": memory_per_waiter("tasks", min(count, MAX_PAGES)), "open_files": limit_note,
            "cores": usable_cores(), "delay": delay, "count": count}
