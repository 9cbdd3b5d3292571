"""Course-wide switches, read from the environment, and the limits every demo obeys.

Three environment variables change how the whole course runs, without editing a notebook:

``COURSE_START_METHOD``
    ``fork``, ``spawn`` or ``forkserver``: every process demo uses it. Unset, the
    platform's default is used (fork on Linux up to Python 3.13, forkserver on Linux
    from 3.14, spawn on macOS and Windows). CI runs every notebook under each method.
``COURSE_TIME_SCALE``
    A factor in (0, 1] applied to the demos' pauses. Unset it is 1, so the course shows
    real one-second waits; the test suite sets 0.25 to stay inside its time budget.
    Ratios (threads vs sequential) hold at any scale; absolute seconds do not.
``COURSE_PANEL_SECONDS``
    The longest, in seconds, a control panel's own default run is sized to last (see
    ``helpers.panels.panel.sized_for``). Unset, a panel sizes its run to last a few seconds (about 3.5) so
    that a learner sees the chart grow. The workshop handouts (tools/handouts.py; tools/handout_build/build.py)
    set 1: nobody watches a printed chart grow, and its final figure, measured the same way, shows the same
    effect. Sizes a notebook gives explicitly are not changed.

:func:`run_config` reads everything a run depends on here at once (:class:`RunConfig`: the limits, the modes this
Python can run, how processes start), so the code that plans a run asks this module one question.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.context
import os
import sys
from dataclasses import dataclass
from typing import NewType, cast

START_METHOD_ENV = "COURSE_START_METHOD"
TIME_SCALE_ENV = "COURSE_TIME_SCALE"
PANEL_SECONDS_ENV = "COURSE_PANEL_SECONDS"

KNOWN_START_METHODS = ("fork", "spawn", "forkserver")

def limits_for(cpus: int) -> tuple[int, int, int]:
    """The most processes, threads and tasks one run may have on a machine of ``cpus`` CPUs.

    Processes: four per core, at least 4, at most 64 (or one per core on a bigger machine). Threads: 64, or one
    per CPU. Tasks: 256, or four per CPU. The notebooks ask for one worker per core and two tasks each, so a
    128-core learner is not refused; enough to show that more workers than cores buys nothing; never a fork bomb.
    """
    return max(4, min(max(64, cpus), 4 * cpus)), max(64, cpus), max(256, 4 * cpus)


#: Upper bound on threads in one run (:func:`limits_for`). Far above what any demo needs, far below trouble.
MAX_THREADS = limits_for(os.cpu_count() or 1)[1]
#: Upper bound on tasks in one run (:func:`limits_for`).
MAX_TASKS = limits_for(os.cpu_count() or 1)[2]


def max_processes() -> int:
    """The most processes one run may start here (:func:`limits_for`)."""
    return limits_for(os.cpu_count() or 1)[0]


#: The ways a run can use workers on every Python the course supports.
MODES = ("sequential", "threads", "processes")
#: Several interpreters in this process, each with its own GIL (Python 3.14+, PEP 684/734).
INTERPRETERS = "interpreters"


@functools.cache  # what this Python can run does not change while it runs
def available_modes() -> tuple[str, ...]:
    """The modes this Python can run: :data:`MODES`, plus ``"interpreters"`` from Python 3.14."""
    from .interpreter_runs import available

    return MODES + ((INTERPRETERS,) if available() else ())


def available_start_methods() -> list[str]:
    """Start methods this platform offers (Windows: only spawn)."""
    return list(multiprocessing.get_all_start_methods())


def platform_start_method() -> str:
    """The start method ``multiprocessing`` uses here when nobody chooses one.

    ``get_all_start_methods()`` lists the default first; a method set explicitly with
    ``multiprocessing.set_start_method`` wins.
    """
    return multiprocessing.get_start_method(allow_none=True) or available_start_methods()[0]


def resolve_start_method(method: str | None = None) -> str:
    """Return the start method to use: ``method``, else ``$COURSE_START_METHOD``, else the platform's.

    Raises ``ValueError`` for an unknown name or one this platform lacks (fork on Windows).
    """
    source = "start_method"
    if method is None:
        method = os.environ.get(START_METHOD_ENV) or None
        source = START_METHOD_ENV
    if method is None:
        return platform_start_method()
    if method not in KNOWN_START_METHODS:
        raise ValueError(
            f"{source}={method!r} is not a start method: choose one of "
            f"{', '.join(KNOWN_START_METHODS)}."
        )
    if method not in available_start_methods():
        raise ValueError(
            f"start method {method!r} is not available on {sys.platform}; "
            f"this platform offers {', '.join(available_start_methods())}."
        )
    return method


def start_context(method: str) -> multiprocessing.context.DefaultContext:
    """``multiprocessing.get_context(method)``, typed as what it is: a context with ``Process``, ``Pipe``, ``Queue``.

    typeshed types ``get_context(str)`` as ``BaseContext``, which has no ``Process``; every context it returns has one
    (CPython Lib/multiprocessing/context.py: ForkContext, SpawnContext, ForkServerContext).
    """
    return cast("multiprocessing.context.DefaultContext", multiprocessing.get_context(method))


@dataclass(frozen=True)
class RunConfig:
    """What one run may use here and how its processes start, read once (:func:`run_config`)."""

    max_processes: int
    max_threads: int
    max_tasks: int
    modes: tuple[str, ...]
    #: For a run of processes: the start method resolved (:func:`resolve_start_method`) and its context; else None.
    start_method: str | None
    context: multiprocessing.context.DefaultContext | None


def run_config(start_method: str | None = None, *, processes: bool = False) -> RunConfig:
    """The limits (:func:`limits_for`), the modes (:func:`available_modes`) and, for ``processes``, the start method
    (``ValueError`` for one that is unknown or missing here) and its context, as one value."""
    method = resolve_start_method(start_method) if processes else None
    return RunConfig(max_processes(), MAX_THREADS, MAX_TASKS, available_modes(), method,
                     None if method is None else start_context(method))


def number_from_env(name: str, default: float, high: float) -> float:
    """``$name`` as a number above 0 and at most ``high``, else ``default`` when it is unset or empty; a
    ValueError naming the variable and the range otherwise."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number; use a value in (0, {high:g}].") from None
    if not 0 < value <= high:
        raise ValueError(f"{name}={raw!r} is outside (0, {high:g}].")
    return value


def time_scale() -> float:
    """The factor applied to the demos' pauses (``$COURSE_TIME_SCALE``, default 1)."""
    return number_from_env(TIME_SCALE_ENV, 1.0, 1.0)


def panel_seconds(wanted: float) -> float:
    """How long a panel's default run should last: ``wanted`` seconds, or ``$COURSE_PANEL_SECONDS`` if less."""
    return min(wanted, number_from_env(PANEL_SECONDS_ENV, wanted, 600.0))


#: Seconds that are slept as given: already scaled by :func:`seconds` (or deliberately real, as a
#: limit that must outlast a demo). A parameter of this type is never scaled again; a parameter
#: called ``pause`` is in course seconds and is scaled where it is slept.
ScaledSeconds = NewType("ScaledSeconds", float)


def seconds(pause: float) -> ScaledSeconds:
    """``pause`` course seconds, scaled by ``$COURSE_TIME_SCALE``: what to sleep or to compare with."""
    return ScaledSeconds(pause * time_scale())


def gil_enabled() -> bool:
    """True when the GIL is on in this interpreter (always, before free-threaded 3.13t)."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())
