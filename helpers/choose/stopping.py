"""Stopping a call that never returns, in this process (the probe runs it on a harness thread).

A thread cannot be killed. :func:`stop_stuck_threads` asks each harness worker thread still
running to stop by raising ``SystemExit`` in it (``PyThreadState_SetAsyncExc``, CPython's
C API: it is raised at the thread's next Python instruction), and says what it could do: a thread
stuck inside C code (a sleep, a socket read) only sees it when that call returns. The command line
ends its process anyway; in a notebook the sentence tells the learner whether to restart the kernel.
"""

from __future__ import annotations

import ctypes
import threading
import time

#: Names of the harness's worker threads (helpers.harness: "sequential-N", "thread-N").
HARNESS_THREADS = ("sequential-", "thread-")
#: How long to wait for the asked threads to end.
GRACE = 1.0


def stop_stuck_threads(grace: float = GRACE) -> str:
    """Raise ``SystemExit`` in every live harness worker thread; a sentence on the outcome.

    ``SystemExit``, exactly: the harness's task loop catches only ``Exception``, and ``threading``
    ends a thread quietly on ``SystemExit`` (``threading.excepthook`` compares the type with ``==``).
    """
    stuck = [t for t in threading.enumerate()
             if t.daemon and t.is_alive() and t.name.startswith(HARNESS_THREADS) and t.ident is not None]
    if not stuck:
        return "its thread has ended."
    for thread in stuck:
        if thread.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(SystemExit))
    deadline = time.perf_counter() + grace
    for thread in stuck:
        thread.join(max(0.0, deadline - time.perf_counter()))
    alive = [t for t in stuck if t.is_alive()]
    if not alive:
        return "its thread was stopped."
    return ("its thread is still inside a C call and cannot be stopped from Python: in a notebook, restart "
            "the kernel (a command-line run ends with its process).")
