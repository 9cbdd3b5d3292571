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

In a kernel it also wraps ipykernel's ``do_shutdown`` (shutdown and restart): :func:`prepare_kernel_shutdown`
asks ``multiprocessing``'s resource tracker and fork server to end and collects the children ipykernel ends, so
the kernel exits by itself in well under a second instead of being killed after 2.5 s.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
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


#: Seconds the shutdown's collector thread keeps collecting the children that end as the kernel shuts down.
COLLECT_SECONDS = 5.0


def _close_server(server: Any, fd_attr: str, pid_attr: str) -> int | None:
    """Close the pipe whose end tells one of ``multiprocessing``'s servers to stop; its pid, or None if none ran.

    The resource tracker and the fork server each end when that pipe closes (CPython
    Lib/multiprocessing/resource_tracker.py and forkserver.py, ``_stop``, the same private fields in 3.10 to 3.15);
    their own ``_stop`` then waits for them without a bound, which a child forked earlier and still alive would
    make endless (it holds a copy of the pipe: CPython gh-146313). Here nothing waits: the caller collects them.
    """
    lock = getattr(server, "_lock", None)
    if lock is None or not lock.acquire(timeout=1.0):
        return None
    try:
        fd, pid = getattr(server, fd_attr, None), getattr(server, pid_attr, None)
        if fd is None or pid is None:
            return None
        os.close(fd)
        setattr(server, fd_attr, None)
        setattr(server, pid_attr, None)  # as after ``_stop``: the next use starts a new one
        return int(pid)
    finally:
        lock.release()


def stop_multiprocessing_servers() -> list[int]:
    """Ask ``multiprocessing``'s resource tracker and fork server to end, as they do when the kernel exits; their pids.

    The tracker first unlinks whatever is still registered (a learner's shared-memory block, a semaphore).
    """
    from multiprocessing import forkserver, resource_tracker

    pids = [_close_server(getattr(resource_tracker, "_resource_tracker", None), "_fd", "_pid"),
            _close_server(getattr(forkserver, "_forkserver", None), "_forkserver_alive_fd", "_forkserver_pid")]
    return [pid for pid in pids if pid is not None]


def _collect_while_shutting_down(servers: list[int], seconds: float = COLLECT_SECONDS) -> None:
    """Collect, as soon as each ends, the servers and the ``multiprocessing`` children ipykernel is ending."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        multiprocessing.active_children()  # collects every ended child; blocks on none
        for pid in list(servers):
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    servers.remove(pid)
            except ChildProcessError:
                servers.remove(pid)
        time.sleep(0.01)


def prepare_kernel_shutdown() -> None:
    """What the kernel's shutdown (and restart) does first: the servers asked to end, a thread to collect.

    ipykernel ends the children in its process group before it exits: SIGTERM again and again with growing
    pauses, SIGKILL only after about 14 s, until none is left (ipykernel/kernelbase.py
    ``_progressively_terminate_all_children``). The resource tracker ignores SIGTERM, and a child it does end
    stays a zombie, still listed, because nothing collects it. So a kernel that had started the tracker or the
    fork server (shared memory, semaphores, spawn, forkserver) was still waiting when jupyter_client's patience
    ran out, 2.5 s (half of ``shutdown_wait_time``), and was killed there: every shutdown and restart 2.5 s
    slower, the kernel's own exit (``atexit``, the history) skipped. Measured on notebooks 02 and 04: 2.6 s.
    """
    servers = stop_multiprocessing_servers()
    threading.Thread(target=_collect_while_shutting_down, args=(servers,), name="collect ended children",
                     daemon=True).start()


def _prepare_shutdown_first(kernel: Any) -> None:
    """Make the kernel's ``do_shutdown`` (shutdown and restart) call :func:`prepare_kernel_shutdown` first."""
    original = getattr(kernel, "do_shutdown", None)
    if original is None or getattr(original, "_course_prepares_shutdown", False):
        return

    def do_shutdown(*args: Any, **kwargs: Any) -> Any:
        try:
            prepare_kernel_shutdown()
        except Exception:  # never in the way of a shutdown: at worst it is as slow as before
            pass
        return original(*args, **kwargs)

    do_shutdown._course_prepares_shutdown = True  # type: ignore[attr-defined]
    kernel.do_shutdown = do_shutdown


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
    kernel = getattr(shell, "kernel", None)  # ipykernel's; a terminal IPython has none
    if kernel is not None:
        _prepare_shutdown_first(kernel)
    setattr(shell, _HOOKED, True)
    return True
