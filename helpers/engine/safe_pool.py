"""A ``multiprocessing.Pool`` whose ``terminate()`` cannot hang when a worker was killed.

Why the stock one can: ``Pool.terminate()`` (and so leaving ``with Pool(...) as pool:``) first
takes the lock that guards the pool's task pipe (``Pool._help_stuff_finish``:
``inqueue._rlock.acquire()``, multiprocessing/pool.py, unchanged from 3.10 to 3.15). An idle
worker holds that lock while it waits for its next task (``SimpleQueue.get``). Kill that worker
(the OOM killer, ``kill -9``, a crash in C) and the lock -- a semaphore shared between processes --
is never released: ``terminate()`` waits for it forever. Through a real kernel, killing one worker
of notebook 10's ``Pool`` cell hung the cell 5 times in 10 on Python 3.11 (tests/test_safe_pool.py).

:class:`BoundedPool` waits for that lock at most :data:`LOCK_WAIT` seconds; if it cannot get it, it
drains the task pipe without it (every worker is about to be terminated, so nobody else's read
matters any more) and goes on terminating. :func:`bounded_context` gives a ``multiprocessing``
context whose ``Pool`` is a :class:`BoundedPool` and which is otherwise the same context.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import time
from typing import Any

#: Longest ``terminate()`` waits for the task pipe's lock before draining the pipe without it.
LOCK_WAIT = 1.0


class BoundedPool(multiprocessing.pool.Pool):
    """``multiprocessing.pool.Pool`` with a ``terminate()`` that ends even after a worker was killed."""

    @staticmethod
    def _help_stuff_finish(inqueue: Any, task_handler: Any, size: int) -> None:
        # The stock version: acquire the lock (unbounded), then drain the pipe while the task handler runs.
        deadline = time.monotonic() + LOCK_WAIT
        locked = False
        while not locked and time.monotonic() < deadline:
            locked = inqueue._rlock.acquire(timeout=0.05)
            if not locked and not task_handler.is_alive() and not inqueue._reader.poll():
                break  # nothing left to drain: the lock would only be needed to read
        while task_handler.is_alive() and inqueue._reader.poll():
            inqueue._reader.recv()
            time.sleep(0)


def bounded_context(context: Any) -> Any:
    """A copy of the ``multiprocessing`` context ``context`` whose ``Pool(...)`` is a :class:`BoundedPool`."""
    base = type(context)
    name = f"Bounded{base.__name__}"
    cls = _CONTEXT_CLASSES.get(name)
    if cls is None:
        def pool(self: Any, processes: int | None = None, initializer: Any = None, initargs: tuple = (),
                 maxtasksperchild: int | None = None) -> BoundedPool:
            """Like ``multiprocessing.Pool``, but ``terminate()`` never hangs on a killed worker."""
            return BoundedPool(processes, initializer, initargs, maxtasksperchild, context=self.get_context())

        cls = _CONTEXT_CLASSES[name] = type(name, (base,), {"Pool": pool, "__module__": __name__})
    return cls()


_CONTEXT_CLASSES: dict[str, type] = {}
