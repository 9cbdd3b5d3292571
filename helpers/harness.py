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

import multiprocessing
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import relay, validate
from .config import MAX_TASKS, MAX_THREADS, max_processes, resolve_start_method

MODES = ("sequential", "threads", "processes")
#: Several interpreters in this process, each with its own GIL (Python 3.14+, PEP 684/734).
INTERPRETERS = "interpreters"
#: Longest a run may last unless the caller says otherwise.
DEFAULT_TIMEOUT = 60.0


class RunError(RuntimeError):
    """A run did not complete; ``result`` holds what was measured up to that point."""

    def __init__(self, message: str, result: RunResult) -> None:
        super().__init__(message)
        self.result = result


class TaskFailed(RunError):
    """At least one task raised; every other task still ran."""


class WorkerDied(RunError):
    """A worker process ended without finishing its task (crashed, killed, ``os._exit``)."""


class RunTimedOut(RunError, TimeoutError):
    """The run took longer than its ``timeout``."""


@dataclass
class TaskRecord:
    """One task of a run. Times are seconds since the run began (``None`` until they happen)."""

    index: int
    argument: Any
    worker: str = ""
    pid: int = 0
    thread: str = ""
    start: float | None = None
    end: float | None = None
    result: Any = None
    error: str | None = None

    @property
    def duration(self) -> float | None:
        return None if self.start is None or self.end is None else self.end - self.start


@dataclass
class RunResult:
    """What a run measured. ``elapsed`` is the wall time from before the first worker started
    to after the last one was joined: the time a learner would wait for the whole thing."""

    mode: str
    workers: int
    start_method: str | None
    tasks: list[TaskRecord]
    elapsed: float = 0.0
    status: str = "running"  # running, done, failed, interrupted, timed out
    message: str = ""
    #: When each worker was ready to take its first task (a process's start-up cost shows here).
    ready: dict[str, float] = field(default_factory=dict)

    @property
    def finished(self) -> int:
        return sum(task.end is not None for task in self.tasks)

    @property
    def results(self) -> list[Any]:
        """Return values in task order (``None`` for a task that failed or never ran)."""
        return [task.result for task in self.tasks]

    @property
    def errors(self) -> list[str]:
        return [f"task {t.index} ({t.argument!r}): {t.error}" for t in self.tasks if t.error]

    @property
    def busy(self) -> float:
        """Total time spent inside tasks, summed over all tasks."""
        return sum(t.duration or 0.0 for t in self.tasks)

    @property
    def pids(self) -> set[int]:
        return {t.pid for t in self.tasks if t.pid}

    @property
    def label(self) -> str:
        return run_label(self.mode, self.workers, self.start_method)

    def summary(self) -> str:
        return f"{len(self.tasks)} tasks, {self.label}: {self.elapsed:.2f} s ({self.status})"

    def __repr__(self) -> str:
        return f"<RunResult {self.summary()}>"


def run_label(mode: str, workers: int, start_method: str | None = None) -> str:
    """How a run is named in charts: "sequential", "1 thread", "4 processes (spawn)", "2 interpreters"."""
    if mode == "sequential":
        return "sequential"
    noun = mode if workers != 1 else mode[:-2 if mode == "processes" else -1]
    return f"{workers} {noun}" + (f" ({start_method})" if mode == "processes" else "")


def available_modes() -> tuple[str, ...]:
    """The modes this Python can run: :data:`MODES`, plus ``"interpreters"`` from Python 3.14."""
    from .interpreters import available

    return MODES + ((INTERPRETERS,) if available() else ())


def check_mode(mode: Any) -> str:
    """Return ``mode`` if this Python can run it, else raise ``ValueError`` saying why."""
    if mode == INTERPRETERS and mode not in available_modes():
        from .interpreters import unavailable_reason

        raise ValueError(f"mode='interpreters' is not available here. {unavailable_reason()}")
    if mode not in available_modes():
        raise ValueError(f"mode={mode!r} is not one of {', '.join(available_modes())}.")
    return mode


def check_workers(workers: Any, mode: str) -> int:
    """Return ``workers`` if it is a sensible count for ``mode``, else raise ``ValueError``.

    Threads: 1 to :data:`~helpers.config.MAX_THREADS`. Processes and interpreters: 1 to
    :func:`~helpers.config.max_processes` (four per core). Sequential: exactly 1.
    """
    check_mode(mode)
    limit = {"sequential": 1, "threads": MAX_THREADS, "processes": max_processes(),
             INTERPRETERS: max_processes()}[mode]
    noun = {"sequential": "worker", "threads": "threads", "processes": "processes",
            INTERPRETERS: "interpreters"}[mode]
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise ValueError(f"The number of {noun} must be a whole number from 1 to {limit}, not {workers!r}.")
    if not 1 <= workers <= limit:
        extra = f" on this {os.cpu_count()}-core machine" if mode in ("processes", INTERPRETERS) else ""
        raise ValueError(f"The number of {noun} must be from 1 to {limit}{extra}; you asked for {workers}.")
    return workers


def check_tasks(inputs: Sequence[Any]) -> list[Any]:
    """Return the task inputs as a list, or raise ``ValueError`` if there are none or too many.

    At most ``MAX_TASKS + 1`` items are read: an endless iterator (``itertools.count()``) is refused at once.
    """
    try:
        return validate.items(inputs, "the task inputs", MAX_TASKS)
    except ValueError as exc:
        raise type(exc)(f"A run needs 1 to {MAX_TASKS} tasks: {exc}") from None


# --- workers ---------------------------------------------------------------------------

def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _work_loop(func: Callable[[Any], Any], tasks: Any, events: Any, label: str,
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
            error = _describe(exc)
        events.put(("end", index, time.perf_counter(), result, error))


def _process_worker(func: Callable[[Any], Any], tasks: Any, events: Any) -> None:
    """Body of a worker process (importable, so spawn and forkserver can start it)."""
    _work_loop(func, tasks, events, f"pid {os.getpid()}")


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
    check_mode(mode)
    if workers is None:
        workers = 1 if mode == "sequential" else min(len(items), MAX_THREADS if mode == "threads" else max_processes())
    check_workers(workers, mode)
    if mode == INTERPRETERS and getattr(func, "__module__", "__main__") == "__main__":
        raise ValueError("An interpreter imports its task by name, so the task must come from a module "
                         f"(e.g. helpers.workers), not be defined in a cell: {func!r}.")
    method = resolve_start_method(start_method) if mode == "processes" else None
    validate.seconds(timeout, "timeout", 3600)
    validate.seconds(update_interval, "update_interval", 60)

    result = RunResult(mode, workers, method, [TaskRecord(i, x) for i, x in enumerate(items)])
    runner: _ThreadRun | _ProcessRun
    if mode == "processes":
        runner = _ProcessRun(func, items, workers, method)
    elif mode == INTERPRETERS:
        from .interpreter_runs import InterpreterRun  # only on 3.14+, and only when asked for

        runner = InterpreterRun(func, items, workers)
    else:
        runner = _ThreadRun(func, items, workers, mode)
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
            result.status, result.message = "failed", str(exc) or _describe(exc)
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
        result.message = "; ".join(result.errors)
        raise TaskFailed(f"{len(result.errors)} of {len(items)} tasks raised: {result.message}", result)
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


def _drain(runner: _ThreadRun | _ProcessRun, result: RunResult, t0: float) -> None:
    """Read what is left after the workers ended: start-up times of workers that got no task."""
    while True:
        try:
            _apply(runner.events.get(timeout=0.01), result, t0)
        except (queue.Empty, OSError, ValueError):
            return


def _collect(runner: _ThreadRun | _ProcessRun, result: RunResult, t0: float, timeout: float,
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


class _ThreadRun:
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
            threading.Thread(target=_work_loop, name=f"{prefix}-{n + 1}", daemon=True,
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
