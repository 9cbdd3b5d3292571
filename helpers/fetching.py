"""Fetching pages from a (local) web server: one after another, on threads, with asyncio.

Three ways to wait for N replies, measured the same way (notebook 13, ``benchmarks/``):

* :func:`fetch_one_by_one` – a loop of ``urllib.request.urlopen`` calls;
* :func:`fetch_on_threads` – one thread per page, each calling ``urlopen``;
* :func:`fetch_with_asyncio` – one asyncio task per page on one thread, with ``aiohttp``
  (the standard library has no asyncio HTTP client).

Each returns a :class:`FetchRun`: wall time, pages that arrived, errors, and the peak growth of
this process's resident memory (RSS) while the run was under way, sampled every 5 ms.
What one more waiting thread or task costs is measured in :mod:`helpers.waiter_memory` (``memory_per_waiter``
is importable from here too, as notebook 13 calls it); the benchmark's comparison is in
:mod:`helpers.concurrent_requests`.
"""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .engine import validate
from .engine.coroutines import run_coroutine
from .engine.machine import usable_cores
from .engine.task_kinds import TaskKind
from .waiter_memory import memory_per_waiter

#: Names notebook 13 calls through this module, though they live next door.
__all__ = ["DEFAULT_TIMEOUT", "MAX_PAGES", "FetchRun", "add_to_panel", "check_urls", "cpu_count", "fetch_delayed_page",
           "fetch_kind", "fetch_on_threads", "fetch_one_by_one", "fetch_page", "fetch_with_asyncio", "gather_pages",
           "memory_per_waiter", "page_urls", "server_gone", "task_kinds"]

#: The most pages one run may fetch at once (each holds a connection: a file descriptor).
MAX_PAGES = 2000
#: Longest a whole run may take, unless the caller says otherwise.
DEFAULT_TIMEOUT = 60.0


@dataclass
class FetchRun:
    """What one run of N fetches measured."""

    how: str
    pages: int
    elapsed: float = 0.0
    ok: int = 0
    errors: list[str] = field(default_factory=list)
    peak_rss_delta: int = 0  # bytes this process grew by, at most, during the run
    extra_threads: int = 0  # the most threads alive at once during the run, beyond those alive before it
    cpu: float = 0.0  # CPU seconds this process used during the run (all its threads)

    def summary(self) -> str:
        failed = f", {len(self.errors)} failed" if self.errors else ""
        return (f"{self.pages:>5} pages {self.how:<10}: {self.elapsed:6.2f} s, {self.ok} arrived{failed}, "
                f"memory +{self.peak_rss_delta / 2**20:.1f} MB, +{self.extra_threads} threads")


def check_urls(urls: Any) -> list[str]:
    """Return ``urls`` as a list of http(s) URLs, or raise ValueError (empty, too many, not URLs)."""
    if isinstance(urls, str) or not isinstance(urls, Sequence):
        raise ValueError(f"urls must be a list of URLs, not {type(urls).__name__}.")
    urls = list(urls)
    if not 1 <= len(urls) <= MAX_PAGES:
        raise ValueError(f"give from 1 to {MAX_PAGES} URLs; you gave {len(urls)}.")
    bad = [u for u in urls if not isinstance(u, str) or not u.startswith(("http://", "https://"))]
    if bad:
        raise ValueError(f"not an http:// URL: {bad[0]!r}")
    return urls


def page_urls(base: str, count: int, delay: float | None = None) -> list[str]:
    """``count`` distinct page URLs on the server at ``base`` (``delay`` overrides the server's)."""
    validate.whole_number(count, "count", 1, MAX_PAGES)
    query = "" if delay is None else f"?delay={delay:g}"
    return [f"{base}/page/{i}{query}" for i in range(count)]


def fetch_page(url: str, timeout: float = 30.0) -> int:
    """Fetch one page with the standard library; return its size in bytes."""
    validate.seconds(timeout, "timeout", 600)
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return len(reply.read())


def fetch_delayed_page(base: str, delay: float) -> int:
    """Fetch a page that the server at ``base`` answers after ``delay`` s: the panel's ``"fetch"`` task."""
    return fetch_page(f"{base}/page/panel?delay={delay:g}")


def fetch_kind(base: str) -> TaskKind:
    """The panel task kind ``"fetch"``: each task fetches one page from the server at ``base``.

    The task is ``fetch_delayed_page`` bound to ``base`` (importable, so processes can run it too);
    the size is the server's delay in seconds, as a waiting task's size is its pause.
    """
    from functools import partial

    from .local_server import MAX_DELAY

    check_urls([base])
    return TaskKind("fetch", partial(fetch_delayed_page, base), "seconds each", MAX_DELAY, seconds_per_unit=None,
                    unavailable=partial(server_gone, base))


def server_gone(base: str) -> str | None:
    """Why fetching from ``base`` cannot work now (nothing listens there: the server was stopped), or ``None``."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=2):
            return None
    except OSError as exc:
        reason = "connection refused" if isinstance(exc, ConnectionRefusedError) else str(exc) or type(exc).__name__
        return (f"{reason} at {base}: the server was stopped (the notebook stops it in its last cells). "
                "Run the cell that starts it again, then the panel's cell, and press Run.")


#: The server the notebook last offered to the panel (:func:`add_to_panel`); :func:`task_kinds` reads it.
_offered: list[TaskKind] = []


def add_to_panel(base: str) -> TaskKind:
    """Offer ``LivePanel("fetch", size=delay)`` for the server at ``base``; returns the kind (a panel takes it too)."""
    kind = fetch_kind(base)
    _offered[:] = [kind]
    return kind


def task_kinds() -> tuple[TaskKind, ...]:
    """The task kinds this module offers the panel by name: ``"fetch"`` once :func:`add_to_panel` was called."""
    return tuple(_offered)


class _Watcher:
    """Samples this process's RSS and thread count every 5 ms, from a thread of its own."""

    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self.base = self._process.memory_info().rss
        self.peak = self.base
        self.base_threads = threading.active_count()
        self.threads = self.base_threads
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-watcher", daemon=True)

    def _loop(self) -> None:
        while not self._done.wait(0.005):
            self.peak = max(self.peak, self._process.memory_info().rss)
            self.threads = max(self.threads, threading.active_count())

    def __enter__(self) -> _Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def _measured(how: str, urls: list[str], body: Callable[[FetchRun], None]) -> FetchRun:
    run = FetchRun(how, len(urls))
    with _Watcher() as watcher:
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            body(run)
        finally:
            run.elapsed = time.perf_counter() - start
            run.cpu = time.process_time() - cpu_start
    run.peak_rss_delta = max(0, watcher.peak - watcher.base)
    run.extra_threads = max(0, watcher.threads - watcher.base_threads - 1)  # the watcher itself does not count
    return run


def fetch_one_by_one(urls: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> FetchRun:
    """Fetch every page in turn with ``urllib``; stops (with an error) once ``timeout`` is spent."""
    urls = check_urls(urls)
    validate.seconds(timeout, "timeout", 600)

    def body(run: FetchRun) -> None:
        deadline = time.monotonic() + timeout
        for url in urls:
            left = deadline - time.monotonic()
            if left <= 0:
                run.errors.append(f"timed out after {timeout:g} s with {run.ok} pages")
                return
            try:
                fetch_page(url, timeout=left)
                run.ok += 1
            except OSError as exc:
                run.errors.append(f"{url}: {exc}")

    return _measured("one by one", urls, body)


def fetch_on_threads(urls: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> FetchRun:
    """One thread per page, all started, then all joined (each request gives up after ``timeout``).

    An interrupt stops the waiting at once; the threads are daemons and end with their request.
    """
    urls = check_urls(urls)
    validate.seconds(timeout, "timeout", 600)
    lock = threading.Lock()

    def body(run: FetchRun) -> None:
        def worker(url: str) -> None:
            try:
                fetch_page(url, timeout=timeout)
                with lock:
                    run.ok += 1
            except OSError as exc:
                with lock:
                    run.errors.append(f"{url}: {exc}")

        threads = [threading.Thread(target=worker, args=(url,), daemon=True) for url in urls]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        late = sum(thread.is_alive() for thread in threads)
        if late:
            run.errors.append(f"{late} threads still waiting after {timeout:g} s")

    return _measured("threads", urls, body)


def fetch_with_asyncio(urls: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> FetchRun:
    """One asyncio task per page, on one thread, with ``aiohttp`` (no connection limit).

    Callable from plain code and from a notebook alike: where an event loop already runs in
    this thread (Jupyter), the loop for the run gets a thread of its own.
    """
    urls = check_urls(urls)
    validate.seconds(timeout, "timeout", 600)

    def body(run: FetchRun) -> None:
        run_coroutine(gather_pages(urls, run, timeout), timeout + 5)

    return _measured("asyncio", urls, body)


async def gather_pages(urls: list[str], run: FetchRun | None = None, timeout: float = DEFAULT_TIMEOUT) -> int:
    """Fetch every URL at once with aiohttp on the running loop; return how many arrived."""
    import aiohttp

    arrived = 0
    connector = aiohttp.TCPConnector(limit=0)  # no cap on connections: every task gets its own
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async def one(url: str) -> None:
            nonlocal arrived
            try:
                async with session.get(url) as reply:
                    reply.raise_for_status()
                    await reply.read()
                arrived += 1
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                if run is not None:
                    run.errors.append(f"{url}: {type(exc).__name__}: {exc}")

        await asyncio.gather(*(one(url) for url in urls))
    if run is not None:
        run.ok = arrived
    return arrived


def cpu_count() -> int:
    """Cores this process may use: the engine's :func:`~helpers.engine.machine.usable_cores` (affinity and quota)."""
    return usable_cores()
