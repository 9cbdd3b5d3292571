"""helpers: the machinery behind the *Threads & Processes in Python* notebooks.

Importing ``helpers`` is cheap (no matplotlib, no widgets): child processes started with
spawn or forkserver import it too. The heavier parts load on first use.

In layers, each importing only its own and those below (``tests/test_layers.py`` checks it):

**The engine** (``helpers/engine/``): runs tasks and measures them; knows no lesson and draws nothing.

* `helpers.engine.harness` – :func:`run`: time tasks sequentially / on threads / on processes / on interpreters
* `helpers.engine.results` – :class:`RunResult`, :class:`TaskRecord` and the errors that stop a run
* `helpers.engine.thread_runs` – the loop every worker runs, and the threads (or sequential) runner
* `helpers.engine.interpreter_runs` – the ``interpreters`` mode (3.14+) and whether this Python has it
* `helpers.engine.task_kinds` – :class:`TaskKind`: what a panel's tasks run (the subjects export theirs)
* `helpers.engine.relay` – :class:`Process`, a ``multiprocessing.Process`` whose prints reach the cell; a group of them
  kept from start to stop as one loop (``supervised``)
* `helpers.engine.reaper` – after each cell, even an interrupted one, collect children that ended
* `helpers.engine.census` – the child processes still alive (proof that nothing leaked)
* `helpers.engine.machine` – what this machine is (usable cores with quotas, Python, start method, GIL)
* `helpers.engine.config` – ``COURSE_START_METHOD`` / ``COURSE_TIME_SCALE`` and the limits
* `helpers.engine.overlap` – how many intervals were open at once (did the workers overlap?)
* `helpers.engine.validate` – bad input gets one clear line before anything starts; a run checked whole (``RunPlan``)
* `helpers.engine.limits` – the machine's limits (full /dev/shm, no more processes) named in one line
* `helpers.engine.safe_pool` – a ``multiprocessing.Pool`` whose ``terminate()`` cannot hang on a killed worker
* `helpers.engine.bounded` – a call that may never return (a learner's function), stopped after a time limit
* `helpers.engine.interrupts` – steps ■ must not cut in half (a process start), the interrupt held back
* `helpers.engine.janitor` – a watcher that cleans up after a kernel that was killed
* `helpers.engine.leftovers` – segments, temp dirs and ports a kernel's run left behind
* `helpers.engine.coroutines` – :func:`run_coroutine`: a coroutine run from plain code, bounded, cancelled by ■
* `helpers.engine.scripts` – show a worker's source; run code as a real script in a fresh Python
* `helpers.engine.verdict` – :func:`judge`: a conclusion stated only where this run's figures and the machine
  seen during it support it, else why this run cannot show it

**The drawing** (``helpers/charts/``): the only modules that import matplotlib (with the panels).

* `helpers.charts.figures` – :class:`Chart` (a figure a notebook shows as a PNG) and the figures' shared set-up
* `helpers.charts.plots` – static charts of measured runs: side by side, threads in processes, speed-up, crossover
* `helpers.charts.live_chart` – a run's timeline, drawn as it grows (the control panel) and whole; the history chart
* `helpers.charts.office` – the office picture, with what the notebook measured written under it
* `helpers.charts.io_charts` – the charts of notebooks 12 and 13 (moving data, waiting on I/O)
* `helpers.charts.timeline` – spans per thread, recorded and drawn, to show what start()/join() do
* `helpers.charts.first_import` – matplotlib's first import and drawing, made whole even if ■ lands in it
* `helpers.charts.style` – the one colour palette, the duration and size formats
* `helpers.charts.failures_charts` – the charts of notebooks 18-20 (chunk sizes, map's intake, oversubscription,
  the convoy)

**The subjects**, one module per notebook subject, on the engine (a subject may draw through the charts):

* `helpers.workers` – the functions the article's notebooks run in threads and child processes
* `helpers.advisor` – threads or processes? a recommendation with its reason
* `helpers.claims` – the claims the notebooks conclude from their measurements, each put to the verdict
* `helpers.executors` – pool tasks that record where they ran; a worker that dies
* `helpers.locks` – races, the synchronisation tools, a deadlock that ends by itself
* `helpers.data_transfer`, `helpers.transfer_patterns` – what moving data between processes costs
* `helpers.local_server`, `helpers.fetching`, `helpers.many_files`, `helpers.asyncio_inspect` – real
  waiting: a server on 127.0.0.1, threads vs asyncio, files
* `helpers.waiter_memory` – what one more waiting thread or asyncio task costs, measured in a fresh child
* `helpers.concurrent_requests` – the benchmark's comparison: many simultaneous requests, asyncio vs a thread each
* `helpers.gil_release` – C code that lets go of the GIL, measured on threads
* `helpers.free_threading` – GIL status and what changes without it, both builds measured side by side
  (`helpers.build_workload`: the standard-library-only workload a child interpreter of either build runs)
* `helpers.interpreters` – subinterpreters (3.14+), notebook 16
* `helpers.cluster` – a local Dask cluster, closed on every exit path
* `helpers.cluster_jobs` – what the cluster's workers run; `helpers.cluster_runs` – Dask's task stream as a
  course run, drawn by the course's timeline
* `helpers.cluster_security` – TLS with throw-away credentials: nobody else gets into the course's clusters
* `helpers.course` – the one list of the course (``notebooks/course.toml``)
* `helpers.handout` – notebook 08 hands its measured figures to the cheat sheet
* `helpers.failures_processes`, `helpers.failures_operations`, `helpers.failures_gil`, `helpers.failures_state` –
  notebooks 18-20, when things break: pickling, set-up and pool defaults; too many threads, logs, stopping,
  hangs; the GIL's convoy and a race's window (stdlib only, also run by a free-threaded child); asyncio's edges,
  per-thread and shared state

**The panels** (``helpers/panels/``): widgets on top.

* `helpers.panels.panel` – :class:`LivePanel`: widgets + a chart that grows while a run is under way
* `helpers.panels.cluster_panel` – the Dask cluster's panel (notebook 17)
* `helpers.panels.shown` – what every panel shares as a notebook shows it (the widget, else its last picture)

**On top**: `helpers.exercises` (the checkers, one module per topic), `helpers.bench`
(``python -m helpers.bench``: every figure on this machine, with budgets), `helpers.choose`
(``python -m helpers.choose`` / ``helpers.choose(f, inputs)``: your own function measured every way, with a
recommendation), `helpers.check_install` (the pre-workshop check, ``python -m helpers.check_install``).

The old flat names (``helpers.plots``, ``helpers.harness``, ``helpers.panel``, ...; :data:`MOVED`) still
import: they give the very module at its new place, so notebooks, pickles and monkeypatches see one module.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from typing import Any

#: Modules that moved into the layers, by their old name: ``import helpers.plots`` (a notebook, a test, a
#: pickle) gets the very module object ``helpers.charts.plots``, so an edit, a monkeypatch or a pickled
#: name sees one module. Kept so notebook imports work; new code imports the new path.
MOVED = {
    **{name: f"engine.{name}" for name in ("census", "config", "harness", "interpreter_runs", "machine", "overlap",
                                          "reaper", "relay", "scripts")},
    **{name: f"charts.{name}" for name in ("io_charts", "live_chart", "plots", "style", "timeline")},
    **{name: f"panels.{name}" for name in ("cluster_panel", "panel")},
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import helpers.<old name>`` with the module at its new place (see :data:`MOVED`)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        package, _, name = fullname.rpartition(".")
        if package != __name__ or name not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: Any) -> Any:
        module = importlib.import_module(f"{__name__}.{MOVED[spec.name.rpartition('.')[2]]}")
        spec.loader_state = module.__spec__  # importlib puts the old name's spec on the module next
        return module

    def exec_module(self, module: Any) -> None:
        # Already executed under its new name. Give the module its own spec back, or importlib.reload() would
        # re-run it as ``helpers.<old name>``: a second name for it in tracebacks, walks and pickles.
        module.__spec__ = module.__spec__.loader_state or module.__spec__


if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModules())

from .engine.config import ScaledSeconds, resolve_start_method, seconds, time_scale
from .engine.harness import RunError, RunResult, RunTimedOut, TaskFailed, WorkerDied, check_workers, run
from .engine.relay import Process
from .engine.janitor import start as _start_janitor
from .engine.limits import install as _install_limit_lines
from .engine.reaper import install as _install_reaper

__all__ = [
    "LivePanel", "Process", "RunError", "RunResult", "RunTimedOut", "ScaledSeconds", "TaskFailed", "WorkerDied",
    "check_workers", "choose", "machine_info", "resolve_start_method", "run", "seconds", "time_scale",
]

# In a Jupyter kernel: after every cell (■ included), collect the child processes that have ended.
_install_reaper()
_install_limit_lines()  # a full /dev/shm or `ulimit -u` reached: one line naming it, not a long traceback
_start_janitor()  # in a kernel: a watcher that cleans up after it if it is killed (helpers/engine/janitor.py)

_LAZY = {"LivePanel": "panels.panel", "machine_info": "engine.machine"}


def __getattr__(name: str) -> Any:
    # Lazy: the panel pulls in matplotlib and ipywidgets, which a worker process never needs.
    if name == "choose":  # the subpackage, which is callable: helpers.choose(function, inputs)
        from importlib import import_module

        return import_module(".choose", __name__)
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in MOVED:  # ``helpers.config.gil_enabled()`` after a plain ``import helpers`` (notebooks 04, 08)
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
