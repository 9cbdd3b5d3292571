"""Count the child processes still alive: the proof that a demo left nothing running.

``multiprocessing`` keeps two helper processes for as long as the program lives: the
*resource tracker*, and under forkserver the *fork server* itself. They are not leaks and
are left out. Everything else below a process (workers, a Manager's server, a fork
server's children) counts. Children that ended but were never reaped (``<defunct>`` zombies)
are counted apart, by :func:`zombies`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psutil

# helpers/engine/janitor.py: the course's clean-up watcher, which outlives its kernel only to clean up after it.
_HOUSEKEEPING = ("multiprocessing.forkserver import main", "multiprocessing.resource_tracker import main",
                 "helpers/engine/janitor.py")


def _command(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _is_housekeeping(process: psutil.Process) -> bool:
    command = _command(process)
    mark = next((m for m in _HOUSEKEEPING if m in command), None)
    if mark is None:
        return False
    # A fork server's children are forked copies with the same command line: they are the
    # workers, not the server. Only the topmost process with the mark is housekeeping.
    try:
        parent = process.parent()
    except psutil.Error:
        return True
    return parent is None or mark not in _command(parent)


def live_children(pid: int | None = None) -> list[psutil.Process]:
    """Live descendants of ``pid`` (default: this process), multiprocessing's housekeeping excluded."""
    try:
        root = psutil.Process(pid)
        descendants = root.children(recursive=True)
    except psutil.Error:
        return []
    found = []
    for child in descendants:
        try:
            if child.status() == psutil.STATUS_ZOMBIE or _is_housekeeping(child):
                continue
        except psutil.Error:
            continue
        found.append(child)
    return found


def zombies(pid: int | None = None) -> list[psutil.Process]:
    """Descendants of ``pid`` that have ended but were never reaped (``<defunct>``): nobody collected their exit
    code."""
    try:
        descendants = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []
    found = []
    for child in descendants:
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                found.append(child)
        except psutil.Error:
            continue
    return found


def wait_for_no_children(pid: int | None = None, timeout: float = 5.0,
                         count: Callable[[int | None], list[psutil.Process]] = live_children) -> list[psutil.Process]:
    """Wait up to ``timeout`` s until ``count(pid)`` (live children, or :func:`zombies`) finds none; return the rest."""
    return _until_none_left(lambda: count(pid), timeout, poll=0.1)


def _until_none_left(find: Callable[[], list[psutil.Process]], timeout: float, poll: float) -> list[psutil.Process]:
    """Call ``find`` every ``poll`` s until it returns nothing or ``timeout`` s have passed; its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        left = find()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(poll)


def still_running(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of ``processes`` that have not ended: gone and ``<defunct>`` both count as ended.

    An orphan (a kernel's resource tracker once the kernel is gone) is reparented to init, which
    may collect exit codes only every few seconds (about 2 s on the course's CI machines): it has
    ended, it just waits there as a zombie. ``psutil.wait_procs`` would wait for that collection.
    """
    running = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                running.append(process)
        except psutil.Error:  # gone
            continue
    return running


def wait_until_ended(processes: list[psutil.Process], timeout: float = 10.0) -> list[psutil.Process]:
    """Wait up to ``timeout`` s until every one of ``processes`` has ended (see :func:`still_running`); return the
    rest."""
    return _until_none_left(lambda: still_running(processes), timeout, poll=0.02)


def describe(process: psutil.Process) -> str:
    """``pid N: command line`` (shortened), for messages that name survivors."""
    command = _command(process)
    return f"pid {process.pid}: {command[:150]}" if command else f"pid {process.pid}"


def kill_all(processes: list[psutil.Process]) -> list[str]:
    """Kill ``processes`` (those still alive) and return their descriptions, taken first."""
    names = [describe(process) for process in processes]
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            pass
    return names


def end_tree(root: int, grace: float = 5.0) -> list[str]:
    """Kill process ``root`` and its descendants, but let ``multiprocessing``'s housekeeping end by itself.

    A resource tracker unlinks the semaphores and shared-memory blocks its dead clients left
    (``/dev/shm/sem.mp-*``, ``psm_*``) once the last of them has closed its pipe (CPython
    Lib/multiprocessing/resource_tracker.py: ``main``, after its read loop ends); killed together with
    them, it leaves them in ``/dev/shm`` for good. A fork server likewise ends when its parent's pipe
    closes. Those get ``grace`` seconds, then are killed too. Returns the descriptions of what was killed.
    """
    try:
        top = psutil.Process(root)
        tree = [top, *top.children(recursive=True)]
    except psutil.Error:
        return []
    housekeeping = [p for p in tree if _is_housekeeping(p)]
    killed = kill_all([p for p in tree if p not in housekeeping])
    wait_until_ended([p for p in tree if p not in housekeeping], timeout=grace)
    return killed + kill_all(wait_until_ended(housekeeping, timeout=grace))
