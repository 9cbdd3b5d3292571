"""helpers: the machinery behind the *Threads & Processes in Python* notebooks.

Importing ``helpers`` is cheap (no matplotlib, no widgets): child processes started with
spawn or forkserver import it too. The heavier parts load on first use.

* :mod:`helpers.workers`  – every function that runs in a thread or a child process
* :mod:`helpers.relay`    – :class:`Process`, a ``multiprocessing.Process`` whose prints reach the cell
* :mod:`helpers.harness`  – :func:`run`: time tasks sequentially / on threads / on processes
* :mod:`helpers.panel`    – :class:`LivePanel`: widgets + a chart that grows while a run is under way
* :mod:`helpers.plots`    – static charts of measured runs and the office picture
* :mod:`helpers.live_chart` – the control panel's live timeline and history chart
* :mod:`helpers.style`    – the one colour palette and duration format
* :mod:`helpers.timeline` – spans per thread, to draw what start()/join() do
* :mod:`helpers.scripts`  – show a worker's source; run code as a real script in a fresh Python
* :mod:`helpers.census`   – the child processes still alive (proof that nothing leaked)
* :mod:`helpers.reaper`   – after each cell, even an interrupted one, collect children that ended
* :mod:`helpers.machine`  – what this machine is (cores, Python, start method, GIL)
* :mod:`helpers.advisor`  – threads or processes? a recommendation with its reason
* :mod:`helpers.exercises` – the checkers for each notebook's exercise
* :mod:`helpers.check_install` – the pre-workshop check (``python -m helpers.check_install``)
* :mod:`helpers.config`   – ``COURSE_START_METHOD`` / ``COURSE_TIME_SCALE`` and the limits
"""

from __future__ import annotations

from typing import Any

from .config import ScaledSeconds, resolve_start_method, seconds, time_scale
from .harness import RunError, RunResult, RunTimedOut, TaskFailed, WorkerDied, check_workers, run
from .relay import Process
from .reaper import install as _install_reaper

__all__ = [
    "LivePanel", "Process", "RunError", "RunResult", "RunTimedOut", "ScaledSeconds", "TaskFailed", "WorkerDied",
    "check_workers", "machine_info", "resolve_start_method", "run", "seconds", "time_scale",
]

# In a Jupyter kernel: after every cell (■ included), collect the child processes that have ended.
_install_reaper()

_LAZY = {"LivePanel": "panel", "machine_info": "machine"}


def __getattr__(name: str) -> Any:
    # Lazy: the panel pulls in matplotlib and ipywidgets, which a worker process never needs.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
