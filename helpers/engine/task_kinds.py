"""A task kind: what a panel's tasks run, what their size means, and roughly how long a unit takes.

Subject modules export their kinds as values (:data:`helpers.workers.WAIT`, :data:`helpers.workers.COMPUTE`,
:data:`helpers.gil_release.SHA256`, :func:`helpers.fetching.fetch_kind`, ...) and a panel is given one, by
value or by name; nobody registers into a shared table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TaskKind:
    """What a panel task runs (``worker(size)``, importable so processes can run it), and its size's unit."""

    name: str
    worker: Callable[[Any], Any]
    unit: str
    largest: float
    #: Seconds one unit of size takes on one core; ``None`` when the size is itself in seconds (waits).
    #: A rough one-core cost: it sizes the time axis and refuses runs that would take minutes.
    seconds_per_unit: float | None
    #: Why this kind cannot run now (e.g. "the server was stopped; ..."), or ``None`` when it can; a panel asks
    #: before every run and after a failed one, so a panel whose resource is gone says so in one line.
    unavailable: Callable[[], str | None] | None = None
    #: True when the worker spends its time in C code that lets go of the GIL (``hashlib`` over 2 047 bytes): its
    #: threads then run on as many cores as there are, with the GIL on too, and a panel sizes its run for that.
    releases_gil: bool = False

    def __post_init__(self) -> None:
        if not callable(self.worker) or not self.name.isidentifier():
            raise ValueError(f"A task kind needs a name like 'sha256' and a function, got {self.name!r}, "
                             f"{self.worker!r}")

    def one_task_seconds(self, size: float) -> float:
        return size if self.seconds_per_unit is None else size * self.seconds_per_unit
