"""The functions the article's notebooks (00-09) run in a thread or a child process, one per idea.

The later subjects keep theirs beside their subject (``helpers.executors``, ``helpers.locks``,
``helpers.data_transfer``, ``helpers.fetching``, ``helpers.gil_release``, ``helpers.interpreters``,
``helpers.cluster``, ...); the panel's two built-in task kinds, :data:`WAIT` and :data:`COMPUTE`, are here.

They live in a module, not in notebook cells, because a child started with *spawn*
(Windows, macOS) or *forkserver* (Linux from Python 3.14) imports its target by name:
a function defined in a cell lives in the kernel's ``__main__`` and cannot be found.

Durations, by name and type (see :mod:`helpers.engine.config`):

* a parameter called ``pause`` is in *course seconds*: the worker scales it by
  ``$COURSE_TIME_SCALE`` (``seconds(pause)``) where it sleeps; by default that is the article's
  real seconds;
* a parameter typed :data:`~helpers.engine.config.ScaledSeconds` (called ``duration``) is slept as
  given: the caller scaled it already (``helpers.seconds(1.0)``), or means real seconds;
* ``tick`` and ``limit`` in :func:`wait_until_stopped` are real seconds (a poll interval and a
  safety limit, not part of what the demo shows).

Families: the article's printing workers (``producer``, ``consumer``, ``add_items``, …) stay the
plain code the notebooks show with ``show_source``; the measurements use one quiet family
(:func:`put_numbers`, :func:`count_while_not_empty`, :func:`count_until_sentinel`,
:func:`append_timed`) with the same loops, counting instead of printing.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, NamedTuple, Protocol

from .engine.config import ScaledSeconds, seconds
from .engine.task_kinds import TaskKind


class _Putter(Protocol):
    def put(self, item: Any) -> None: ...


class _Getter(Protocol):
    def get(self, block: bool = True, timeout: float | None = None) -> Any: ...
    def empty(self) -> bool: ...


# --- threads: the first example -------------------------------------------------------------

def print_numbers(count: int = 5, pause: float = 1.0) -> None:
    """Print ``Thread prints: 0`` … ``count - 1``, pausing ``pause`` s before each line."""
    for i in range(count):
        time.sleep(seconds(pause))
        print(f"Thread prints: {i}")


# --- processes: the first example -----------------------------------------------------------

def print_letters(letters: str = "ABCDE", pause: float = 1.0) -> None:
    """Print ``Process prints: A`` … for each letter, pausing ``pause`` s before each line."""
    for letter in letters:
        time.sleep(seconds(pause))
        print(f"Process prints: {letter}")


def report_pid(label: str = "child") -> int:
    """Print and return this process's id and its parent's: proof of which process ran."""
    pid, parent = os.getpid(), os.getppid()
    print(f"{label}: pid {pid}, parent pid {parent}")
    return pid


# --- waiting work ---------------------------------------------------------------------------

def wait_and_print(name: str, pause: float = 1.0) -> None:
    """Wait ``pause`` s as if for a network reply, then say so."""
    time.sleep(seconds(pause))
    print(f"{name} finished waiting")


def wait_task(duration: ScaledSeconds) -> ScaledSeconds:
    """A task that only waits: sleeps ``duration`` s (already scaled) and returns it."""
    time.sleep(duration)
    return duration


# --- computing work -------------------------------------------------------------------------

def sum_of_squares(number: int) -> int:
    """``0² + 1² + … + (number-1)²``, computed the slow, CPU-bound way on purpose."""
    return sum(i * i for i in range(number))


def heavy_math(number: int) -> int:
    """The article's CPU-bound worker: compute :func:`sum_of_squares` and print it."""
    result = sum_of_squares(number)
    print(f"Sum of squares up to {number} is {result}")
    return result


def compute_task(number: int) -> int:
    """A task that only computes (no printing): the harness's CPU-bound workload."""
    return sum_of_squares(number)


# --- sharing data ---------------------------------------------------------------------------

def add_items(shared: list[int], count: int = 5) -> None:
    """Append ``0 … count-1`` to ``shared``: works across threads, which share memory."""
    for i in range(count):
        shared.append(i)
        print(f"Thread added {i}")


def producer(queue: _Putter, count: int = 5) -> None:
    """Put ``0 … count-1`` on ``queue``."""
    for i in range(count):
        queue.put(i)
        print(f"Produced {i}")


def consumer(queue: _Getter) -> None:
    """The article's consumer: read until the queue *looks* empty.

    Racy when the producer is still running: ``empty()`` can be true between two
    ``put`` calls, and the consumer stops early. Notebook 05 measures how often.
    """
    while not queue.empty():
        item = queue.get()
        print(f"Consumed {item}")


#: Put on a queue to say "no more items": the robust way to end a consumer.
SENTINEL = None


def list_producer(data: list[int], count: int = 5, pause: float = 0.5) -> None:
    """Append to a plain list passed in: in a child process, this is the child's own copy."""
    for i in range(count):
        data.append(i)
        print(f"Producer added {i}")
        time.sleep(seconds(pause))
    print(f"Producer's own list: {data}")


def list_consumer(data: list[int], pause: float = 3.0) -> None:
    """Wait ``pause`` s (long enough for :func:`list_producer`), then print what it sees."""
    time.sleep(seconds(pause))
    print("Consumer sees:", data)


def add_numbers(shared: Any, count: int = 5) -> None:
    """Append ``0 … count-1`` to ``shared`` (e.g. a ``Manager().list()`` proxy)."""
    for i in range(count):
        shared.append(i)
        print(f"Added {i}")


def read_numbers(shared: Any) -> None:
    """Print every item of ``shared``."""
    for number in shared:
        print(f"Read {number}")


def unsafe_increment(box: list[int], times: int) -> None:
    """Add 1 to ``box[0]`` ``times`` times with a gap between read and write: loses updates.

    ``time.sleep(0)`` lets another thread run between the read and the write, which is
    exactly when a lost update happens. Without it modern CPython rarely switches there.
    """
    for _ in range(times):
        value = box[0]
        time.sleep(0)
        box[0] = value + 1


def safe_increment(box: list[int], lock: threading.Lock, times: int) -> None:
    """Like :func:`unsafe_increment`, but the read-modify-write holds ``lock``."""
    for _ in range(times):
        with lock:
            value = box[0]
            time.sleep(0)
            box[0] = value + 1


def plain_increment(box: list[int], times: int) -> None:
    """Add 1 to ``box[0]`` ``times`` times with ``box[0] += 1``: a read-modify-write, unlocked.

    Racy in principle; in practice CPython 3.10-3.13 hands the GIL to another thread only
    at a call or a loop's jump back, never between this statement's read and its write,
    so nothing is lost. Notebook 05 measures that, then forces the switch with
    :func:`unsafe_increment`.
    """
    for _ in range(times):
        box[0] += 1


def put_numbers(queue: _Putter, count: int, pause: float = 0.0, end_with_sentinel: bool = True) -> None:
    """Put ``0 … count-1`` on ``queue`` without printing, ``pause`` s (scaled) before each.

    Then :data:`SENTINEL`, unless ``end_with_sentinel`` is false. Quiet, so that hundreds or
    thousands of items can be sent without burying the cell in output.
    """
    for i in range(count):
        if pause:
            time.sleep(seconds(pause))
        queue.put(i)
    if end_with_sentinel:
        queue.put(SENTINEL)


def count_while_not_empty(queue: _Getter, results: _Putter) -> int:
    """The article's consumer loop (``while not queue.empty()``), counting instead of printing.

    Puts the count on ``results`` and returns it. Racy when the producer is still running.
    """
    consumed = 0
    while not queue.empty():
        queue.get()
        consumed += 1
    results.put(consumed)
    return consumed


def count_until_sentinel(queue: _Getter, results: _Putter, timeout: float = 10.0) -> int:
    """Take items until :data:`SENTINEL`, counting them; puts the count on ``results``.

    Never waits more than ``timeout`` s for one item (``queue.Empty`` is raised then): a
    producer that died without sending the sentinel cannot hang the consumer forever.
    """
    consumed = 0
    while queue.get(timeout=timeout) is not SENTINEL:
        consumed += 1
    results.put(consumed)
    return consumed


def append_timed(shared: Any, count: int, results: _Putter | None = None) -> float:
    """Append ``0 … count-1`` to ``shared`` without printing; return the seconds it took.

    The time is also put on ``results`` if given: a child process cannot return a value.
    Used to measure what one append costs on a plain list and on a ``Manager().list()``.
    """
    start = time.perf_counter()
    for i in range(count):
        shared.append(i)
    elapsed = time.perf_counter() - start
    if results is not None:
        results.put(elapsed)
    return elapsed


# --- joining and stopping -------------------------------------------------------------------

def wait_until_stopped(stop: threading.Event, tick: float = 0.1, limit: float = 30.0) -> int:
    """Work in small steps until ``stop`` is set (or ``limit`` s pass); return the steps done.

    A thread cannot be killed from outside; this is how it is stopped instead.
    """
    steps = 0
    deadline = time.monotonic() + limit
    while not stop.is_set() and time.monotonic() < deadline:
        stop.wait(tick)
        steps += 1
    print(f"Stopped cleanly after {steps} steps")
    return steps


def sleep_for(duration: ScaledSeconds) -> None:
    """Sleep ``duration`` s as given (not scaled again): a child that outlives a short join timeout."""
    time.sleep(duration)


# --- processes that run threads -------------------------------------------------------------

def handle_io_task(name: str, pause: float = 1.0) -> None:
    """A waiting task run by a thread inside a process."""
    time.sleep(seconds(pause))
    print(f"Thread {name} inside process {os.getpid()} finished I/O")


def process_with_threads(process_name: str, thread_names: str = "ABC", pause: float = 1.0) -> None:
    """Start one thread per letter of ``thread_names``, each running :func:`handle_io_task`."""
    print(f"Process {process_name} (pid {os.getpid()}) starting threads")
    threads = [
        threading.Thread(target=handle_io_task, args=(f"{process_name}-{t}", pause))
        for t in thread_names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"Process {process_name} done with threads")


class ThreadSpan(NamedTuple):
    """When one thread of one process was busy, as sent back by :func:`process_with_threads_reporting`.

    ``start`` and ``end`` are ``time.perf_counter()`` readings taken in the child. That clock
    is system-wide on Linux, macOS and Windows, so the parent can put spans from several
    processes on one time axis by subtracting its own ``perf_counter()`` reading.
    """

    process: str
    pid: int
    thread: str
    start: float
    end: float


def _timed_io_task(name: str, pause: float, spans: _Putter, process_name: str) -> None:
    """:func:`handle_io_task`'s wait, without the print, reported as a :class:`ThreadSpan`."""
    start = time.perf_counter()
    time.sleep(seconds(pause))
    spans.put(ThreadSpan(process_name, os.getpid(), name, start, time.perf_counter()))


def process_with_threads_reporting(process_name: str, spans: _Putter, thread_names: str = "ABC",
                                   pause: float = 1.0) -> None:
    """:func:`process_with_threads`, silent, sending a :class:`ThreadSpan` per thread to ``spans``.

    One span per letter of ``thread_names`` (thread ``"<process_name>-<letter>"``), then one
    for the process's own main thread, from before it started its threads to after it had
    joined them: ``len(thread_names) + 1`` spans in all. ``spans`` is a queue
    (``multiprocessing.Queue`` for a child process); the parent must take them off it before
    it joins the child.
    """
    start = time.perf_counter()
    threads = [
        threading.Thread(target=_timed_io_task, name=f"{process_name}-{t}",
                         args=(f"{process_name}-{t}", pause, spans, process_name))
        for t in thread_names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spans.put(ThreadSpan(process_name, os.getpid(), threading.current_thread().name, start, time.perf_counter()))


# --- a mixed job (the capstone) -------------------------------------------------------------

#: A task of the capstone job: ``("wait", duration)`` with a :data:`ScaledSeconds` duration, or ``("compute", n)``.
JobTask = tuple[str, float]


def job_task(task: JobTask) -> float:
    """Do one task of a mixed job: wait ``seconds`` (returns them) or compute ``sum_of_squares(n)``.

    Raises ``ValueError`` for any other kind, so a typo fails loudly instead of doing nothing.
    """
    kind, size = task
    if kind == "wait":
        return wait_task(ScaledSeconds(float(size)))  # the job's maker scaled it (exercises.mixed_work)
    if kind == "compute":
        return sum_of_squares(int(size))
    raise ValueError(f"a job task is ('wait', seconds) or ('compute', n), not {task!r}")


# --- failures, for the tests and the "what if a worker dies" demos --------------------------

def fail_task(message: str) -> None:
    """A task that raises ``RuntimeError(message)``."""
    raise RuntimeError(message)


def exit_abruptly(code: int) -> None:
    """End the process at once with ``code``, skipping all clean-up (like a crash)."""
    os._exit(code)


# --- the panel's two built-in task kinds (helpers.panels.panel.LivePanel("wait") / ("compute")) -----------

#: Roughly how long ``sum(i*i for i in range(n))`` takes per number on one core, for the panel's estimate.
SECONDS_PER_NUMBER = 5e-8
#: Each task sleeps ``size`` seconds.
WAIT = TaskKind("wait", wait_task, "seconds each", 10.0, None)
#: Each task sums ``size`` squares.
COMPUTE = TaskKind("compute", compute_task, "numbers each", 30_000_000, SECONDS_PER_NUMBER)
