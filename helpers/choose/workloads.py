"""The reference workloads ``python -m helpers.choose`` is judged on (benchmark and tests).

Each is an importable function of one argument, the kind of function a learner brings:

* :func:`sleeping` – waits (``time.sleep``): threads or asyncio;
* :func:`fetching` – downloads a page from the course's local server (:mod:`helpers.local_server`);
* :func:`pure_python_loop` – a pure-Python loop (holds the GIL): processes;
* :func:`sha256_megabytes` – SHA-256 of MiB of data (hashlib lets go of the GIL): threads;
* :func:`numpy_matmul` – a NumPy matrix product (BLAS lets go of the GIL; limit its threads);
* :func:`tiny` – a task of about 50 µs: nothing pays for itself, one after another wins;
* :func:`allocate_megabytes` – returns a large ``bytes``: sending it back to a parent dominates;
* :func:`async_sleeping` – a coroutine function that waits: asyncio.
"""

from __future__ import annotations

import asyncio
import time

from ..gil_release import sha256_task
from ..workers import sum_of_squares

#: About how many numbers :func:`pure_python_loop` sums in a second on the course's 2-core machine.
NUMBERS_PER_SECOND = 20_000_000


def numbers_for(seconds: float) -> int:
    """How many numbers make one :func:`pure_python_loop` last about ``seconds`` here (measured now)."""
    if not 0 < seconds <= 60:
        raise ValueError(f"seconds must be more than 0 and at most 60; you gave {seconds!r}.")
    pure_python_loop(10_000)
    start = time.perf_counter()
    pure_python_loop(200_000)
    one = max(time.perf_counter() - start, 1e-6) / 200_000
    return max(1_000, int(seconds / one))


def megabytes_for(seconds: float) -> int:
    """How many MiB make one :func:`sha256_megabytes` last about ``seconds`` here (measured now)."""
    from ..gil_release import size_for

    return size_for("sha256", seconds)


def sleeping(seconds: float) -> float:
    """Wait ``seconds``; return them."""
    time.sleep(seconds)
    return seconds


async def async_sleeping(seconds: float) -> float:
    """Wait ``seconds`` with ``asyncio.sleep``; return them."""
    await asyncio.sleep(seconds)
    return seconds


def fetching(url: str) -> int:
    """Download ``url`` with the standard library; return the page's size in bytes."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as reply:
        return len(reply.read())


def pure_python_loop(numbers: int) -> int:
    """``0² + 1² + … + (numbers-1)²`` in a Python loop (about a second for 20 million here)."""
    return sum_of_squares(numbers)


def sha256_megabytes(megabytes: int) -> str:
    """SHA-256 of ``megabytes`` MiB, fed 1 MiB at a time (each update lets go of the GIL)."""
    return sha256_task(megabytes)


def numpy_matmul(size: int) -> float:
    """The product of two ``size`` × ``size`` matrices of float64; returns one element.

    NumPy's BLAS may start threads of its own: set ``OPENBLAS_NUM_THREADS=1`` (and
    ``OMP_NUM_THREADS=1``) before NumPy is imported to measure one core per call.
    """
    import numpy

    rng = numpy.random.default_rng(size)
    a, b = rng.random((size, size)), rng.random((size, size))
    return float((a @ b)[0, 0])


def tiny(numbers: int) -> int:
    """A task of a few tens of microseconds (``sum_of_squares`` of about 1 000 numbers)."""
    return sum_of_squares(numbers)


def allocate_megabytes(megabytes: int) -> bytes:
    """A new ``bytes`` of ``megabytes`` MiB, every byte written."""
    return b"\x5a" * (megabytes << 20)
