"""The run harness: the same tasks, run one after another, on threads, or on processes, timed.

:func:`run` is the one place in the course that starts workers for a measurement. It

* checks its arguments before anything starts (no input can start an unbounded number
  of threads or processes);
* records, for every task, when it started and ended (seconds since the run began),
  which worker ran it (thread name, process id) and what it returned or raised;
* calls ``on_update`` from the calling thread a few times a second while the run is
  under way, so a chart can grow live without touching the workers;
* never waits forever: the whole run has a ``timeout``, and on a timeout, an error, a
  crashed worker or ``KeyboardInterrupt`` (the stop button) it stops and reaps every
  process it started before raising.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import queue
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import relay, validate
from .config import MAX_TASKS, MAX_THREADS, max_processes, resolve_start_method
from .results import RunError, RunResult, RunTimedOut, TaskFailed, TaskRecord, WorkerDied, run_label
from .thread_runs import ThreadRun, describe, work_loop

__all__ = ["DEFAULT_TIMEOUT", "INTERPRETERS", "MODES", "RunError", "RunResult", "RunTimedOut", "TaskFailed",
           "TaskRecord", "WorkerDied", "available_modes", "check_mode", "check_tasks", "check_workers", "planned_label",
           "run", "run_label"]

MODES = ("sequential", "threads", "processes")
#: Several interpreters in this process, each with its own GIL (Python 3.14+, PEP 684/734).
INTERPRETERS = "interpreters"
#: Longest a run may last unless the caller says otherwise.
DEFAULT_TIMEOUT = 60.0


@functools.cache  # what this Python can run does not change while it runs
def available_modes() -> tuple[str, ...]:
    """The modes this Python can run: :data:`MODES`, plus ``"interpreters"`` from Python 3.14."""
    from .interpreter_runs import available

    return MODES + ((INTERPRETERS,) if available() else ())


def check_mode(mode: Any) -> str:
    """Return ``mode`` if this Python can run it, else raise ``ValueError`` saying why."""
    if mode == INTERPRETERS and mode not in available_modes():
        from .interpreter_runs import unavailable_reason

        raise ValueError(f"mode='interpreters' is not available here. {unavailable_reason()}")
    if mode not in available_modes():
        raise ValueError(f"mode={mode!r} is not one of {', '.join(available_modes())}.")
    return mode


def check_workers(workers: Any, mode: str) -> int:
    """Return ``workers`` if it is a sensible count for ``mode``, else raise ``ValueError``.

    Threads: 1 to :data:`~helpers.engine.config.MAX_THREADS`. Processes and interpreters: 1 to
    :func:`~helpers.engine.config.max_processes` (four per core). Sequential: exactly 1.
    """
    check_mode(mode)
    limit = {"sequential": 1, "threads": MAX_THREADS, "processes": max_processes(),
             INTERPRETERS: max_processes()}[mode]
    noun = {"sequential": "worker", "threads": "threads", "processes": "processes",
            INTERPRETERS: "interpreters"}[mode]
    extra = f" on this {os.cpu_count()}-core machine" if mode in ("processes", INTERPRETERS) else ""
    return validate.whole_number(workers, f"The number of {noun}", 1, limit, context=extra)


def planned_label(mode: str, workers: Any, start_method: str | None = None) -> str:
    """How a chart names a run of ``workers`` ``mode`` before it starts ("4 processes (spawn)").

    The worker count is checked (:func:`check_workers`: ``ValueError``) and the start method resolved as
    :func:`run` will, so a panel asks one question before its run, not three.
    """
    check_workers(workers, mode)
    return run_label(mode, workers, resolve_start_method(start_method) if mode == "processes" else None)


def check_tasks(inputs: Sequence[Any]) -> list[Any]:
    """Return the task inputs as a list, or raise ``ValueError`` if there are none or too many.

    At most ``MAX_TASKS + 1`` items are read: an endless iterator (``itertools.count()``) is refused at once.
    """
    try:
        return validate.items(inputs, "the task inputs", MAX_TASKS)
    except ValueError as exc:
        raise type(exc)(f"A run needs 1 to {MAX_TASKS} tasks: {exc}") from None


# --- workers ---------------------------------------------------------------------------

def _process_worker(func: Callable[[Any], Any], tasks: Any, events: Any) -> None:
    """Body of a worker process (importable, so spawn and forkserver can start it)."""
    work_loop(func, tasks, events, f"pid {os.getpid()}")


# --- the run ---------------------------------------------------------------------------

def run(func: Callable[[Any], Any], inputs: Sequence[Any], *, mode: str = "threads",
        workers: int | None = None, start_method: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_update: Callable[[RunResult], None] | None = None,
        update_interval: float = 0.2) -> RunResult:
    """Run ``func(x)`` for every ``x`` in ``inputs`` and measure it.

    ``mode``: ``"sequential"`` (one worker thread, one task after another), ``"threads"``,
    ``"processes"`` or, from Python 3.14, ``"interpreters"`` (one subinterpreter per worker
    thread, each with its own GIL). ``workers`` defaults to one per task (capped by the mode's limit).
    ``start_method``: for processes; ``None`` means ``$COURSE_START_METHOD`` or the
    platform default. ``func`` must be importable for processes and interpreters (e.g. from
    :mod:`helpers.workers`). ``on_update(result)`` is called in this thread at most every
    ``update_interval`` s during the run, and once at the end.

    Returns a :class:`RunResult`. Raises ``ValueError`` for bad arguments (before anything
    starts); :class:`TaskFailed`, :class:`WorkerDied`, :class:`RunTimedOut` or
    ``KeyboardInterrupt`` otherwise, always after every started process has been reaped
    and every interpreter closed.
    """
    validate.function(func, "func")
    items = check_tasks(inputs)
    if workers is None:
        workers = 1 if mode == "sequential" else min(len(items), MAX_THREADS if mode == "threads" else max_processes())
    check_workers(workers, mode)  # the mode first: a mode this Python cannot run is named here
    if mode == INTERPRETERS and getattr(func, "__module__", "__main__") == "__main__":
        raise ValueError("An interpreter imports its task by name, so the task must come from a module "
                         f"(e.g. helpers.workers), not be defined in a cell: {func!r}.")
    method = resolve_start_method(start_method) if mode == "processes" else None
    validate.seconds(timeout, "timeout", 3600)
    validate.seconds(update_interval, "update_interval", 60)

    result = RunResult.starting(mode, workers, method, items)
    runner: ThreadRun | _ProcessRun
    if mode == "processes":
        assert method is not None  # resolved above for processes
        runner = _ProcessRun(func, items, workers, method)
    elif mode == INTERPRETERS:
        from .interpreter_runs import InterpreterRun  # only on 3.14+, and only when asked for

        runner = InterpreterRun(func, items, workers)
    else:
        runner = ThreadRun(func, items, workers, mode)
    t0 = time.perf_counter()
    try:
        runner.start()
        _collect(runner, result, t0, timeout, on_update, update_interval)
        runner.finish(deadline=t0 + timeout)
        result.elapsed = time.perf_counter() - t0
        _drain(runner, result, t0)
        runner.close()
        result.status = "done"
    except BaseException as exc:
        runner.abort()
        result.elapsed = time.perf_counter() - t0
        if isinstance(exc, KeyboardInterrupt):
            result.status, result.message = "interrupted", "Interrupted: every worker was stopped."
        elif isinstance(exc, RunTimedOut):
            result.status, result.message = "timed out", str(exc)
        else:
            result.status, result.message = "failed", str(exc) or describe(exc)
        if on_update is not None:
            try:
                on_update(result)
            except Exception:
                pass  # the original exception matters more than a failed redraw
        if isinstance(exc, (RunError, KeyboardInterrupt)):
            exc.result = result  # type: ignore[union-attr]
        raise
    if on_update is not None:
        on_update(result)
    if result.errors:
        result.status = "failed"
        result.message = result.error_summary()  # sixteen identical errors read as one line, not sixteen
        raise TaskFailed(result.message, result)
    return result


def _apply(event: tuple[Any, ...], result: RunResult, t0: float) -> bool:
    """Record one worker event in ``result``; True when it was a task ending."""
    kind = event[0]
    if kind == "ready":
        _, label, t = event
        result.ready[label] = t - t0
    elif kind == "start":
        _, index, label, pid, thread, t = event
        task = result.tasks[index]
        task.worker, task.pid, task.thread, task.start = label, pid, thread, t - t0
    elif kind == "end":
        _, index, t, value, error = event
        task = result.tasks[index]
        task.end, task.result, task.error = t - t0, value, error
        return True
    return False


def _drain(runner: ThreadRun | _ProcessRun, result: RunResult, t0: float) -> None:
    """Read what is left after the workers ended: start-up times of workers that got no task."""
    while True:
        try:
            _apply(runner.events.get(timeout=0.01), result, t0)
        except (queue.Empty, OSError, ValueError):
            return


def _collect(runner: ThreadRun | _ProcessRun, result: RunResult, t0: float, timeout: float,
             on_update: Callable[[RunResult], None] | None, update_interval: float) -> None:
    """Read events until every task has ended; redraw on the way; watch for death and time."""
    remaining = len(result.tasks)
    last_update = -update_interval
    while remaining:
        try:
            event = runner.events.get(timeout=0.05)
        except queue.Empty:
            event = None
        if event is not None and _apply(event, result, t0):
            remaining -= 1
        now = time.perf_counter()
        result.elapsed = now - t0
        if on_update is not None and (now - t0) - last_update >= update_interval:
            last_update = now - t0
            on_update(result)
        runner.check_alive(result)
        if now - t0 > timeout:
            raise RunTimedOut(f"The run took longer than {timeout:g} s and was stopped "
                              f"({result.finished} of {len(result.tasks)} tasks had finished).", result)


class _ProcessRun:
    """Worker processes pulling tasks from a ``multiprocessing.Queue``."""

    def __init__(self, func: Callable[[Any], Any], items: list[Any], workers: int, method: str) -> None:
        context = multiprocessing.get_context(method)
        self.events = context.Queue()
        self._tasks = context.Queue()
        for item in enumerate(items):
            self._tasks.put(item)
        for _ in range(workers):
            self._tasks.put(None)
        self._processes = [
            relay.Process(target=_process_worker, args=(func, self._tasks, self.events),
                          name=f"course-worker-{n + 1}", daemon=True, start_method=method)
            for n in range(workers)
        ]

    def start(self) -> None:
        for process in self._processes:
            process.start()

    def check_alive(self, result: RunResult) -> None:
        for process in self._processes:
            code = process.exitcode
            if code not in (None, 0):
                running = [t for t in result.tasks if t.pid == process.pid and t.end is None]
                where = (f" while running task {running[0].index} ({running[0].argument!r})"
                         if running else "")
                raise WorkerDied(f"Worker process pid {process.pid} died with exit code {code}{where}; "
                                 "the run was stopped.", result)

    def finish(self, deadline: float) -> None:
        for process in self._processes:
            process.join(max(0.1, deadline - time.perf_counter()))
        for process in self._processes:
            relay.stop(process, grace=1.0)  # anything alive after the deadline is stopped, not waited for

    def abort(self) -> None:
        for process in self._processes:
            relay.stop(process, grace=1.0)
        self.close()

    def close(self) -> None:
        for q in (self._tasks, self.events):
            # Never block on a queue's feeder thread after its reader is gone.
            q.cancel_join_thread()
            q.close()
