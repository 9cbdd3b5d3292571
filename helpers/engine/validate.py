"""Bad input gets one clear line before anything starts: the course's argument checks, in one place.

Every public function and widget a notebook uses checks its arguments with these before it starts a
thread, a process or a server. Each raises an error that names the argument, the allowed range and
what was given. A wrong *type* raises :class:`WrongType`, which is both a ``TypeError`` (what Python
itself raises) and a ``ValueError`` (what the course's functions have always documented), so either
``except`` catches it.

``bool`` is never a number here (``True`` is an ``int`` to Python, but ``workers=True`` is a mistake),
and NaN and the infinities are never in range.

A run is checked whole, once, before it starts: :func:`plan_run` (the arguments of
:func:`helpers.engine.harness.run`) and :func:`plan_workload` (a panel's tasks of one kind and size) check every
argument, ask :func:`helpers.engine.config.run_config` once for the limits and the start method, and return a
frozen :class:`RunPlan` that the harness runs without checking or resolving anything again.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing.context
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .config import INTERPRETERS, MAX_TASKS, RunConfig, available_modes, run_config
from .task_kinds import TaskKind


class WrongType(TypeError, ValueError):
    """An argument of the wrong type (a ``TypeError`` and, for the course's older callers, a ``ValueError``)."""


def whole_number(value: Any, name: str, low: int, high: int | None = None, *, context: str = "") -> int:
    """``value`` if it is an ``int`` (not a bool) from ``low`` to ``high`` (inclusive; None: no upper end).

    ``context`` follows the range in the message, to say where a limit comes from
    (e.g. ``" on this 2-core machine"``).
    """
    allowed = f"a whole number from {low:,} to {high:,}" if high is not None else f"a whole number of at least {low:,}"
    allowed += context
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongType(f"{name} must be {allowed}; you gave {value!r}.")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}; you gave {value!r}.")
    return value


def number(value: Any, name: str, low: float, high: float, *, low_open: bool = False, unit: str = "") -> float:
    """``value`` as a float if it is a finite real number in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    unit = f" {unit}" if unit else ""
    allowed = (f"a number above {low:g} and at most {high:g}{unit}" if low_open
               else f"a number from {low:g} to {high:g}{unit}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WrongType(f"{name} must be {allowed}; you gave {value!r}.")
    if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
        raise ValueError(f"{name} must be {allowed}; you gave {value!r}.")
    return float(value)


def seconds(value: Any, name: str = "timeout", high: float = 3600.0, *, zero: bool = False) -> float:
    """A duration in seconds: finite, more than 0 (or 0 too, with ``zero``) and at most ``high``."""
    return number(value, name, 0.0, high, low_open=not zero, unit="seconds")


def function(value: Any, name: str = "func") -> Callable[..., Any]:
    """``value`` if it can be called (pass the function itself, not its result)."""
    if not callable(value):
        raise WrongType(f"{name} must be a function (pass it without parentheses); you gave {value!r}.")
    return value


def items(values: Any, name: str, most: int, least: int = 1) -> list[Any]:
    """The first items of ``values`` as a list, if there are ``least`` to ``most`` of them.

    Reads at most ``most + 1`` items, so an endless iterator (``itertools.count()``) is refused
    at once instead of filling the memory.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise WrongType(f"{name} must be a list (or other iterable) of {least} to {most:,} items; you gave "
                        f"{type(values).__name__} {values!r:.60}.")
    taken = list(itertools.islice(values, most + 1))
    if len(taken) > most:
        raise ValueError(f"{name} must have {least} to {most:,} items; you gave more than {most:,}.")
    if len(taken) < least:
        raise ValueError(f"{name} must have {least} to {most:,} items; you gave {len(taken)}.")
    return taken


# --- a run, checked whole --------------------------------------------------------------

@dataclass(frozen=True)
class RunPlan:
    """A run whose every argument was checked and whose configuration was resolved: what the harness runs."""

    func: Callable[[Any], Any]
    items: list[Any]
    mode: str
    workers: int
    #: For processes: the start method and its ``multiprocessing`` context; ``None`` for other modes.
    start_method: str | None
    context: multiprocessing.context.DefaultContext | None
    timeout: float
    update_interval: float
    #: Roughly how long the tasks take one after another (a task kind's one-core cost); ``None`` when unknown.
    serial_seconds: float | None = None


def check_mode(mode: Any) -> str:
    """Return ``mode`` if this Python can run it, else raise ``ValueError`` saying why."""
    if mode == INTERPRETERS and mode not in available_modes():
        from .interpreter_runs import unavailable_reason

        raise ValueError(f"mode='interpreters' is not available here. {unavailable_reason()}")
    if mode not in available_modes():
        raise ValueError(f"mode={mode!r} is not one of {', '.join(available_modes())}.")
    return mode


def check_workers(workers: Any, mode: str, limits: RunConfig | None = None) -> int:
    """Return ``workers`` if it is a sensible count for ``mode``, else raise ``ValueError``.

    Threads: 1 to :data:`~helpers.engine.config.MAX_THREADS`. Processes and interpreters: 1 to
    :func:`~helpers.engine.config.max_processes` (four per core). Sequential: exactly 1. ``limits``: the run's
    :class:`~helpers.engine.config.RunConfig`, when the caller has read it already.
    """
    check_mode(mode)
    limits = run_config() if limits is None else limits
    limit = {"sequential": 1, "threads": limits.max_threads, "processes": limits.max_processes,
             INTERPRETERS: limits.max_processes}[mode]
    noun = {"sequential": "worker", "threads": "threads", "processes": "processes",
            INTERPRETERS: "interpreters"}[mode]
    extra = f" on this {os.cpu_count()}-core machine" if mode in ("processes", INTERPRETERS) else ""
    return whole_number(workers, f"The number of {noun}", 1, limit, context=extra)


def check_tasks(inputs: Sequence[Any]) -> list[Any]:
    """Return the task inputs as a list, or raise ``ValueError`` if there are none or too many.

    At most ``MAX_TASKS + 1`` items are read: an endless iterator (``itertools.count()``) is refused at once.
    """
    try:
        return items(inputs, "the task inputs", MAX_TASKS)
    except ValueError as exc:
        raise type(exc)(f"A run needs 1 to {MAX_TASKS} tasks: {exc}") from None


def check_workload(kind: TaskKind, count: Any, size: Any, serial_limit: float) -> None:
    """Raise ``ValueError`` with a learner-readable message unless ``count`` tasks of ``size`` of ``kind`` are
    sensible and take at most ``serial_limit`` seconds one after another."""
    whole_number(count, "The number of tasks", 1, MAX_TASKS)
    number(size, "Task size", 0, kind.largest, low_open=True, unit=kind.unit)
    one_by_one = count * kind.one_task_seconds(size)
    if one_by_one > serial_limit:
        raise ValueError(f"{count} tasks of {size:g} {kind.unit} would take about {one_by_one:.0f} s one after "
                         f"another; keep it under {serial_limit:.0f} s (fewer or smaller tasks).")


def plan_run(func: Any, inputs: Any, *, mode: Any, workers: Any, start_method: str | None, timeout: Any,
             update_interval: Any) -> RunPlan:
    """The arguments of :func:`helpers.engine.harness.run`, checked and resolved (``ValueError`` before anything
    starts). ``workers=None`` means one per task, capped by the mode's limit."""
    function(func, "func")
    tasks = check_tasks(inputs)
    limits = run_config(start_method, processes=mode == "processes")
    if workers is None:
        workers = 1 if mode == "sequential" else min(
            len(tasks), limits.max_threads if mode == "threads" else limits.max_processes)
    check_workers(workers, mode, limits)  # the mode first: a mode this Python cannot run is named here
    return _planned(func, tasks, mode, workers, limits, timeout, update_interval)


def plan_workload(kind: TaskKind, count: Any, size: Any, *, mode: Any, workers: Any, start_method: str | None,
                  timeout: Any, update_interval: Any, serial_limit: float) -> RunPlan:
    """A panel's run, ``count`` tasks of ``size`` of ``kind``, checked and resolved: the worker count first, then
    the workload (:func:`check_workload`), then what :func:`plan_run` checks."""
    limits = run_config(start_method, processes=mode == "processes")
    check_workers(workers, mode, limits)
    check_workload(kind, count, size, serial_limit)  # NaN and infinity are refused here, before int()
    size = size if kind.seconds_per_unit is None else int(size)
    return _planned(kind.worker, [size] * count, mode, workers, limits, timeout, update_interval,
                    count * kind.one_task_seconds(size))


def _planned(func: Callable[[Any], Any], tasks: list[Any], mode: str, workers: int, limits: RunConfig,
             timeout: Any, update_interval: Any, serial_seconds: float | None = None) -> RunPlan:
    """The rest of a run's checks, after its workers: a task an interpreter can import, the two durations."""
    if mode == INTERPRETERS and getattr(func, "__module__", "__main__") == "__main__":
        raise ValueError("An interpreter imports its task by name, so the task must come from a module "
                         f"(e.g. helpers.workers), not be defined in a cell: {func!r}.")
    return RunPlan(func, tasks, mode, workers, limits.start_method, limits.context,
                   seconds(timeout, "timeout", 3600), seconds(update_interval, "update_interval", 60), serial_seconds)
