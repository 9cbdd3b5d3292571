"""Several interpreters in one process (Python 3.14+): what runs in them, and what the notebook probes.

Python 3.14 added :mod:`concurrent.interpreters` (PEP 734): one process can hold several
interpreters, each with its own modules, its own objects and, since PEP 684, its own GIL. This
module holds everything the subinterpreters notebook runs *inside* an interpreter (so it can be
imported there, like a process's target), and the small probes whose machinery would clutter a
cell:

* :func:`available` / :func:`unavailable_reason`: whether this Python has subinterpreters;
* :func:`interpreter_id`, :func:`noop`, :func:`compute_task`: functions called in an interpreter;
* :func:`crossings`: what happens to objects sent through an interpreters queue;
* :func:`import_in_interpreter`: does an extension module load in a fresh interpreter?

Every interpreter created here is closed before the function returns, whatever happens.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any, NamedTuple

from .engine.interpreter_runs import REQUIRES, available, unavailable_reason
from .workers import compute_task, sum_of_squares

__all__ = ["REQUIRES", "Crossing", "available", "compute_task", "crossings", "import_in_interpreter",
           "interpreter_id", "noop", "refusing_module", "timed_sum", "unavailable_reason", "Timed", "TimedSum"]


#: Extension modules that a learner may have and that (in 2026) refuse to load in a
#: subinterpreter: Pillow's core (a dependency of this course), psutil, pyzmq, readline, curses.
REFUSING_CANDIDATES = ("PIL._imaging", "psutil", "zmq", "readline", "_curses")


def noop(_: object = None) -> None:
    """Do nothing: calling it measures what reaching an interpreter costs."""


class TimedSum(NamedTuple):
    """What :func:`timed_sum` saw: where it ran, when (``time.perf_counter``), and the sum."""

    pid: int
    interpreter: int
    start: float
    end: float
    total: int


def timed_sum(number: int) -> TimedSum:
    """``sum_of_squares(number)``, with the process, interpreter and times it ran in and at.

    ``time.perf_counter`` is one clock for every interpreter of a process, so the spans of
    different interpreters can be compared. Raises ``ValueError`` for a negative or non-int.
    """
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise ValueError(f"number must be a whole number >= 0, not {number!r}.")
    start = time.perf_counter()
    total = sum_of_squares(number)
    return TimedSum(os.getpid(), _current_id(), start, time.perf_counter(), total)


def _current_id() -> int:
    try:
        from concurrent import interpreters
    except ImportError:
        return 0  # before 3.14 there is only the main interpreter
    return interpreters.get_current().id


def interpreter_id(_: object = None) -> int:
    """The id of the interpreter this runs in (0 is the main interpreter); the argument is ignored."""
    from concurrent import interpreters

    return interpreters.get_current().id


class Timed(NamedTuple):
    """A measured duration with its label and mode, drawn by :func:`helpers.charts.plots.plot_runs` like a run."""

    label: str
    mode: str
    elapsed: float


# --- probes ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Crossing:
    """What happened to one object sent through an interpreters queue.

    ``how``: ``"shareable"`` (crosses without pickle: an immutable value arrives as an equal
    value, a memoryview as a view of the same buffer), ``"pickled"`` (the other side gets an
    equal copy), or ``"refused"`` (``detail`` holds the error).
    """

    name: str
    how: str
    detail: str

    def __str__(self) -> str:
        return f"{self.name:<24} {self.how:<9} {self.detail}"


def crossings(samples: Mapping[str, Any]) -> list[Crossing]:
    """Send each object of ``samples`` (name → object) through an interpreters queue into one
    fresh interpreter, and report how each crossed.

    The interpreter sends back ``repr()`` of what it received, so each answer is what the other
    side saw. Raises ``ValueError`` if ``samples`` is empty or a name is not a non-empty string,
    and ``RuntimeError`` on a Python without subinterpreters. The interpreter is closed on return.
    """
    if not isinstance(samples, Mapping) or not samples:
        raise ValueError(f"samples must be a non-empty dict of name -> object, not {samples!r:.60}.")
    for name in samples:
        if not isinstance(name, str) or not name:
            raise ValueError(f"every name must be a non-empty string, not {name!r}.")
    _require()
    from concurrent import interpreters

    inbox, outbox = interpreters.create_queue(), interpreters.create_queue()
    interp = interpreters.create()
    found = []
    try:
        interp.prepare_main(inbox=inbox, outbox=outbox)
        for name, obj in samples.items():
            try:
                inbox.put(obj)
            except interpreters.NotShareableError as exc:
                found.append(Crossing(name, "refused", f"{type(exc).__name__}: {str(exc)[:70]}"))
                continue
            interp.exec("seen = inbox.get(timeout=10)\n"
                        "outbox.put(type(seen).__name__ + ' ' + repr(seen)[:40])")
            how = "shareable" if interpreters.is_shareable(obj) else "pickled"
            found.append(Crossing(name, how, f"arrived as {outbox.get(timeout=10)}"))
    finally:
        interp.close()
    return found


def import_in_interpreter(module: str) -> str | None:
    """Import ``module`` in a fresh interpreter: ``None`` if it loaded, else the error it raised there.

    Raises ``ValueError`` for a name that is not a dotted module name, ``RuntimeError`` on a
    Python without subinterpreters.
    """
    if not isinstance(module, str) or not all(part.isidentifier() for part in module.split(".")):
        raise ValueError(f"{module!r} is not a module name such as 'json' or 'PIL._imaging'.")
    _require()
    from concurrent import interpreters

    interp = interpreters.create()
    try:
        interp.exec(f"import {module}")
    except interpreters.ExecutionFailed as exc:
        return f"{exc.excinfo.type.__name__}: {exc.excinfo.msg.strip().splitlines()[0]}"
    finally:
        interp.close()
    return None


def refusing_module(candidates: tuple[str, ...] = REFUSING_CANDIDATES) -> tuple[str, str] | None:
    """The first of ``candidates`` that is installed here and refuses a subinterpreter: (name, error).

    A module that is not installed in the main interpreter is skipped. ``None`` if every
    installed candidate loads (or none is installed).
    """
    import importlib.util

    for name in candidates:
        try:
            if importlib.util.find_spec(name) is None:
                continue
        except (ImportError, ValueError):
            continue
        error = import_in_interpreter(name)
        if error is not None and not error.startswith("ModuleNotFoundError"):
            return name, error
    return None


def _require() -> None:
    if not available():
        raise RuntimeError(unavailable_reason())
