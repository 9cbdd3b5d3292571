"""Hidden traps (notebook 20): asyncio beyond the basics, state per thread, state shared between processes.

Functions that run in a thread, a worker or on an event loop: :func:`fetch` (a page fetch that waits, and counts
how many run at once), :func:`busy_sum` (CPU work), :func:`heartbeat`, :func:`block_the_loop_in_debug_mode`
(runs its own loop in a thread), :func:`remember_in_local`, :func:`current_request_id`, :func:`add_to_value`,
:func:`double_shared_floats`, :func:`take_until_shutdown`.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any


# --- asyncio ---------------------------------------------------------------------------------


@dataclass
class InFlight:
    """How many :func:`fetch` calls are running now and at most, and the results handed out (the checker's
    record: a token it chose is part of every result)."""

    now: int = 0
    most: int = 0
    calls: int = 0
    token: str = ""
    log: list[tuple[float, int]] = field(default_factory=list)  # (time, running now) after each change

    def refilled(self) -> bool:
        """Did a fetch start right after another ended, while others were still running? (a semaphore refills
        a place as soon as it frees; batches wait until the whole batch has ended)"""
        counts = [count for _, count in self.log]
        return any(counts[i - 2] > counts[i - 1] > 0 and counts[i] > counts[i - 1] for i in range(2, len(counts)))

    def reset(self, token: str = "") -> None:
        self.now = self.most = self.calls = 0
        self.token = token
        self.log.clear()


#: The one record :func:`fetch` updates.
IN_FLIGHT = InFlight()


def fetch_pause(page: int) -> float:
    """How long :func:`fetch` waits for ``page``: 40 to 130 ms, by the page's number (pages end at different times)."""
    return 0.04 + (page % 4) * 0.03


async def fetch(page: int) -> str:
    """Pretend to download ``page``: wait :func:`fetch_pause` s (not scaled), counting in :data:`IN_FLIGHT`
    how many run at once."""
    if isinstance(page, bool) or not isinstance(page, int):
        raise TypeError(f"page must be an int; you gave {type(page).__name__} {page!r:.40}.")
    IN_FLIGHT.now += 1
    IN_FLIGHT.calls += 1
    IN_FLIGHT.most = max(IN_FLIGHT.most, IN_FLIGHT.now)
    IN_FLIGHT.log.append((time.perf_counter(), IN_FLIGHT.now))
    try:
        await asyncio.sleep(fetch_pause(page))
    finally:
        IN_FLIGHT.now -= 1
        IN_FLIGHT.log.append((time.perf_counter(), IN_FLIGHT.now))
    return f"page {page}{IN_FLIGHT.token}"


def busy_sum(n: int) -> int:
    """CPU work: ``sum(i * i for i in range(n))``."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 100_000_000:
        raise ValueError(f"n must be a whole number from 0 to 100,000,000; you gave {n!r}.")
    return sum(i * i for i in range(n))


async def heartbeat(stop: asyncio.Event, gaps: list[float], every: float = 0.01) -> None:
    """Tick every ``every`` s until ``stop`` is set; append to ``gaps`` how long each tick really took."""
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(every)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


async def _sleep_in_a_coroutine(pause: float) -> None:
    time.sleep(pause)  # the mistake: a blocking call inside a coroutine stops the whole loop


def block_the_loop_in_debug_mode(pause: float = 0.2, slow: float = 0.1) -> list[str]:
    """Run, on a new event loop in debug mode (in a thread of its own), a coroutine that calls ``time.sleep(pause)``;
    return the warnings asyncio logged about it (callbacks slower than ``slow`` s)."""
    if not 0 < pause <= 5 or not 0 < slow < pause:
        raise ValueError(f"need 0 < slow < pause <= 5; you gave pause={pause!r}, slow={slow!r}.")
    caught: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            caught.append(record.getMessage())

    def run() -> None:
        async def main() -> None:
            asyncio.get_running_loop().slow_callback_duration = slow
            await asyncio.create_task(_sleep_in_a_coroutine(pause))

        asyncio.run(main(), debug=True)

    handler = Keep(logging.WARNING)
    logger = logging.getLogger("asyncio")
    logger.addHandler(handler)
    try:
        thread = threading.Thread(target=run, name="debug-loop")
        thread.start()
        thread.join(timeout=30)
    finally:
        logger.removeHandler(handler)
    return caught


# --- state per thread ------------------------------------------------------------------------

def remember_in_local(local: threading.local, value: str, seen: dict[str, str], pause: float = 0.05) -> None:
    """Store ``value`` in ``local``, wait (other threads store theirs meanwhile), and record what this thread
    reads back."""
    local.value = value
    time.sleep(pause)
    seen[threading.current_thread().name] = local.value


#: The request a piece of code is working for: set by the caller, read deep down (e.g. by a log formatter).
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="<not set>")


def current_request_id() -> str:
    """What :data:`REQUEST_ID` is in the context this runs in."""
    return REQUEST_ID.get()


# --- shared state between processes -------------------------------------------------------------

def add_to_value(value: Any, times: int, with_lock: bool) -> None:
    """``times`` × ``value.value += 1`` on a ``multiprocessing.Value``, inside ``value.get_lock()`` or not."""
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 10_000_000:
        raise ValueError(f"times must be a whole number from 1 to 10,000,000; you gave {times!r}.")
    if with_lock:
        for _ in range(times):
            with value.get_lock():
                value.value += 1
    else:
        for _ in range(times):
            value.value += 1  # a read and a write: another process may write in between


def double_shared_floats(name: str, count: int) -> float:
    """Attach to the shared-memory block ``name``, view its first ``count`` float64s as a NumPy array and double
    them in place; return their sum. The block is closed (not unlinked: its creator does that)."""
    import numpy as np

    from .data_transfer import attach_shared_memory

    block = attach_shared_memory(name)
    try:
        numbers = np.ndarray((count,), dtype=np.float64, buffer=block.buf)
        numbers *= 2
        total = float(numbers.sum())
        del numbers  # a view into the block must go before the block can close
    finally:
        block.close()
    return total


def take_until_shutdown(tasks: queue.Queue, taken: list[Any], endings: list[str] | None = None,
                        timeout: float = 10.0) -> str:
    """Consumer thread (3.13+): take items until the queue is shut down (each ``get`` waits ``timeout`` s at
    most); return how it ended, and append that to ``endings`` when given."""
    shut_down = getattr(queue, "ShutDown", None)
    if shut_down is None:
        raise RuntimeError(f"queue.Queue.shutdown() needs Python 3.13+; this is {sys.version.split()[0]}.")
    while True:
        try:
            taken.append(tasks.get(timeout=timeout))
        except shut_down:
            ending = "ShutDown"
            break
        except queue.Empty:
            ending = "timed out"
            break
    if endings is not None:
        endings.append(ending)
    return ending


def pid() -> int:
    """This process's id."""
    return os.getpid()
