"""Every function that runs in a thread or a child process, one per idea of the article.

They live in a module, not in notebook cells, because a child started with *spawn*
(Windows, macOS) or *forkserver* (Linux from Python 3.14) imports its target by name:
a function defined in a cell lives in the kernel's ``__main__`` and cannot be found.

Pauses are scaled by ``$COURSE_TIME_SCALE`` (see :mod:`helpers.config`); by default they
are the article's real seconds.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Protocol

from .config import seconds


class _Putter(Protocol):
    def put(self, item: Any) -> None: ...


class _Getter(Protocol):
    def get(self, block: bool = True, timeout: float | None = None) -> Any: ...
    def empty(self) -> bool: ...


# --- 01 What is a thread? / 06 Joining -------------------------------------------------

def print_numbers(count: int = 5, pause: float = 1.0) -> None:
    """Print ``Thread prints: 0`` … ``count - 1``, pausing ``pause`` s before each line."""
    for i in range(count):
        time.sleep(seconds(pause))
        print(f"Thread prints: {i}")


# --- 02 What is a process? / 06 Joining -------------------------------------------------

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


# --- 03 Threads for waiting work -------------------------------------------------------

def wait_and_print(name: str, pause: float = 1.0) -> None:
    """Wait ``pause`` s as if for a network reply, then say so."""
    time.sleep(seconds(pause))
    print(f"{name} finished waiting")


def wait_task(duration: float) -> float:
    """A task that only waits: sleeps ``duration`` s (already scaled) and returns it."""
    time.sleep(duration)
    return duration


# --- 04 Processes for CPU work ---------------------------------------------------------

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


# --- 05 Sharing data -------------------------------------------------------------------

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


def producer_with_sentinel(queue: _Putter, count: int = 5, pause: float = 0.0) -> None:
    """Put ``0 … count-1`` on ``queue`` (``pause`` s apart), then :data:`SENTINEL`."""
    for i in range(count):
        if pause:
            time.sleep(seconds(pause))
        queue.put(i)
        print(f"Produced {i}")
    queue.put(SENTINEL)


def consumer_until_sentinel(queue: _Getter, results: _Putter | None = None, timeout: float = 10.0) -> int:
    """Take items until :data:`SENTINEL`; never waits more than ``timeout`` s for one item.

    Returns how many items it consumed, and also puts that count on ``results`` if
    given (a child process cannot return a value to its parent).
    """
    consumed = 0
    while True:
        item = queue.get(timeout=timeout)
        if item is SENTINEL:
            break
        consumed += 1
        print(f"Consumed {item}")
    if results is not None:
        results.put(consumed)
    return consumed


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


# --- 06 Joining and stopping -----------------------------------------------------------

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


def sleep_for(duration: float) -> None:
    """Sleep ``duration`` s (unscaled): a child that outlives a short join timeout."""
    time.sleep(duration)


# --- 07 Processes that run threads -----------------------------------------------------

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


# --- failures, for the tests and the "what if a worker dies" demos --------------------

def fail_task(message: str) -> None:
    """A task that raises ``RuntimeError(message)``."""
    raise RuntimeError(message)


def exit_abruptly(code: int) -> None:
    """End the process at once with ``code``, skipping all clean-up (like a crash)."""
    os._exit(code)
