"""Threads pulling tasks from one queue: the loop every worker runs, and the threads (or sequential) runner.

:func:`work_loop` is the body of every worker -- a thread here, a process (:mod:`helpers.engine.harness`), an
interpreter's thread (:mod:`helpers.engine.interpreter_runs`): it takes ``(index, argument)`` pairs and reports
``ready``/``start``/``end`` events. :class:`ThreadRun` is the runner for ``mode="threads"`` and ``"sequential"``;
:func:`life` drives a runner from start to end as one loop (the harness's).
"""

from __future__ import annotations

import os
import queue
import threading
import time
import traceback
from collections.abc import Callable, Generator
from typing import Any

from .results import RunResult


def describe(exc: BaseException) -> str:
    """The exception as one line, ``"ValueError: message"``, as a task's error is recorded."""
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def work_loop(func: Callable[[Any], Any], tasks: Any, events: Any, label: str,
               stop: threading.Event | None = None) -> None:
    """Take ``(index, argument)`` pairs from ``tasks`` until ``None``; report each as events."""
    pid, thread = os.getpid(), threading.current_thread().name
    events.put(("ready", label, time.perf_counter()))
    while True:
        item = tasks.get()
        if item is None or (stop is not None and stop.is_set()):
            return
        index, argument = item
        events.put(("start", index, label, pid, thread, time.perf_counter()))
        result, error = None, None
        try:
            result = func(argument)
        except Exception as exc:  # a failing task is measured and reported, not fatal
            error = describe(exc)
        events.put(("end", index, time.perf_counter(), result, error))


class ThreadRun:
    """Threads (or one thread, for sequential) pulling tasks from a shared queue."""

    def __init__(self, func: Callable[[Any], Any], items: list[Any], workers: int, mode: str) -> None:
        self.events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._tasks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for item in enumerate(items):
            self._tasks.put(item)
        for _ in range(workers):
            self._tasks.put(None)
        self._stop = threading.Event()
        prefix = "sequential" if mode == "sequential" else "thread"
        # Daemon threads: if the run is interrupted they finish their current task and
        # exit on their own; they can never keep the kernel from shutting down.
        self._threads = [
            threading.Thread(target=work_loop, name=f"{prefix}-{n + 1}", daemon=True,
                             args=(func, self._tasks, self.events, f"{prefix}-{n + 1}", self._stop))
            for n in range(workers)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def check_alive(self, result: RunResult) -> None:
        pass  # a thread cannot die without its task reporting the exception

    def finish(self, deadline: float) -> None:
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.perf_counter()))

    def abort(self) -> None:
        self._stop.set()

    def close(self) -> None:
        pass


def life(make: Callable[[], ThreadRun], result: RunResult) -> Generator[Any, float | None, None]:
    """A runner's workers from start to end, as one loop that the harness drives.

    The first ``next()`` builds the runner (``make()``; nothing starts), the second starts its workers and yields
    the queue their events come on; each later ``next()`` checks on them (:meth:`ThreadRun.check_alive`:
    ``WorkerDied``); ``send(deadline)`` waits for them until then (:meth:`ThreadRun.finish`). Closing the loop
    (``close()``, or an exception in it) asks every worker to stop (:meth:`ThreadRun.abort`) and releases the
    queues (:meth:`ThreadRun.close`).
    """
    run = make()
    try:
        yield None  # built, nothing started: the harness may start its clock
        run.start()
        deadline = yield run.events
        while deadline is None:
            run.check_alive(result)
            deadline = yield None
        run.finish(deadline)
        yield None
    finally:
        run.abort()
        run.close()
