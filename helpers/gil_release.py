"""Work done in C that lets go of the GIL, and work that does not, measured on threads.

A thread that calls into C code which *releases the GIL* (``Py_BEGIN_ALLOW_THREADS``)
lets the other threads run Python meanwhile, and other threads in that C code run on
other cores at the same time. ``hashlib`` does so for data over 2047 bytes, ``zlib`` and
``bz2`` while they compress; a Python loop, ``json.dumps`` and ``sorted`` never do.

Every task here takes a size in **mebibytes (MiB)** of data to process, so tasks of the
same size are comparable, and uses buffers built once per process (no allocation inside
the timed part). :func:`measure_scaling` is the measurement behind notebook 14 and the
benchmark ``benchmarks/bench_gil_release.py``: the same work one task after another on
one thread, then split over ``threads`` threads, best of ``repeats``.
"""

from __future__ import annotations

import bz2
import hashlib
import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from .engine import validate
from .engine.task_kinds import TaskKind

MIB = 1 << 20
#: Largest task, in MiB: a few seconds of hashing on a slow core; never a memory problem
#: (the buffers are 1 MiB and reused).
MAX_MEGABYTES = 4096
#: Most threads :func:`measure_scaling` starts.
MAX_THREADS = 16
#: Most repeats of a measurement.
MAX_REPEATS = 10


def _check_megabytes(megabytes: object) -> int:
    return validate.whole_number(megabytes, "A task's size in MiB", 1, MAX_MEGABYTES)


@cache
def random_block() -> bytes:
    """1 MiB of pseudo-random bytes (seeded: the same in every process), for hashing."""
    rng = random.Random(14)
    return rng.randbytes(MIB) if hasattr(rng, "randbytes") else bytes(rng.getrandbits(8) for _ in range(MIB))


@cache
def text_block() -> bytes:
    """1 MiB of log-like text: compressible, so zlib and bz2 have real work to do."""
    lines = b"".join(b"%06d INFO worker-%d finished job %d in %d ms\n" % (i, i % 7, i * 31 % 9973, i * i % 977)
                     for i in range(30_000))
    return (lines * 2)[:MIB]


@cache
def json_block() -> list[dict[str, object]]:
    """Records whose ``json.dumps`` is about 1 MiB."""
    return [{"id": i, "name": f"item-{i}", "tags": ["a", "b"], "price": i * 0.25} for i in range(15_000)]


# --- tasks (run in threads or processes: importable, size in MiB) ------------------------

def _hash(digest: Any, megabytes: int) -> str:
    block = random_block()
    for _ in range(_check_megabytes(megabytes)):
        digest.update(block)
    return digest.hexdigest()


def sha256_task(megabytes: int) -> str:
    """SHA-256 of ``megabytes`` MiB of data, fed 1 MiB at a time; returns the hex digest.

    hashlib releases the GIL for each ``update()`` of more than 2047 bytes.
    """
    return _hash(hashlib.sha256(), megabytes)


def sha256_small_pieces_task(megabytes: int) -> str:
    """SHA-256 of the same data as :func:`sha256_task`, fed 1 KiB at a time.

    Pieces of 2047 bytes or less are hashed *without* releasing the GIL (letting go and
    taking it back would cost more than hashing them), so this one takes turns on threads.
    """
    view = memoryview(random_block())
    digest = hashlib.sha256()
    for _ in range(_check_megabytes(megabytes)):
        for start in range(0, MIB, 1024):
            digest.update(view[start:start + 1024])
    return digest.hexdigest()


def blake2b_task(megabytes: int) -> str:
    """BLAKE2b of ``megabytes`` MiB, 1 MiB at a time (also releases the GIL)."""
    return _hash(hashlib.blake2b(), megabytes)


def zlib_task(megabytes: int) -> int:
    """``zlib.compress`` ``megabytes`` times 1 MiB of text; returns the total compressed size."""
    block = text_block()
    return sum(len(zlib.compress(block, 6)) for _ in range(_check_megabytes(megabytes)))


def bz2_task(megabytes: int) -> int:
    """``bz2.compress`` ``megabytes`` times 1 MiB of text; returns the total compressed size."""
    block = text_block()
    return sum(len(bz2.compress(block, 9)) for _ in range(_check_megabytes(megabytes)))


def json_task(megabytes: int) -> int:
    """``json.dumps`` about ``megabytes`` MiB of records; returns the number of characters written."""
    records = json_block()
    return sum(len(json.dumps(records)) for _ in range(_check_megabytes(megabytes)))


def python_task(megabytes: int) -> int:
    """A pure-Python loop over ``megabytes`` MiB of bytes, a checksum computed byte by byte.

    The same data as :func:`sha256_task`, but every step is Python bytecode: the GIL is
    held throughout (about 40× slower than hashing, so it reads a 16th of each block).
    """
    block = random_block()[: MIB // 16]
    total = 0
    for _ in range(_check_megabytes(megabytes)):
        for byte in block:
            total = (total * 31 + byte) & 0xFFFFFFFF
    return total


def numpy_sort_task(megabytes: int) -> float:
    """``numpy.sort`` of 1 MiB of float64 numbers, ``megabytes`` times; returns the last median.

    NumPy is not a dependency of the course (matplotlib brings it in): raises ``ImportError``
    with a clear message when it is missing. NumPy's sort releases the GIL for plain numbers.
    """
    try:
        import numpy
    except ImportError as exc:
        raise ImportError("numpy is not installed in this Python: the NumPy measurement is skipped.") from exc
    values = _numpy_block()
    middle = 0.0
    for _ in range(_check_megabytes(megabytes)):
        middle = float(numpy.sort(values)[len(values) // 2])
    return middle


@cache
def _numpy_block() -> Any:
    import numpy

    return numpy.random.default_rng(14).random(MIB // 8)


def has_numpy() -> bool:
    """True when ``numpy`` can be imported here."""
    import importlib.util

    return importlib.util.find_spec("numpy") is not None


#: The tasks by name, with whether their C code releases the GIL (what the measurement shows).
TASKS: dict[str, Callable[[int], object]] = {
    "sha256": sha256_task,
    "sha256-1KiB": sha256_small_pieces_task,
    "blake2b": blake2b_task,
    "zlib": zlib_task,
    "bz2": bz2_task,
    "json": json_task,
    "python": python_task,
    "numpy-sort": numpy_sort_task,
}


# --- the measurement -----------------------------------------------------------------------

@dataclass
class Scaling:
    """One task kind, the same work on one thread and on ``threads`` threads (best of the repeats)."""

    name: str
    threads: int
    megabytes: int
    one_thread: float
    many_threads: float
    #: "threads", or "processes" for the control run (same work, no GIL shared)
    mode: str = "threads"

    @property
    def speedup(self) -> float:
        return self.one_thread / self.many_threads

    def summary(self) -> str:
        return (f"{self.name:>11}: {self.threads} tasks of {self.megabytes} MiB, one thread {self.one_thread:.3f} s, "
                f"{self.threads} {self.mode} {self.many_threads:.3f} s -> ×{self.speedup:.2f}")


def measure_scaling(name: str, *, threads: int = 2, megabytes: int = 16, repeats: int = 3,
                    timeout: float = 120.0, mode: str = "threads") -> Scaling:
    """Time ``threads`` tasks of ``megabytes`` MiB one after another, then on ``threads`` threads.

    ``mode="processes"`` runs the second half on that many processes instead: the control
    that says whether the machine has that many free cores at all (no GIL is shared).

    ``name`` is a key of :data:`TASKS`. Both runs go through :func:`helpers.engine.harness.run`
    (``mode="sequential"`` and ``mode="threads"``), alternately, ``repeats`` times; the best
    of each is kept (the run least disturbed by other programs). Raises ``ValueError`` for a
    bad argument before anything runs.
    """
    from .engine.harness import run

    if name not in TASKS:
        raise ValueError(f"name={name!r} is not one of {', '.join(TASKS)}.")
    if mode not in ("threads", "processes"):
        raise ValueError(f"mode must be 'threads' or 'processes', not {mode!r}.")
    validate.whole_number(threads, "threads", 1, MAX_THREADS)
    _check_megabytes(megabytes)
    validate.whole_number(repeats, "repeats", 1, MAX_REPEATS)
    task = TASKS[name]
    task(1)  # build the buffers outside the timed runs
    inputs = [megabytes] * threads
    one, many = [], []
    for _ in range(repeats):
        one.append(run(task, inputs, mode="sequential", timeout=timeout).elapsed)
        many.append(run(task, inputs, mode=mode, workers=threads, timeout=timeout).elapsed)
    return Scaling(name, threads, megabytes, min(one), min(many), mode)


def size_for(name: str, seconds: float) -> int:
    """How many MiB make one task of ``name`` last about ``seconds`` here (measured, at least 1)."""
    import time

    if name not in TASKS:
        raise ValueError(f"name={name!r} is not one of {', '.join(TASKS)}.")
    if not 0 < seconds <= 60:
        raise ValueError(f"seconds must be more than 0 and at most 60; you gave {seconds!r}.")
    task = TASKS[name]
    task(1)  # build the buffers first
    calls, start = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - start < 0.03:  # several calls: one alone is too noisy
        task(1)
        calls += 1
    one = max((time.perf_counter() - start) / calls, 1e-6)
    return max(1, min(MAX_MEGABYTES, round(seconds / one)))


def measure_all(*, threads: int = 2, seconds: float = 0.5, repeats: int = 3) -> dict[str, Scaling]:
    """:func:`measure_scaling` for every task kind (NumPy's only if installed), each task about ``seconds`` long.

    What ``benchmarks/bench_gil_release.py`` prints; ``helpers.bench`` may call it too.
    """
    return {name: measure_scaling(name, threads=threads, megabytes=size_for(name, seconds), repeats=repeats)
            for name in TASKS if name != "numpy-sort" or has_numpy()}


#: The panel's task kinds (``LivePanel("sha256", size=...)``, size in MiB): one lets go of the GIL, the other
#: holds it, for the same bytes. Rough one-core costs, measured on the 2-core development machine.
SHA256 = TaskKind("sha256", sha256_task, "MiB each", MAX_MEGABYTES, seconds_per_unit=0.0005, releases_gil=True)
PYTHON = TaskKind("python", python_task, "MiB each", MAX_MEGABYTES, seconds_per_unit=0.003)


def task_kinds() -> tuple[TaskKind, ...]:
    """The task kinds this module offers :class:`helpers.panels.panel.LivePanel`, by value or by name."""
    return (SHA256, PYTHON)


def add_to_panel() -> tuple[TaskKind, ...]:
    """Offer ``"sha256"`` and ``"python"`` as task kinds of :class:`helpers.panels.panel.LivePanel`.

    The panel finds them by name through :func:`task_kinds`; this returns them (kept for notebook 14).
    """
    return task_kinds()
