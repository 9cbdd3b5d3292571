"""Thread bodies for races, locks and deadlocks: each one records what happened, with times.

They live in a module (not in notebook cells) like every worker of the course. Every wait
here has a timeout, so a demo that goes wrong (a deadlock, a missing ``set()``) ends by
itself with a result that says so, instead of freezing the kernel. Times are
``time.perf_counter()`` values; pauses are scaled by ``$COURSE_TIME_SCALE``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .engine.config import seconds

#: Most times one thread may add to a counter in a demo (the sleep(0) version does ~25 000 a second).
MAX_TIMES = 200_000
#: Longest any wait here may be asked to last, in seconds.
MAX_WAIT = 60.0
#: Marks the end of the work in a queue: one per consumer thread.
SENTINEL = None


def _check_times(times: object) -> int:
    if isinstance(times, bool) or not isinstance(times, int) or not 0 <= times <= MAX_TIMES:
        raise ValueError(f"times must be a whole number from 0 to {MAX_TIMES}; you gave {times!r}.")
    return times


def _check_wait(value: object, name: str = "timeout") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_WAIT:
        raise ValueError(f"{name} must be from 0 to {MAX_WAIT:g} seconds; you gave {value!r}.")
    return float(value)


# --- the lost update ------------------------------------------------------------------

class Counter:
    """A shared number, ``value``, that threads add to."""

    def __init__(self) -> None:
        self.value = 0


def add_plainly(counter: Counter, times: int) -> None:
    """``counter.value += 1``, ``times`` times: one line, yet a read, an addition and a write."""
    for _ in range(_check_times(times)):
        counter.value += 1


def add_unsafely(counter: Counter, times: int) -> None:
    """Add 1 to ``counter.value`` ``times`` times: read, let other threads run, write.

    ``time.sleep(0)`` between the read and the write gives up the GIL, as any call that
    waits would (a log line, a lookup). Another thread can then read the same old value,
    and one of the two additions is lost.
    """
    for _ in range(_check_times(times)):
        current = counter.value
        time.sleep(0)
        counter.value = current + 1


def add_with_lock(counter: Counter, lock: Any, times: int) -> None:
    """The same read, pause, write, with ``lock`` held around it: no addition is lost."""
    for _ in range(_check_times(times)):
        with lock:
            current = counter.value
            time.sleep(0)
            counter.value = current + 1


# --- Lock versus RLock ----------------------------------------------------------------

def acquire_twice(lock: Any, timeout: float = 0.2) -> bool:
    """Take ``lock``, then try to take it again from the same thread, waiting at most ``timeout`` s.

    A ``Lock`` refuses (the thread would wait for itself forever): returns False. An
    ``RLock`` counts: returns True. Both acquisitions are released before returning.
    """
    timeout = _check_wait(timeout)
    with lock:
        again = lock.acquire(timeout=timeout)
        if again:
            lock.release()
    return again


# --- Semaphore, Event, Condition, Barrier: each thread logs (what, time) ------------------

@dataclass
class Log:
    """What the threads of a demo did, as ``(thread name, what, perf_counter time)``."""

    entries: list[tuple[str, str, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, what: str) -> None:
        with self._lock:
            self.entries.append((threading.current_thread().name, what, time.perf_counter()))

    def times(self, what: str) -> list[float]:
        return [t for _, w, t in self.entries if w == what]

    def as_run(self, begin: str = "begin", end: str = "end", t0: float | None = None) -> Any:
        """The ``begin``/``end`` pairs as a :class:`helpers.engine.results.RunResult` (one lane per thread),
        so :func:`helpers.charts.plots.plot_run` can draw them. ``t0``: time zero (default: the first entry)."""
        from .engine.harness import RunResult, TaskRecord

        t0 = min((t for _, _, t in self.entries), default=0.0) if t0 is None else t0
        opened: dict[str, float] = {}
        tasks: list[TaskRecord] = []
        for name, what, t in self.entries:
            if what == begin:
                opened[name] = t
            elif what == end and name in opened:
                tasks.append(TaskRecord(len(tasks), name, worker=name, thread=name,
                                        start=opened.pop(name) - t0, end=t - t0))
        threads = len({task.worker for task in tasks})
        run = RunResult("threads", max(threads, 1), None, tasks, status="done")
        run.elapsed = max((task.end or 0.0 for task in tasks), default=0.0)
        return run

    def most_at_once(self, begin: str = "begin", end: str = "end") -> int:
        """The largest number of threads that were between ``begin`` and ``end`` at the same moment."""
        from .engine.overlap import most_at_once

        begins, ends = sorted(self.times(begin)), sorted(self.times(end))
        return most_at_once(zip(begins, ends + [None] * (len(begins) - len(ends))))


def use_connection(semaphore: Any, log: Log, pause: float = 0.2) -> None:
    """Hold one of ``semaphore``'s places for ``pause`` s (scaled), logging begin and end."""
    pause = seconds(_check_wait(pause, "pause"))
    with semaphore:
        log.add("begin")
        time.sleep(pause)
        log.add("end")


def wait_for_go(go: threading.Event, log: Log, timeout: float = 5.0) -> None:
    """Wait until ``go`` is set (at most ``timeout`` s), then log ``"go"`` (or ``"gave up"``)."""
    log.add("go" if go.wait(_check_wait(timeout)) else "gave up")


def take_when_ready(ready: threading.Condition, items: list[Any], log: Log, timeout: float = 5.0) -> None:
    """Wait on ``ready`` until ``items`` has something, take one, log ``"took <item>"``."""
    timeout = _check_wait(timeout)
    with ready:
        if ready.wait_for(lambda: len(items) > 0, timeout):
            log.add(f"took {items.pop(0)}")
        else:
            log.add("gave up")


def put_and_notify(ready: threading.Condition, items: list[Any], item: Any) -> None:
    """Append ``item`` under ``ready``'s lock and wake one waiting thread."""
    with ready:
        items.append(item)
        ready.notify()


def two_phases(barrier: threading.Barrier, log: Log, first: float, second: float = 0.05) -> None:
    """Phase 1 for ``first`` s, wait at ``barrier`` for every thread, then phase 2 for ``second`` s.

    Logs ``"phase 1 done"``, ``"phase 2 begins"`` (or ``"barrier broken"`` after the
    barrier's timeout).
    """
    first, second = seconds(_check_wait(first, "first")), seconds(_check_wait(second, "second"))
    time.sleep(first)
    log.add("phase 1 done")
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        log.add("barrier broken")
        return
    log.add("phase 2 begins")
    time.sleep(second)


# --- queue.Queue with a sentinel ----------------------------------------------------------

def square_from_queue(tasks: queue.Queue, results: list[tuple[str, int, int]], timeout: float = 10.0) -> None:
    """Take numbers from ``tasks`` and append ``(thread, n, n*n)`` to ``results`` until :data:`SENTINEL`.

    Calls ``task_done()`` for every item taken, the sentinel included, so ``tasks.join()``
    returns once everything put has been handled. Gives up after ``timeout`` s without an item.
    """
    timeout = _check_wait(timeout)
    name = threading.current_thread().name
    while True:
        try:
            item = tasks.get(timeout=timeout)
        except queue.Empty:
            return
        try:
            if item is SENTINEL:
                return
            time.sleep(seconds(0.01))
            results.append((name, item, item * item))
        finally:
            tasks.task_done()


# --- deadlock -----------------------------------------------------------------------------

def take_two_locks(first: Any, second: Any, log: Log, hold: float = 0.1, timeout: float = 1.0,
                   both_holding: threading.Barrier | None = None) -> None:
    """Take ``first``, keep it ``hold`` s (scaled), then try ``second`` for at most ``timeout`` s.

    Logs ``"got both"`` or ``"gave up"``. Two threads calling it with the locks in opposite
    orders each hold what the other waits for: without the timeout, they would wait forever.
    ``both_holding``: a barrier the threads meet at once each holds its first lock, so the
    unlucky timing happens every time instead of now and then (with a timeout of its own).
    """
    hold, timeout = seconds(_check_wait(hold, "hold")), seconds(_check_wait(timeout))
    with first:
        time.sleep(hold)
        if both_holding is not None:
            try:
                both_holding.wait(timeout)
            except threading.BrokenBarrierError:
                pass  # the other thread never came: carry on, the outcome below says what happened
        if second.acquire(timeout=timeout):
            second.release()
            log.add("got both")
        else:
            log.add("gave up")


# --- an exception in a thread ----------------------------------------------------------------

def fail(message: str = "something went wrong in a thread") -> None:
    """Raise ``RuntimeError(message)``: a thread body that fails."""
    raise RuntimeError(message)


@contextmanager
def thread_errors() -> Iterator[list[threading.ExceptHookArgs]]:
    """Collect every exception that ends a thread inside the ``with`` block (``threading.excepthook``).

    Yields the list the hook appends to; the previous hook is put back on the way out, even
    after an error.
    """
    caught: list[threading.ExceptHookArgs] = []
    previous = threading.excepthook
    threading.excepthook = caught.append
    try:
        yield caught
    finally:
        threading.excepthook = previous
