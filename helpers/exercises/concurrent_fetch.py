"""Checker for the exercise of notebook 13: fetch many pages at once with asyncio.

The learner writes ``async def fetch_all(urls) -> list[str]``. The checker starts its own local
server (:class:`helpers.local_server.LocalServer`), runs the coroutine, and reads the server's own
counters: how many requests arrived and how many were waiting *at the same moment*. Those figures
come from the server process, so a loop of one-at-a-time awaits, a blocking call inside the
coroutine, or a list made up without fetching cannot pass. The threads started during the fetch
are counted too (the checker's own wrapper of ``Thread.start``): 150 requests each blocking a
thread of a big pool reach the server at once as well, but that is threads, not asyncio.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Callable
from typing import Any

from ..engine.config import seconds
from ..engine.coroutines import run_coroutine
from ..fetching import page_urls
from ..local_server import LocalServer
from .base import NOT_ANSWERED, Observation, Verdict, report, unanswered

PAGES = 150
#: More threads than this started during a fetch: the waiting was done by threads, not by coroutines.
#: (asyncio may start a few of its own, e.g. for name lookups; a right answer starts none for 127.0.0.1.)
FEW_THREADS = 8
HINT = ("make one task per URL and await them together: "
        "await asyncio.gather(*(fetch(session, url) for url in urls)), inside one aiohttp.ClientSession "
        "made with connector=aiohttp.TCPConnector(limit=0) (aiohttp allows 100 connections unless told).")


def check_concurrent_fetch(fetch_all: Callable[[list[str]], Any]) -> Verdict:
    """Run ``await fetch_all(urls)`` for 150 pages that each take a while; check the server's view.

    Short of 90 % of the requests waiting at once (but more than 2), it runs again with waits twice
    as long and keeps the better run: a busy machine may send them late, a cap stays where it is.
    """
    if unanswered(fetch_all):
        return report(False, NOT_ANSWERED)
    if not callable(fetch_all):
        return report(False, f"fetch_all should be an async function, not {type(fetch_all).__name__}.",
                      "async def fetch_all(urls): ...")
    if not inspect.iscoroutinefunction(fetch_all):
        return report(False, "fetch_all is a plain function: it must be defined with `async def`, so that "
                             "asyncio can run many of its waits at once.", HINT)
    delay: float = seconds(1.0)
    failure, served, peak, pages, elapsed, threads = _fetch_with_server(fetch_all, delay)
    if failure is not None:
        return report(False, f"{failure}; the server saw at most {peak} requests waiting at once{_why(peak)}.", HINT)
    if served < PAGES:
        return report(False, f"the server answered only {served} of the {PAGES} requests: fetch_all must really "
                             "fetch every URL.", HINT)
    if not (isinstance(pages, list) and len(pages) == PAGES and all(isinstance(p, str) for p in pages)):
        return report(False, f"fetch_all should return a list of {PAGES} page texts (str), in the order of the "
                             f"URLs; it returned {type(pages).__name__}.", "return the results of gather.")
    wrong = [i for i, text in enumerate(pages) if f"/page/{i} " not in text]
    if wrong:
        return report(False, f"page {wrong[0]} of the result is not the text of URL {wrong[0]}: keep the URLs' "
                             "order (gather does).", HINT)
    if threads > FEW_THREADS:
        return report(False, f"the server saw up to {peak} of your {PAGES} requests at the same moment, but fetch_all "
                             f"started {threads} threads to do it: each request blocked a thread of its own (a "
                             "thread pool through run_in_executor or to_thread), while coroutines wait on one "
                             "thread.", HINT)
    again = ""
    if 2 < peak < PAGES * 0.9:
        # Short of all at once, but not one at a time: a busy machine may not have sent every request
        # within one wait. With waits twice as long it has twice the time; a cap stays where it is.
        failure, served, second, _, slower, more = _fetch_with_server(fetch_all, 2 * delay)
        if failure is None and served == PAGES and second > peak:
            again = f" (at most {peak} in a first run; this second run's waits were twice as long)"
            peak, delay, elapsed, threads = second, 2 * delay, slower, more
    if peak < PAGES * 0.9:
        return report(False, f"the server saw at most {peak} of the {PAGES} requests waiting at once{_why(peak)}; "
                             f"the run took {elapsed:.2f} s for waits of {delay:.2f} s each{again}.", HINT)
    helpers = f", {threads} helper thread{'s' if threads > 1 else ''} started beside it" if threads else ""
    return report(True, f"the server held {peak} of your {PAGES} requests at the same moment: {PAGES} waits of "
                        f"{delay:.2f} s took {elapsed:.2f} s in all, on the event loop's one thread{helpers}{again}.")


def _fetch_with_server(fetch_all: Callable[[list[str]], Any],
                       delay: float) -> tuple[str | None, int, int, Any, float, int]:
    """One run of ``fetch_all`` against a fresh local server whose pages each take ``delay`` seconds.

    Returns (what went wrong or None, requests served, most waiting at once, the pages, seconds,
    threads started during the run other than the one the coroutine runs on).
    """
    observation = Observation()
    limit = 6 * delay + 3  # six rounds of waits and some: several times what a concurrent answer needs
    pages: Any = None
    with LocalServer(delay=delay) as server:
        urls = page_urls(server.url, PAGES)
        seen: dict[str, Any] = {}

        def give_up() -> None:
            # A blocking call inside the coroutine cannot be cancelled: stopping the server makes it fail fast.
            seen.update(server.stats())
            server.stop()

        watchdog = threading.Timer(limit, give_up)
        watchdog.daemon = True
        start = time.perf_counter()
        watchdog.start()
        failure = None
        try:
            with observation:
                pages = run_coroutine(fetch_all(urls), timeout=limit)
        except (TimeoutError, asyncio.TimeoutError):
            failure = f"fetch_all did not finish within {limit:.0f} s"
        except Exception as exc:  # the learner's bug is reported, not raised
            failure = f"fetch_all raised {type(exc).__name__}: {exc}"
        finally:
            watchdog.cancel()
            watchdog.join()
        elapsed = time.perf_counter() - start
        stats = seen or server.stats()
    if seen:
        failure = f"fetch_all did not finish within {limit:.0f} s (the checker stopped its server then)"
    # run_coroutine may give the coroutine a thread of its own (in Jupyter, where a loop already runs).
    threads = max(0, len(observation.threads) - 1) if _loop_running() else len(observation.threads)
    return failure, stats["served"], stats["peak"], pages, elapsed, threads


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _why(peak: int) -> str:
    if peak >= PAGES * 0.9:
        return ""
    if peak <= 2:
        return (" (one at a time: an await in a loop waits for each reply before sending the next request, or a "
                "blocking call such as urllib, requests or time.sleep stops the event loop)")
    return f" ({peak} at a time: a thread pool (asyncio.to_thread, an executor) or a connection limit caps it)"
