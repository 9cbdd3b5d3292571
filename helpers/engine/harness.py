"""The run harness: the same tasks, run one after another, on threads, or on processes, timed.

:func:`run` is the one place in the course that starts workers for a measurement. It

* checks its arguments before anything starts, all at once (:func:`helpers.engine.validate.plan_run`: no input
  can start an unbounded number of threads or processes); :func:`run_planned` runs a plan checked already
  (a panel's, :func:`helpers.engine.validate.plan_workload`);
* records, for every task, when it started and ended (seconds since the run began),
  which worker ran it (thread name, process id) and what it returned or raised;
* calls ``on_update`` from the calling thread a few times a second while the run is
  under way, so a chart can grow live without touching the workers;
* never waits forever: the whole run has a ``timeout``, and on a timeout, an error, a
  crashed worker or ``KeyboardInterrupt`` (the stop button) it stops and reaps every
  process it started before raising.
"""

from __future__ import annotations

import multiprocessing.context
import os
import queue
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import relay
from .config import INTERPRETERS, MODES, available_modes, resolve_start_method
from .results import RunError, RunResult, RunTimedOut, TaskFailed, TaskRecord, WorkerDied, run_label
from .thread_runs import ThreadRun, describe, work_loop
from .validate import RunPlan, check_mode, check_tasks, check_workers, plan_run

__all__ = ["DEFAULT_TIMEOUT", "INTERPRETERS", "MODES", "RunError", "RunPlan", "RunResult", "RunTimedOut",
           "TaskFailed", "TaskRecord", "WorkerDied", "available_modes", "check_mode", "check_tasks", "check_workers",
           "planned_label", "run", "run_label", "run_planned"]

#: Longest a run may last unless the caller says otherwise.
DEFAULT_TIMEOUT = 60.0


def planned_label(mode: str, workers: Any, start_method: str | None = None) -> str:
    """How a chart names a run of ``workers`` ``mode`` before it starts ("4 processes (spawn)").

    The worker count is checked (:func:`~helpers.engine.validate.check_workers`: ``ValueError``) and the start
    method resolved as :func:`run` will.
    """
    check_workers(workers, mode)
    return run_label(mode, workers, resolve_start_method(start_method) if mode == "processes" else None)


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
    return run_planned(plan_run(func, inputs, mode=mode, workers=workers, start_method=start_method,
                                timeout=timeout, update_interval=update_interval), on_update)


def run_planned(plan: RunPlan, on_update: Callable[[RunResult], None] | None = None) -> RunResult:
    """Run a :class:`~helpers.engine.validate.RunPlan` (checked and resolved already) and measure it, as :func:`run`.

    ``on_update(result)`` is also called once before the workers start, so a chart can draw its empty axes before
    the clock starts.
    """
    func, items, mode, workers, timeout = plan.func, plan.items, plan.mode, plan.workers, plan.timeout
    result = RunResult.starting(mode, workers, plan.start_method, items)
    runner: ThreadRun | _ProcessRun
    if mode == "processes":
        assert plan.context is not None  # resolved with the plan for processes
        runner = _ProcessRun(func, items, workers, plan.context)
    elif mode == INTERPRETERS:
        from .interpreter_runs import InterpreterRun  # only on 3.14+, and only when asked for

        runner = InterpreterRun(func, items, workers)
    else:
        runner = ThreadRun(func, items, workers, mode)
    t0 = time.perf_counter()
    try:
        if on_update is not None:
            on_update(result)  # nothing runs yet: a full draw here is not timed with the run
        t0 = time.perf_counter()
        runner.start()
        _collect(runner, result, t0, timeout, on_update, plan.update_interval)
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
    if any(task.error for task in result.tasks):
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

    def __init__(self, func: Callable[[Any], Any], items: list[Any], workers: int,
                 context: multiprocessing.context.DefaultContext) -> None:
        self.events = context.Queue()
        self._tasks = context.Queue()
        for item in enumerate(items):
            self._tasks.put(item)
        for _ in range(workers):
            self._tasks.put(None)
        self._processes = [
            relay.Process(target=_process_worker, args=(func, self._tasks, self.events),
                          name=f"course-worker-{n + 1}", daemon=True, context=context)
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
