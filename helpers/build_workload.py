"""The workloads notebook 15 runs on both builds (GIL and free-threaded), standard library only.

This file is run as a script by *another* interpreter (``python3.14t`` beside a GIL ``python3.14``,
or the reverse), which has none of the course's packages: so it imports nothing but the standard
library, and :func:`helpers.free_threading.measure_build` passes its source with ``-c`` (so that no
folder of the course lands on that interpreter's ``sys.path``). It prints one JSON object:

* ``python``, ``free_threaded`` (``Py_GIL_DISABLED``), ``gil_enabled`` (``sys._is_gil_enabled()``);
* ``cpu``: one fixed amount of pure-Python work split over 1, 2, … threads: wall-clock seconds
  (best of ``repeats``) and the CPU seconds each thread used (``time.thread_time``);
* ``one_thread`` (wall-clock) and ``one_thread_cpu`` (that thread's CPU time): the same loop on one thread, best
  of ``repeats``: the single-thread cost of a build;
* ``race``: notebook 11's ``counter.value += 1`` on 4 threads, unlocked, started together: additions lost
  in each of 3 trials;
* ``memory``: resident memory added per idle thread (Linux's ``/proc/self/status``; None elsewhere).

Usage: ``python build_workload.py '{"threads": [1, 2], "work": 2000000, "repeats": 2}'``.
"""

from __future__ import annotations

import json
import sys
import sysconfig
import threading
import time
from typing import Any


def count_squares(start: int, stop: int) -> int:
    """Pure-Python CPU work: a plain ``for`` loop that nothing in C can speed up or release a lock for."""
    total = 0
    for number in range(start, stop):
        total += number * number % 7
    return total


def split_over_threads(work: int, threads: int) -> tuple[float, list[float]]:
    """``work`` loop turns shared by ``threads`` threads: (wall-clock seconds, CPU seconds of each thread)."""
    cpu = [0.0] * threads
    share = work // threads

    def one(index: int) -> None:
        begin = time.thread_time()
        count_squares(index * share, (index + 1) * share)
        cpu[index] = time.thread_time() - begin

    workers = [threading.Thread(target=one, args=(n,)) for n in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start, cpu


class Counter:
    """Notebook 11's shared counter (helpers.locks.Counter): one attribute, no lock."""

    def __init__(self) -> None:
        self.value = 0


def add_plainly(counter: Counter, times: int, ready: threading.Barrier | None = None) -> None:
    if ready is not None:
        ready.wait(10)  # every thread starts adding at the same moment: they overlap even on a busy machine
    for _ in range(times):
        counter.value += 1  # read, add, write: another thread may write in between


def lost_updates(threads: int = 4, times: int = 200_000, trials: int = 3) -> dict[str, Any]:
    """Notebook 11's race, ``trials`` times: additions lost in each (a busy machine may not overlap them every time)."""
    if __package__:  # imported from the course: a learner's call, checked. Run as a script by the other build's
        # Python (helpers.free_threading.measure_build), nothing of the course can be imported: its caller checked.
        from .engine import validate
        from .engine.config import MAX_THREADS

        validate.whole_number(threads, "threads", 1, MAX_THREADS)
        validate.whole_number(times, "times", 1, 10_000_000)
        validate.whole_number(trials, "trials", 1, 100)
    lost = []
    for _ in range(trials):
        counter = Counter()
        ready = threading.Barrier(threads)
        workers = [threading.Thread(target=add_plainly, args=(counter, times, ready)) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        lost.append(threads * times - counter.value)
    return {"threads": threads, "times": times, "expected": threads * times, "lost": lost}


def resident_kib() -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def memory_per_thread(threads: int = 50) -> float | None:
    """KiB of resident memory added per thread that has started and waits (stack pages touched, thread state)."""
    before = resident_kib()
    if before is None:
        return None
    release = threading.Event()
    started = threading.Barrier(threads + 1)

    def wait() -> None:
        count_squares(0, 1000)  # a little Python work, as a real thread would do
        started.wait(10)
        release.wait(10)

    workers = [threading.Thread(target=wait) for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        started.wait(10)
        after = resident_kib()
    finally:
        release.set()
        for worker in workers:
            worker.join(10)
    return None if after is None else round((after - before) / threads, 1)


def measure(threads: list[int], work: int, repeats: int, race_times: int) -> dict[str, Any]:
    gil_check = getattr(sys, "_is_gil_enabled", None)
    result: dict[str, Any] = {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil_enabled": True if gil_check is None else bool(gil_check()),
        "work": work,
    }
    count_squares(0, 10_000)  # warm up
    # Interleaved (1, 2, N, 1, 2, N, ...): a burst of load from another program hits every count alike.
    runs: dict[int, list[tuple[float, list[float]]]] = {count: [] for count in threads}
    for _ in range(repeats):
        for count in threads:
            runs[count].append(split_over_threads(work, count))
    cpu = {}
    for count in threads:
        wall, per_thread = min(runs[count])
        cpu[str(count)] = {"seconds": round(wall, 4), "thread_cpu": [round(x, 4) for x in per_thread]}
    result["cpu"] = cpu
    # One thread alone, no threading at all: the single-thread cost of this build.
    single, single_cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.thread_time()
        count_squares(0, work)
        single.append(time.perf_counter() - start)
        single_cpu.append(time.thread_time() - start_cpu)
    result["one_thread"] = round(min(single), 4)
    # CPU time hardly changes when other programs share the cores: the steadier figure on a busy machine.
    result["one_thread_cpu"] = round(min(single_cpu), 4)
    result["race"] = lost_updates(4, race_times)
    result["memory_kib_per_thread"] = memory_per_thread()
    result["gil_enabled_after"] = True if gil_check is None else bool(gil_check())
    return result


if __name__ == "__main__":
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    print(json.dumps(measure(list(options.get("threads", [1, 2])), int(options.get("work", 2_000_000)),
                             int(options.get("repeats", 3)), int(options.get("race_times", 200_000)))))
