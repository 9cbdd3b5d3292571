"""The crossover: how big a task must be before processes beat doing the tasks one after another.

For each task size, ``2 × usable cores`` tasks run sequentially and on ``usable cores``
processes (through :func:`helpers.engine.harness.run`, start included), per start method. Below
the crossover the processes' start and the pickling cost more than the work; above it
they win. The crossover is interpolated on a log scale between the two sizes around
where ``sequential / processes`` passes 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..claims import crossover_size  # one definition, shared with notebook 04's verdict
from ..engine.harness import run
from ..workers import compute_task
from .computing import best_elapsed


def measure_crossover(plan: Any, note: Callable[[str], None]) -> dict[str, Any]:
    """Sequential and process elapsed per task size, per start method, and each method's crossover."""
    workers = min(plan.usable, max(plan.workers))
    tasks = 2 * workers
    sequential = []
    for size in plan.crossover_sizes:
        note(f"{tasks} tasks of {size:,} numbers one after another")
        sequential.append(best_elapsed(plan.repeats, lambda: run(compute_task, [size] * tasks,
                                                                 mode="sequential").elapsed))
    processes: dict[str, list[float]] = {}
    crossover: dict[str, dict[str, Any]] = {}
    for method in plan.methods:
        times = []
        for size in plan.crossover_sizes:
            note(f"{tasks} tasks of {size:,} numbers on {workers} processes ({method})")
            times.append(best_elapsed(plan.repeats, lambda: run(compute_task, [size] * tasks, mode="processes",
                                                                workers=workers, start_method=method).elapsed))
        processes[method] = times
        found, where = crossover_size(plan.crossover_sizes, [s / p for s, p in zip(sequential, times)])
        crossover[method] = {"numbers": found, "where": where}
    return {"workers": workers, "tasks": tasks, "sizes": list(plan.crossover_sizes), "sequential": sequential,
            "processes": processes, "crossover": crossover}
