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
* :mod:`helpers.overlap`  – how many intervals were open at once (did the workers overlap?)
* :mod:`helpers.scripts`  – show a worker's source; run code as a real script in a fresh Python
* :mod:`helpers.census`   – the child processes still alive (proof that nothing leaked)
* :mod:`helpers.reaper`   – after each cell, even an interrupted one, collect children that ended
* :mod:`helpers.machine`  – what this machine is (cores, Python, start method, GIL)
* :mod:`helpers.advisor`  – threads or processes? a recommendation with its reason
* :mod:`helpers.course`   – the one list of the course (``notebooks/course.toml``)
* :mod:`helpers.handout`  – notebook 08 hands its measured figures to the cheat sheet
* :mod:`helpers.exercises` – the checkers, one module per topic
* :mod:`helpers.bench`    – ``python -m helpers.bench``: every figure on this machine, with budgets

Beyond the article (notebooks 10–17), one module per subject:

* :mod:`helpers.executors` – pool tasks that record where they ran; a worker that dies
* :mod:`helpers.locks`    – races, the synchronisation tools, a deadlock that ends by itself
* :mod:`helpers.data_transfer`, :mod:`helpers.transfer_patterns` – what moving data between processes costs
* :mod:`helpers.local_server`, :mod:`helpers.fetching`, :mod:`helpers.many_files`,
  :mod:`helpers.asyncio_inspect` – real waiting: a server on 127.0.0.1, threads vs asyncio, files
* :mod:`helpers.io_charts` – the charts of notebooks 12 and 13
* :mod:`helpers.gil_release` – C code that lets go of the GIL, measured on threads
* :mod:`helpers.free_threading` – GIL status and what changes without it
* :mod:`helpers.interpreters`, :mod:`helpers.interpreter_runs` – subinterpreters (3.14+), the harness's
  ``interpreters`` mode
* :mod:`helpers.cluster`, :mod:`helpers.cluster_panel` – a local Dask cluster, closed on every exit path
* :mod:`helpers.check_install` – the pre-workshop check (``python -m helpers.check_install``)
* :mod:`helpers.config`   – ``COURSE_START_METHOD`` / ``COURSE_TIME_SCALE`` and the limits
"""

from __future__ import annotations

from typing import Any

from .config import ScaledSeconds, resolve_start_method, seconds, time_scale
from .harness import RunError, RunResult, RunTimedOut, TaskFailed, WorkerDied, check_workers, run
from .relay import Process
from .janitor import start as _start_janitor
from .limits import install as _install_limit_lines
from .reaper import install as _install_reaper

__all__ = [
    "LivePanel", "Process", "RunError", "RunResult", "RunTimedOut", "ScaledSeconds", "TaskFailed", "WorkerDied",
    "check_workers", "machine_info", "resolve_start_method", "run", "seconds", "time_scale",
]

# In a Jupyter kernel: after every cell (■ included), collect the child processes that have ended.
_install_reaper()
_install_limit_lines()  # a full /dev/shm or `ulimit -u` reached: one line naming it, not a long traceback
_start_janitor()  # in a kernel: a watcher that cleans up after it if it is killed (helpers/janitor.py)

_LAZY = {"LivePanel": "panel", "machine_info": "machine"}


def __getattr__(name: str) -> Any:
    # Lazy: the panel pulls in matplotlib and ipywidgets, which a worker process never needs.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
