"""What a Dask cluster's workers run in notebook 17: each an importable function, under every start method.

:func:`burn` computes, :func:`wait_job` waits, :func:`noop` does nothing (what is left is the machinery's cost),
:func:`payload_size` costs only the moving of its argument, and :func:`whereabouts` / :func:`slow_square` say
which process, thread and Dask worker ran them. ``distributed`` is imported only inside a worker.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from .engine.config import seconds


def burn(n: int) -> int:
    """CPU-bound: the sum of the squares of ``0 .. n-1``, in a pure-Python loop (holds the GIL)."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def wait_job(seconds: float) -> float:
    """Waiting work: sleep ``seconds`` (a stand-in for a network call) and return it."""
    time.sleep(seconds)
    return seconds


def noop(x: Any) -> Any:
    """No work at all: what is left of a task's time is the machinery's overhead."""
    return x


def payload_size(data: bytes) -> int:
    """The length of ``data``: a task whose cost is moving its argument to the worker."""
    return len(data)


def whereabouts(x: int, pause: float = 0.0) -> dict[str, Any]:
    """``x * x`` and who computed it: process id, thread, and the Dask worker's address.

    ``worker`` is ``""`` outside a Dask worker (in this kernel, or in a plain pool).
    ``pause`` seconds of sleep first, so that a batch spreads over every worker.
    """
    if pause:
        time.sleep(pause)
    address = ""
    try:
        from distributed import get_worker

        address = get_worker().address
    except (ImportError, ValueError):
        pass
    return {"x": x, "square": x * x, "pid": os.getpid(), "thread": threading.current_thread().name,
            "worker": address}


def slow_square(x: int) -> dict[str, Any]:
    """:func:`whereabouts` after a short pause (0.2 s, scaled), so a batch spreads over all workers."""
    return whereabouts(x, seconds(0.2))
