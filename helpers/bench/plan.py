"""How big each measurement is: the smoke test's, ``--quick``'s (≤ 60 s on 2 cores) and the full run's.

A :class:`Plan` holds every count and size; :func:`make_plan` builds it from the command
line's choices and checks them before anything starts (``ValueError`` with a message that
names the limit).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

from ..engine.config import MAX_THREADS, available_start_methods, max_processes, resolve_start_method

SECTIONS = ("waiting", "computing", "starting", "moving", "crossover", "hashlib", "panel", "build")
LEVELS = ("smoke", "quick", "full")
#: Hard limits on what the command line may ask for: far above what is useful, far below trouble.
MOST_WAITING_THREADS = 10_000
MOST_PAYLOAD = 256 << 20
MOST_REPEATS = 20


@dataclass
class Plan:
    """Every count and size of one run. ``wait`` is the length of one wait, in seconds."""

    level: str
    sections: tuple[str, ...]
    methods: tuple[str, ...]            # start methods measured, the course's own first when measured
    usable: int                         # usable cores (see helpers.bench.cores)
    wait: float = 1.0
    waiting_counts: tuple[int, ...] = (1, 32, 100, 1000)
    asyncio_counts: tuple[int, ...] = (1, 100, 1000)
    workers: tuple[int, ...] = (1, 2, 4)
    sweep_seconds: float = 0.8          # all the sweep's tasks one after another (sizes calibrated here)
    # One task of the "large tasks" run the budget judges: long enough that starting the processes
    # (up to ~0.1 s under forkserver or spawn, where each child imports helpers) stays a few
    # percent of the run, as "large" promises. The same in the quick and the full run.
    large_task_seconds: float = 1.0
    sweep_all_methods: bool = False     # False: other methods only at workers = usable cores
    repeats: int = 1
    start_samples: int = 5
    thread_start_samples: int = 200
    payloads: tuple[int, ...] = (1 << 10, 64 << 10, 1 << 20, 16 << 20)
    seconds_per_payload: float = 0.15
    crossover_sizes: tuple[int, ...] = (20_000, 200_000, 2_000_000)
    hash_sweep_seconds: float = 0.4
    panel_workloads: tuple[tuple[str, str, int, int, float], ...] = (
        ("compute", "threads", 2, 4, 4_000_000), ("wait", "threads", 8, 8, 1.0))
    panel_repeats: int = 2
    build_work: int = 2_000_000         # loop turns shared by the threads of the build row (~0.2 s on one core)
    build_repeats: int = 3

    @property
    def course_method(self) -> str:
        return self.methods[0]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def powers_of_two_to(limit: int, also: int) -> tuple[int, ...]:
    """1, 2, 4, … up to ``limit``, plus ``also`` (the usable cores), sorted."""
    counts = {also}
    n = 1
    while n <= limit:
        counts.add(n)
        n *= 2
    return tuple(sorted(c for c in counts if c <= limit))


def counts_up_to(counts: tuple[int, ...], most: int) -> tuple[int, ...]:
    """``counts`` cut at ``most``, with ``most`` itself as the last one."""
    kept = tuple(c for c in counts if c < most)
    return kept + (most,)


def make_plan(level: str = "quick", *, sections: tuple[str, ...] = SECTIONS, methods: tuple[str, ...] | None = None,
              usable: int | None = None, max_workers: int | None = None, max_threads: int | None = None,
              max_payload: int | None = None, repeats: int | None = None) -> Plan:
    """The plan for ``level``, narrowed by the command line's choices; ``ValueError`` for absurd ones."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}.")
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown or not sections:
        raise ValueError(f"sections must be among {', '.join(SECTIONS)}; got {', '.join(sections) or 'none'}.")
    course = resolve_start_method()
    if methods is None:
        methods = tuple(available_start_methods())
    for method in methods:
        resolve_start_method(method)  # unknown or unavailable here: ValueError
    if not methods:
        raise ValueError("--methods needs at least one start method.")
    # The course's own start method first: the budgets and the one-method sweeps use it.
    methods = tuple(sorted(dict.fromkeys(methods), key=lambda m: m != course))
    if usable is None:
        from .cores import usable_cores

        usable = usable_cores()
    top = max_workers if max_workers is not None else min(max_processes(), max(4, 2 * usable))
    _check_range("--max-workers", top, 1, max_processes(), f"four per core on this {os.cpu_count()}-core machine")
    if repeats is not None:
        _check_range("--repeats", repeats, 1, MOST_REPEATS)
    if max_threads is not None:
        _check_range("--max-threads", max_threads, 1, MOST_WAITING_THREADS)
    if max_payload is not None:
        _check_range("--max-payload", max_payload, 1, MOST_PAYLOAD, "256 MiB")

    plan = Plan(level=level, sections=tuple(sections), methods=tuple(methods), usable=usable,
                workers=powers_of_two_to(top, min(usable, top)))
    if level == "smoke":
        plan.wait = 0.05
        plan.waiting_counts, plan.asyncio_counts = (1, 32, 100), (1, 1000)
        plan.sweep_seconds, plan.large_task_seconds, plan.hash_sweep_seconds = 0.08, 0.01, 0.04
        plan.workers = tuple(w for w in plan.workers if w <= 2) or (1,)
        plan.methods = plan.methods[:1]
        plan.start_samples, plan.thread_start_samples = 2, 20
        plan.payloads, plan.seconds_per_payload = (1 << 10, 1 << 20), 0.02
        plan.crossover_sizes = (10_000, 200_000)
        plan.panel_workloads = (("wait", "threads", 2, 2, 0.3),)
        plan.panel_repeats = 1
        plan.build_work, plan.build_repeats = 100_000, 1
    elif level == "full":
        plan.waiting_counts = (1, 2, 5, 10, 20, 32, 50, 100, 200, 500, 1000)
        plan.asyncio_counts = plan.waiting_counts
        plan.sweep_seconds, plan.hash_sweep_seconds = 2.5, 1.5
        plan.sweep_all_methods = True
        plan.repeats = 2
        plan.start_samples, plan.thread_start_samples = 20, 1000
        plan.payloads = (1 << 10, 16 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20)
        plan.seconds_per_payload = 0.4
        plan.crossover_sizes = (10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000)
        plan.panel_workloads = (("compute", "threads", 2, 4, 4_000_000), ("compute", "processes", 2, 4, 4_000_000),
                                ("wait", "threads", 8, 8, 1.0))
        plan.panel_repeats = 5
        plan.build_work, plan.build_repeats = 4_000_000, 5
    if repeats is not None:
        plan.repeats = plan.panel_repeats = repeats
    if max_threads is not None:
        plan.waiting_counts = counts_up_to(plan.waiting_counts, max_threads)
        plan.asyncio_counts = counts_up_to(plan.asyncio_counts, max_threads)
    if max_payload is not None:
        plan.payloads = counts_up_to(plan.payloads, max_payload)
    assert max(plan.workers) <= max(MAX_THREADS, max_processes())
    return plan


def _check_range(option: str, value: int, low: int, high: int, why: str = "") -> None:
    if not low <= value <= high:
        raise ValueError(f"{option} must be from {low} to {high}{f' ({why})' if why else ''}; you asked for {value}.")
