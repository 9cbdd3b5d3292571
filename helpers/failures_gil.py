"""The GIL's hidden costs (notebook 20): how late a waiting thread wakes beside a busy one, and a race's window.

Standard library only, and no import from the rest of ``helpers``: the file also runs as a script in another
Python (``python3.14t helpers/failures_gil.py convoy``), so the free-threaded build can be measured from a
kernel that has the GIL. Thread targets: :func:`spin` (CPU-bound until told to stop), :func:`add_in_steps`
(a read-then-write increment with a call between the two).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

#: The situations :func:`convoy` measures, in order.
SITUATIONS = ("alone", "beside a busy thread", "beside a busy thread, switch interval 0.5 ms")


def spin(stop: threading.Event) -> int:
    """Compute (pure Python) until ``stop`` is set; return how many rounds it did."""
    rounds = 0
    while not stop.is_set():
        for _ in range(1000):
            rounds += 1
    return rounds


def _check_number(value: Any, name: str, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low} to {high}; you gave {value!r}.")


def wake_up_lateness(pause: float = 0.002, wakeups: int = 60, busy_threads: int = 0,
                     switch_interval: float | None = None) -> list[float]:
    """How late (s) a thread wakes from ``time.sleep(pause)``, ``wakeups`` times, with ``busy_threads``
    threads running :func:`spin` beside it. ``switch_interval`` sets ``sys.setswitchinterval`` for the
    measurement (restored afterwards). The busy threads are stopped and joined on every exit path.
    """
    _check_number(pause, "pause", 0.0001, 1.0)
    _check_number(wakeups, "wakeups", 1, 10_000)
    _check_number(busy_threads, "busy_threads", 0, 64)
    if switch_interval is not None:
        _check_number(switch_interval, "switch_interval", 1e-6, 1.0)
    before = sys.getswitchinterval()
    stop = threading.Event()
    busy = [threading.Thread(target=spin, args=(stop,), name=f"busy-{i}") for i in range(int(busy_threads))]
    lateness: list[float] = []

    def wait_and_wake() -> None:
        for _ in range(int(wakeups)):
            start = time.perf_counter()
            time.sleep(pause)
            lateness.append(time.perf_counter() - start - pause)

    waiter = threading.Thread(target=wait_and_wake, name="waiter")
    try:
        if switch_interval is not None:
            sys.setswitchinterval(switch_interval)
        for thread in busy:
            thread.start()
        time.sleep(0.01)  # the busy threads are running before the waiter starts
        waiter.start()
        waiter.join(timeout=60)
    finally:
        stop.set()
        for thread in busy:
            thread.join(timeout=10)
        sys.setswitchinterval(before)
    return lateness


def convoy(pause: float = 0.002, wakeups: int = 60) -> dict[str, float]:
    """Median wake-up lateness in ms for each of :data:`SITUATIONS`, in this Python."""
    settings = {SITUATIONS[0]: (0, None), SITUATIONS[1]: (1, None), SITUATIONS[2]: (1, 0.0005)}
    return {label: statistics.median(wake_up_lateness(pause, wakeups, busy, interval)) * 1000
            for label, (busy, interval) in settings.items()}


# --- a race with a window ----------------------------------------------------------------------

class Counter:
    """A plain object with a ``value``: shared by threads without a lock, on purpose."""

    def __init__(self) -> None:
        self.value = 0


def add_in_steps(counter: Counter, times: int, start_together: threading.Barrier | None = None) -> None:
    """``times`` increments as read, compute, write: another thread may write in between (a lost update).
    ``start_together``: a barrier all the racing threads wait at (10 s at most) before the first increment."""
    if start_together is not None:
        start_together.wait(timeout=10)
    for _ in range(times):
        seen = counter.value
        seen = plus_one(seen)  # a call: a point where the interpreter may switch threads
        counter.value = seen


def plus_one(n: int) -> int:
    """``n + 1``: a function call between a read and a write opens a window for a thread switch."""
    return n + 1


def lost_updates(threads: int = 4, times: int = 20_000, switch_interval: float | None = None) -> int:
    """Updates lost when ``threads`` threads run :func:`add_in_steps` on one counter (0: none lost)."""
    _check_number(threads, "threads", 2, 64)
    _check_number(times, "times", 1, 10_000_000)
    if switch_interval is not None:
        _check_number(switch_interval, "switch_interval", 1e-6, 1.0)
    before = sys.getswitchinterval()
    counter = Counter()
    barrier = threading.Barrier(int(threads))
    workers = [threading.Thread(target=add_in_steps, args=(counter, int(times), barrier)) for _ in range(int(threads))]
    try:
        if switch_interval is not None:
            sys.setswitchinterval(switch_interval)
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    finally:
        sys.setswitchinterval(before)
    return int(threads) * int(times) - counter.value


def stress(trials: int, threads: int = 4, times: int = 20_000, switch_interval: float | None = None) -> list[int]:
    """:func:`lost_updates` ``trials`` times: the lost updates of each trial (a stress loop)."""
    _check_number(trials, "trials", 1, 1000)
    return [lost_updates(threads, times, switch_interval) for _ in range(int(trials))]


# --- another Python ----------------------------------------------------------------------------

def gil_enabled() -> bool:
    """Is the GIL on in this process now? (always True before 3.13)"""
    return getattr(sys, "_is_gil_enabled", lambda: True)()


def find_free_threaded_python() -> str | None:
    """A free-threaded Python to run as a child: ``$COURSE_FT_PYTHON``, ``python3.14t`` / ``python3.13t`` on the
    PATH, or ``/opt/ft-python/bin/python3.14t``; ``None`` when there is none."""
    candidates = [os.environ.get("COURSE_FT_PYTHON"), shutil.which("python3.14t"), shutil.which("python3.13t"),
                  "/opt/ft-python/bin/python3.14t"]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def measure_in(python: str, what: str, timeout: float = 60.0) -> dict[str, Any]:
    """Run this file in ``python`` (``what``: ``"convoy"`` or ``"race"``) and return its JSON answer, which
    includes ``"gil"`` (whether that Python's GIL was on) and ``"version"``. The child is killed after
    ``timeout`` s; RuntimeError when it fails."""
    if what not in ("convoy", "race"):
        raise ValueError(f"what must be 'convoy' or 'race'; you gave {what!r}.")
    if not isinstance(python, str) or not os.path.isfile(python):
        raise ValueError(f"python must be the path of a Python executable; you gave {python!r}.")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHON_GIL")}
    done = subprocess.run([python, os.path.abspath(__file__), what], capture_output=True, text=True,
                          timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{python} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _main(what: str) -> None:
    found: dict[str, Any] = {"version": sys.version.split()[0], "gil": gil_enabled()}
    if what == "convoy":
        found["lateness_ms"] = convoy()
    else:
        found["lost"] = {"default": stress(5), "1e-6": stress(5, switch_interval=1e-6)}
    print(json.dumps(found))


if __name__ == "__main__":
    _main(sys.argv[1] if len(sys.argv) > 1 else "convoy")
