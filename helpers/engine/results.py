"""What a run measured: one :class:`TaskRecord` per task, the :class:`RunResult`, and the errors that stop a run.

Plain data, shared by every way the engine runs tasks (:mod:`helpers.engine.harness`, the interpreters mode,
a Dask cluster) and by whatever draws or judges a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

class RunError(RuntimeError):
    """A run did not complete; ``result`` holds what was measured up to that point."""

    def __init__(self, message: str, result: RunResult) -> None:
        super().__init__(message)
        self.result = result


class TaskFailed(RunError):
    """At least one task raised; every other task still ran."""


class WorkerDied(RunError):
    """A worker process ended without finishing its task (crashed, killed, ``os._exit``)."""


class RunTimedOut(RunError, TimeoutError):
    """The run took longer than its ``timeout``."""


@dataclass
class TaskRecord:
    """One task of a run. Times are seconds since the run began (``None`` until they happen)."""

    index: int
    argument: Any
    worker: str = ""
    pid: int = 0
    thread: str = ""
    start: float | None = None
    end: float | None = None
    result: Any = None
    error: str | None = None

    @property
    def duration(self) -> float | None:
        return None if self.start is None or self.end is None else self.end - self.start


@dataclass
class RunResult:
    """What a run measured. ``elapsed`` is the wall time from before the first worker started
    to after the last one was joined: the time a learner would wait for the whole thing."""

    mode: str
    workers: int
    start_method: str | None
    tasks: list[TaskRecord]
    elapsed: float = 0.0
    status: str = "running"  # running, done, failed, interrupted, timed out
    message: str = ""
    #: When each worker was ready to take its first task (a process's start-up cost shows here).
    ready: dict[str, float] = field(default_factory=dict)
    #: How charts name the run (:func:`run_label`): "4 processes (spawn)". Kept as data, so a chart reads it.
    label: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.label = run_label(self.mode, self.workers, self.start_method)

    @classmethod
    def starting(cls, mode: str, workers: int, start_method: str | None, inputs: list[Any]) -> RunResult:
        """A run about to start: one :class:`TaskRecord` per input, nothing measured yet."""
        return cls(mode, workers, start_method, [TaskRecord(i, x) for i, x in enumerate(inputs)])

    @property
    def finished(self) -> int:
        return sum(task.end is not None for task in self.tasks)

    @property
    def results(self) -> list[Any]:
        """Return values in task order (``None`` for a task that failed or never ran)."""
        return [task.result for task in self.tasks]

    @property
    def errors(self) -> list[str]:
        return [f"task {t.index} ({t.argument!r}): {t.error}" for t in self.tasks if t.error]

    def error_summary(self) -> str:
        """The errors, each different one once: "16 of 16 tasks raised URLError: ..." (tasks named when few)."""
        failed: dict[str, list[int]] = {}
        for task in self.tasks:
            if task.error:
                failed.setdefault(task.error, []).append(task.index)
        parts = []
        for error, indexes in failed.items():
            which = "" if len(indexes) > 3 else f" (task{'s' if len(indexes) > 1 else ''} " \
                                                  f"{', '.join(map(str, indexes))})"
            parts.append(f"{len(indexes)} of {len(self.tasks)} tasks{which} raised {error}")
        return "; ".join(parts)

    @property
    def busy(self) -> float:
        """Total time spent inside tasks, summed over all tasks."""
        return sum(t.duration or 0.0 for t in self.tasks)

    @property
    def pids(self) -> set[int]:
        return {t.pid for t in self.tasks if t.pid}

    def summary(self) -> str:
        return f"{len(self.tasks)} tasks, {self.label}: {self.elapsed:.2f} s ({self.status})"

    def __repr__(self) -> str:
        return f"<RunResult {self.summary()}>"


def run_label(mode: str, workers: int, start_method: str | None = None) -> str:
    """How a run is named in charts: "sequential", "1 thread", "4 processes (spawn)", "2 interpreters"."""
    if mode == "sequential":
        return "sequential"
    noun = mode if workers != 1 else mode[:-2 if mode == "processes" else -1]
    return f"{workers} {noun}" + (f" ({start_method})" if mode == "processes" else "")
