"""Reap a cell's finished child processes as soon as the cell ends, even when ■ stopped it.

A process that has ended stays in the process table as a ``<defunct>`` *zombie* until its
parent collects its exit code: ``join()``, ``is_alive()``, or ``multiprocessing.active_children()``
do that. Press ■ while the article's ``process.join()`` waits, and the interrupt reaches the
child too (Jupyter signals the kernel's whole process group): the child ends, but the join
that would have collected it was the thing interrupted. Nothing asks again until some later
cell starts a process, so the zombie lingers.

Importing :mod:`helpers` in an IPython kernel calls :func:`install`, which hooks :func:`reap`
onto every cell: after a cell, finished children are collected; after an *interrupted* cell,
the children that cell started get up to :data:`GRACE` seconds to finish ending first. Then the
workers of a ``ProcessPoolExecutor`` that broke or was shut down, and that are still alive, are
ended (:func:`end_orphaned_pool_workers`). Only
``multiprocessing``'s own children are touched (never ``os.waitpid(-1)``, which would steal
the exit codes of ``subprocess`` and others). Outside IPython nothing is installed.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from typing import Any

#: After an interrupted cell: seconds the children it started get to finish ending (they got SIGINT too).
GRACE = 2.0
_HOOKED = "_course_reaper_installed"


def reap(wait_for: set[int] | None = None, grace: float = GRACE) -> list[multiprocessing.process.BaseProcess]:
    """Collect every finished ``multiprocessing`` child; return those still running.

    With ``wait_for`` (pids), poll for up to ``grace`` seconds until none of those is still running.
    """
    deadline = time.monotonic() + grace
    while True:
        alive = multiprocessing.active_children()  # joins, without blocking, every child that has ended
        if not wait_for or not {p.pid for p in alive} & wait_for or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


#: Pids of ``ProcessPoolExecutor`` workers seen so far (a started ``Process`` no longer says what its target was).
_POOL_WORKERS: set[int] = set()


def _pool_workers_without_a_pool() -> list[multiprocessing.process.BaseProcess]:
    """``ProcessPoolExecutor`` workers that no live executor manager thread of a working pool owns any
    more: their pool broke (a worker killed, ■) or was shut down.

    Such a worker can never get work again, and the only things that end it, a ``None`` on its call queue
    or the manager's ``terminate()`` of a broken pool (CPython Lib/concurrent/futures/process.py:
    ``_ExecutorManagerThread.terminate_broken``), may never come or may not work: a worker that ignores
    SIGTERM survives it, and the manager thread then waits in ``join()`` for ever (3.11), the worker
    holding the kernel's inherited sockets. Pool workers are recognised by their manager threads
    (``_threads_wakeups``), noted before and after every cell.
    """
    module = sys.modules.get("concurrent.futures.process")
    if module is None:
        return []
    owned: set[int] = set()
    for thread in list(getattr(module, "_threads_wakeups", {}).keys()):
        pids = {p.pid for p in list((getattr(thread, "processes", None) or {}).values()) if p.pid is not None}
        _POOL_WORKERS.update(pids)
        reference = getattr(thread, "executor_reference", None)
        executor = reference() if callable(reference) else None
        # A broken pool's manager thread may still be alive, stuck joining a worker that ignored its SIGTERM.
        if thread.is_alive() and not getattr(executor, "_broken", False):
            owned.update(pids)
    children = multiprocessing.active_children()
    _POOL_WORKERS.intersection_update(p.pid for p in children)
    return [p for p in children if p.pid in _POOL_WORKERS and p.pid not in owned]


def end_orphaned_pool_workers(grace: float = 1.0) -> list[int]:
    """Terminate (then kill, after ``grace`` s) every pool worker whose pool is gone; their pids."""
    orphans = _pool_workers_without_a_pool()
    for process in orphans:
        try:
            process.terminate()
        except (OSError, ValueError):
            pass
    deadline = time.monotonic() + grace
    for process in orphans:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            try:
                process.kill()
            except (OSError, ValueError):
                pass
            process.join(1.0)
    return [p.pid for p in orphans if p.pid is not None]


class _CellHooks:
    """``pre_run_cell`` notes which children exist; ``post_run_cell`` reaps, waiting a little after ■."""

    def __init__(self) -> None:
        self.before: set[int] = set()

    def pre_run_cell(self, *_: Any) -> None:
        self.before = {p.pid for p in reap() if p.pid is not None}
        _pool_workers_without_a_pool()  # notes the pool workers alive now

    def post_run_cell(self, result: Any) -> None:
        interrupted = isinstance(getattr(result, "error_in_exec", None), KeyboardInterrupt)
        if not interrupted:
            reap()
        else:
            started_here = {p.pid for p in multiprocessing.active_children() if p.pid is not None} - self.before
            reap(wait_for=started_here)
        end_orphaned_pool_workers()


def install() -> bool:
    """Register the reaping hooks on the running IPython shell, once. False when there is none.

    IPython is only looked for when it is already imported, so a worker process that imports
    :mod:`helpers` (spawn, forkserver) pays nothing.
    """
    ipython_module = sys.modules.get("IPython")
    shell = ipython_module.get_ipython() if ipython_module is not None else None
    if shell is None or getattr(shell, _HOOKED, False):
        return False
    hooks = _CellHooks()
    shell.events.register("pre_run_cell", hooks.pre_run_cell)
    shell.events.register("post_run_cell", hooks.post_run_cell)
    setattr(shell, _HOOKED, True)
    return True
