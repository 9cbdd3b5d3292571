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

import functools
import os
import queue
import time
from collections.abc import Callable, Generator, Sequence
from typing import Any

from . import relay
from .config import INTERPRETERS, MODES, available_modes, resolve_start_method
from .results import RunError, RunResult, RunTimedOut, TaskFailed, TaskRecord, WorkerDied, run_label
from .thread_runs import ThreadRun, describe, life, work_loop
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
    the clock starts. The workers live in one loop (:func:`_workers`) that this drives: started, checked on each
    round, joined by the deadline, and stopped on every way out.
    """
    result = RunResult.starting(plan.mode, plan.workers, plan.start_method, plan.items)
    workers = _workers(plan, result)
    t0 = time.perf_counter()
    try:
        next(workers)  # the workers and their queues built, none started: not timed with the run
        if on_update is not None:
            on_update(result)  # nothing runs yet: a full draw here is not timed with the run
        t0 = time.perf_counter()
        events = next(workers)  # the workers start; their events come on this queue
        _collect(events, workers, result, t0, plan.timeout, on_update, plan.update_interval)
        workers.send(t0 + plan.timeout)  # every task ended: each worker joined, any still there at the deadline stopped
        result.elapsed = time.perf_counter() - t0
        _drain(events, result, t0)
        workers.close()  # the queues released
        result.status = "done"
    except BaseException as exc:
        workers.close()  # every worker stopped (every process reaped) before anything else
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
    failed = any(task.error for task in result.tasks)
    if failed:  # said before the last redraw, so the chart names the run failed too (and keeps it off its history)
        result.status = "failed"
        result.message = result.error_summary()  # sixteen identical errors read as one line, not sixteen
    if on_update is not None:
        on_update(result)
    if failed:
        raise TaskFailed(result.message, result)
    return result


#: A run's workers as one loop (:func:`helpers.engine.thread_runs.life`, :func:`_process_life`): the first ``next()``
#: builds them (nothing starts), the second starts them and yields their events' queue, each later one checks on
#: them, ``send(deadline)`` joins them, and ``close()`` stops whatever is left and releases the queues.
Workers = Generator[Any, "float | None", None]


def _workers(plan: RunPlan, result: RunResult) -> Workers:
    """The loop that keeps the plan's workers: processes, interpreters (3.14+) or threads."""
    if plan.mode == "processes":
        return _process_life(plan, result)
    if plan.mode == INTERPRETERS:
        from .interpreter_runs import InterpreterRun  # only on 3.14+, and only when asked for

        return life(functools.partial(InterpreterRun, plan.func, plan.items, plan.workers), result)
    return life(functools.partial(ThreadRun, plan.func, plan.items, plan.workers, plan.mode), result)


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


def _drain(events: Any, result: RunResult, t0: float) -> None:
    """Read what is left after the workers ended: start-up times of workers that got no task."""
    while True:
        try:
            _apply(events.get(timeout=0.01), result, t0)
        except (queue.Empty, OSError, ValueError):
            return


def _collect(events: Any, workers: Workers, result: RunResult, t0: float, timeout: float,
             on_update: Callable[[RunResult], None] | None, update_interval: float) -> None:
    """Read events until every task has ended; redraw on the way; watch for death and time."""
    remaining = len(result.tasks)
    last_update = -update_interval
    while remaining:
        try:
            event = events.get(timeout=0.05)
        except queue.Empty:
            event = None
        if event is not None and _apply(event, result, t0):
            remaining -= 1
        now = time.perf_counter()
        result.elapsed = now - t0
        if on_update is not None and (now - t0) - last_update >= update_interval:
            last_update = now - t0
            on_update(result)
        next(workers)  # WorkerDied if one of them died
        if now - t0 > timeout:
            raise RunTimedOut(f"The run took longer than {timeout:g} s and was stopped "
                              f"({result.finished} of {len(result.tasks)} tasks had finished).", result)


def _process_life(plan: RunPlan, result: RunResult) -> Workers:
    """Worker processes pulling tasks from a ``multiprocessing.Queue``, as the loop :func:`_workers` describes;
    the children themselves are the relay's (:func:`helpers.engine.relay.supervised`), so what they print shows."""
    assert plan.context is not None  # resolved with the plan for processes
    events, tasks = plan.context.Queue(), plan.context.Queue()
    for item in enumerate(plan.items):
        tasks.put(item)
    for _ in range(plan.workers):
        tasks.put(None)
    children = relay.supervised(_process_worker, (plan.func, tasks, events), plan.workers, name="course-worker",
                                context=plan.context)
    try:
        next(children)  # the children built, none started
        yield None
        next(children)  # started
        deadline = yield events
        while deadline is None:
            died = next(children)
            if died is not None:
                pid, code = died
                running = [t for t in result.tasks if t.pid == pid and t.end is None]
                where = f" while running task {running[0].index} ({running[0].argument!r})" if running else ""
                raise WorkerDied(f"Worker process pid {pid} died with exit code {code}{where}; "
                                 "the run was stopped.", result)
            deadline = yield None
        children.send(deadline)
        yield None
    finally:
        children.close()  # every child stopped and reaped
        for q in (tasks, events):
            # Never block on a queue's feeder thread after its reader is gone.
            q.cancel_join_thread()
            q.close()
