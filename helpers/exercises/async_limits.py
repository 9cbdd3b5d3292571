"""Checker for notebook 20 (hidden traps): an asyncio crawl that never has more than ``limit`` fetches at once."""

from __future__ import annotations

import asyncio
import inspect
import random
import threading
import time
from typing import Any

from .base import Verdict, cannot_show, check_function, report

#: The pages each run asks for, and the limits the checker tries (two, so a limit written into the answer fails).
PAGES = 12
LIMITS = (3, 5)


def _run_in_fresh_loop(make: Any, timeout: float) -> tuple[Any, BaseException | None, bool]:
    """Run the coroutine ``make()`` with ``asyncio.run`` in a thread of its own (a notebook's loop is already
    running in the main thread). ``(value, exception, finished)``; an unfinished run is cancelled."""
    outcome: dict[str, Any] = {}
    loop_box: dict[str, asyncio.AbstractEventLoop] = {}

    async def main() -> Any:
        loop_box["loop"] = asyncio.get_running_loop()
        return await make()

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(main())
        except BaseException as error:  # the learner's error is reported, not raised here
            outcome["error"] = error

    thread = threading.Thread(target=run, name="course-checker-loop", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        loop = loop_box.get("loop")
        if loop is not None:
            for task in asyncio.all_tasks(loop):
                loop.call_soon_threadsafe(task.cancel)
        thread.join(5)
        return None, None, False
    return outcome.get("value"), outcome.get("error"), True


def check_limited_fetch(fetch_all: Any, *, timeout: float = 30.0) -> Verdict:
    """``async def fetch_all(pages, limit)`` must await :func:`helpers.failures_state.fetch` for every page, with
    never more than ``limit`` running at once, and return their results in the order of ``pages``.

    Observed, not trusted: :data:`helpers.failures_state.IN_FLIGHT` counts the fetches running at every moment
    (fetches of different pages take different times); each result carries a token the checker picks per run;
    two different limits are tried. A run is cancelled after ``timeout`` s.
    """
    from ..failures_state import IN_FLIGHT, fetch_pause

    name = "fetch_all"
    failed = check_function(fetch_all, name, "check_limited_fetch")
    if failed is not None:
        return failed
    if not inspect.iscoroutinefunction(fetch_all):
        return report(False, f"{name} is a plain function; it must be a coroutine function (async def).",
                      "Write `async def fetch_all(pages, limit):` and await inside it.")
    measured = []
    for limit in LIMITS:
        pages = random.sample(range(100, 999), PAGES)
        token = f" #{random.randint(1000, 9999)}"
        IN_FLIGHT.reset(token)

        async def call(pages: list[int] = pages, limit: int = limit) -> Any:
            return await fetch_all(list(pages), limit)

        start = time.perf_counter()
        value, error, finished = _run_in_fresh_loop(call, timeout=timeout)
        elapsed = time.perf_counter() - start
        most, calls, refilled = IN_FLIGHT.most, IN_FLIGHT.calls, IN_FLIGHT.refilled()
        IN_FLIGHT.reset()
        if not finished:
            return report(False, f"{name}(pages, {limit}) did not finish within {timeout:.0f} s (it was cancelled).",
                          "Every fetch waits at most 0.13 s: the whole run needs well under a second.")
        if error is not None:
            detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            return report(False, f"{name}(pages, {limit}) raised {detail}.",
                          "Await fetch(page) inside `async with semaphore:` for each page, and gather the tasks.")
        expected = [f"page {page}{token}" for page in pages]
        if isinstance(value, tuple):
            value = list(value)
        if calls < PAGES or not isinstance(value, list) or sorted(map(str, value)) != sorted(expected):
            return report(False, f"{name}(pages, {limit}) did not return the result of fetch(page) for each page "
                          f"({calls} fetches ran for {PAGES} pages; it returned {type(value).__name__} {value!r:.60}).",
                          "Return the list of what each `await fetch(page)` gave.")
        if value != expected:
            return report(False, f"{name}(pages, {limit}) returned the results in another order than the pages.",
                          "asyncio.gather returns results in the order of its arguments.")
        if most > limit:
            return report(False, f"With limit={limit}, {most} fetches ran at the same moment.",
                          "Create one asyncio.Semaphore(limit) per call and fetch inside `async with semaphore:`.")
        if most == 1:
            return report(False, f"With limit={limit}, the fetches ran one at a time ({elapsed:.2f} s for {PAGES}).",
                          "Start them all as tasks (asyncio.gather) and let the semaphore hold back the rest.")
        if most < limit:
            # asyncio's sleeps do not depend on free cores; only a loop that was starved can fall short.
            if elapsed > 2.5 * sum(map(fetch_pause, pages)) / limit + 1.0:
                return cannot_show(f"At most {most} of {limit} allowed fetches ran at once, in {elapsed:.2f} s.",
                                   "this run was slowed too much to tell (a busy machine)")
            return report(False, f"With limit={limit}, at most {most} fetches ran at once: fewer than allowed.",
                          "Use the limit you are given: asyncio.Semaphore(limit).")
        if not refilled:
            if elapsed > 2 * sum(map(fetch_pause, pages)) / limit + 0.5:
                return cannot_show(f"With limit={limit}, no place was refilled while others still ran "
                                   f"({elapsed:.2f} s).",
                                   "this run's event loop was held up too long to tell batches from a semaphore "
                                   "(a busy machine)")
            return report(False, f"With limit={limit}, the fetches ran in batches: a new one started only when the "
                          "whole batch had ended, so the fast pages waited for the slow one of their batch.",
                          "A semaphore lets the next page start as soon as any place is free: "
                          "`async with semaphore: return await fetch(page)` in each task, all gathered at once.")
        measured.append((limit, most, elapsed))
    shown = "; ".join(f"limit {limit}: at most {most} at once, {elapsed:.2f} s" for limit, most, elapsed in measured)
    return report(True, f"{PAGES} pages fetched in order, never more at once than allowed ({shown}).")
