"""Computing work: speed-up against workers for threads, processes (per start method) and interpreters.

The same tasks (``sum_of_squares`` of a size calibrated on this machine, so that all of
them one after another take about ``plan.sweep_seconds``) run one after another, then on
1, 2, 4 … workers.
Speed-up = sequential elapsed / elapsed; efficiency = speed-up / min(workers, usable
cores), i.e. the share of the cores that could help which did. Processes and
interpreters include their start: that is what a learner waits for. Every run goes
through :func:`helpers.engine.harness.run`, the notebooks' harness, except interpreters, which it
does not know (yet). The best of ``plan.repeats`` runs is kept.

The sweep's tasks are short on a many-core machine (its cost grows with the number of
worker counts, not of cores); the budget is judged on a separate run of *large* tasks:
``2 × usable cores`` tasks of ``plan.large_task_seconds`` on ``usable cores`` processes,
long enough that starting the processes is a small part of it (:func:`measure_large_tasks`).

Also here: hashlib on threads, C code that releases the GIL (:func:`measure_hashlib`).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from typing import Any

from ..engine.harness import run
from ..workers import compute_task
from . import interpreters
from ..gil_release import sha256_task


def best_elapsed(repeats: int, timed: Callable[[], float]) -> float:
    """The shortest of ``repeats`` timings: the one least disturbed by the rest of the machine."""
    return min(timed() for _ in range(max(1, repeats)))


def sequential_run(func: Callable[[Any], Any], inputs: list[Any]) -> tuple[float, float]:
    """Elapsed seconds of the tasks one after another, and the share of one core this process got meanwhile.

    On an idle machine the share is close to 1; well below it, other programs were taking
    the core, and every speed-up measured against this baseline is suspect.
    """
    cpu = time.process_time()
    elapsed = run(func, inputs, mode="sequential").elapsed
    return elapsed, (time.process_time() - cpu) / elapsed


def best_sequential(repeats: int, func: Callable[[Any], Any], inputs: list[Any]) -> tuple[float, float]:
    """The shortest of ``repeats`` sequential runs, with its share of a core."""
    return min(sequential_run(func, inputs) for _ in range(max(1, repeats)))


def calibrate(task: Callable[[int], Any], probe: int, target: float, *, step: int = 1) -> int:
    """The size for which ``task(size)`` takes about ``target`` seconds here, now (median of 3 probes, linear).

    The median, not the best: on a busy machine tasks then take about ``target`` seconds of
    wall time as the machine is, so a run's length stays bounded.
    """
    took = statistics.median(_time_call(task, probe) for _ in range(3))
    size = probe * target / max(took, 1e-9)
    return max(step, int(round(size / step)) * step)


def _time_call(task: Callable[[int], Any], size: int) -> float:
    start = time.perf_counter()
    task(size)
    return time.perf_counter() - start


def task_count(workers: tuple[int, ...], usable: int, most: int = 64) -> int:
    """Tasks per run: a multiple of every worker count where possible, at least two per usable core."""
    count = math.lcm(*workers)
    if count > most:
        count = max(workers)
    while count < 2 * usable:
        count *= 2
    return count


def speedup_row(kind: str, method: str | None, workers: int, elapsed: float, sequential: float,
                usable: int) -> dict[str, Any]:
    speedup = sequential / elapsed
    return {"kind": kind, "method": method, "workers": workers, "elapsed": elapsed, "speedup": speedup,
            "efficiency": speedup / min(workers, usable)}


def measure_computing(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """Sequential, then threads, processes per start method and interpreters at each worker count."""
    tasks = task_count(plan.workers, plan.usable)
    note("calibrating the task size")
    size = calibrate(compute_task, 200_000, plan.sweep_seconds / tasks, step=1000)
    inputs = [size] * tasks
    note(f"{tasks} tasks one after another")
    sequential, share = best_sequential(plan.repeats, compute_task, inputs)
    rows = []
    for workers in plan.workers:
        note(f"{tasks} tasks on {workers} threads")
        elapsed = best_elapsed(plan.repeats, lambda: run(compute_task, inputs, mode="threads", workers=workers).elapsed)
        rows.append(speedup_row("threads", None, workers, elapsed, sequential, plan.usable))
    for method in plan.methods:
        sweep = plan.workers if plan.sweep_all_methods or method == plan.course_method else (
            min(plan.usable, max(plan.workers)),)
        for workers in sweep:
            note(f"{tasks} tasks on {workers} processes ({method})")
            elapsed = best_elapsed(plan.repeats, lambda: run(compute_task, inputs, mode="processes", workers=workers,
                                                             start_method=method).elapsed)
            rows.append(speedup_row("processes", method, workers, elapsed, sequential, plan.usable))
    reason = interpreters.unavailable_reason()
    if reason is None:
        for workers in plan.workers if plan.sweep_all_methods else sorted({1, min(plan.usable, max(plan.workers))}):
            note(f"{tasks} tasks on {workers} interpreters")
            elapsed = best_elapsed(plan.repeats,
                                   lambda: interpreters.time_interpreter_pool(compute_task, inputs, workers))
            rows.append(speedup_row("interpreters", None, workers, elapsed, sequential, plan.usable))
    return {"task_numbers": size, "tasks": tasks, "sequential": sequential, "task_seconds": sequential / tasks,
            "cpu_share": share, "runs": rows, "interpreters": reason or "measured",
            "large": measure_large_tasks(plan, note)}


def measure_large_tasks(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """``2 × usable`` large tasks one after another, then on ``usable`` processes (the course's start method)."""
    size = calibrate(compute_task, 200_000, plan.large_task_seconds, step=1000)
    tasks, workers = 2 * plan.usable, plan.usable
    inputs = [size] * tasks
    note(f"{tasks} large tasks one after another")
    sequential, share = sequential_run(compute_task, inputs)
    note(f"{tasks} large tasks on {workers} processes ({plan.course_method})")
    elapsed = run(compute_task, inputs, mode="processes", workers=workers, start_method=plan.course_method).elapsed
    return {"task_numbers": size, "tasks": tasks, "task_seconds": sequential / tasks, "sequential": sequential,
            "cpu_share": share,
            **speedup_row("processes", plan.course_method, workers, elapsed, sequential, plan.usable)}


def measure_hashlib(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """SHA-256 on 1, 2, 4 … threads (notebook 14's task): C code that lets go of the GIL scales on threads."""
    workers = tuple(w for w in plan.workers if w <= 64)
    tasks = task_count(workers, plan.usable)
    note("calibrating the block size")
    size = min(256, calibrate(sha256_task, 4, plan.hash_sweep_seconds / tasks))  # MiB
    inputs = [size] * tasks
    note(f"{tasks} hashes one after another")
    sequential, share = best_sequential(plan.repeats, sha256_task, inputs)
    rows = []
    for count in workers:
        note(f"{tasks} hashes on {count} threads")
        elapsed = best_elapsed(plan.repeats, lambda: run(sha256_task, inputs, mode="threads", workers=count).elapsed)
        rows.append(speedup_row("threads", None, count, elapsed, sequential, plan.usable))
    return {"block_bytes": size << 20, "tasks": tasks, "sequential": sequential, "cpu_share": share, "runs": rows}
