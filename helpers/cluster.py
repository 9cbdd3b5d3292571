"""Dask distributed for the course: a local cluster that is always closed on every exit path.

The executors' ``submit``/``map`` code runs unchanged on a Dask cluster. This module holds

* :func:`local_cluster`, a context manager that starts ``LocalCluster`` + ``Client`` with
  the course's start method, quiet logs, a loopback-only dashboard and TLS with temporary
  credentials (:mod:`helpers.cluster_security`: no other user of the machine can connect and run
  code as the learner), and closes both on
  every exit path (the stop button included), then waits for the worker processes to end;
  if a scheduler address is configured (``DASK_SCHEDULER_ADDRESS``) it connects there instead;
* whether ``distributed`` is there (:func:`distributed_version`), and the cluster's address, dashboard and label.

What the workers run is in :mod:`helpers.cluster_jobs`; the task stream drawn as a course run in
:mod:`helpers.cluster_runs`. Notebook 17 imports both from here too (:data:`__all__`).

``distributed`` is imported only when a cluster is asked for: ``import helpers.cluster``
works without it, and :func:`distributed_version` says whether it is there.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psutil

from .cluster_jobs import burn, noop, payload_size, slow_square, wait_job, whereabouts
from .cluster_runs import ClusterRun, cluster_run, plot_cluster_run
from .cluster_security import course_security, secure_by_default
from .engine import validate
from .engine.census import kill_all, live_children
from .engine.config import available_start_methods, max_processes, resolve_start_method
from .engine.machine import importable
from .engine.results import TaskRecord

#: What notebook 17 imports from here; the jobs and the run live next door (cluster_jobs, cluster_runs).
__all__ = ["MAX_THREADS_PER_WORKER", "SCHEDULER_ADDRESS_ENV", "START_TIMEOUT", "ClusterRun", "TaskRecord", "burn",
           "check_cluster_shape", "cluster_label", "cluster_run", "dashboard_available", "dashboard_link",
           "dask_settings", "dask_start_method", "distributed_version", "local_cluster", "noop", "payload_size",
           "plot_cluster_run", "quiet_dask", "scheduler_address", "skip_rest_without_distributed", "slow_square",
           "wait_job", "whereabouts"]

MAX_THREADS_PER_WORKER = 16
#: Longest a cluster may take to start or to close before the run is abandoned.
START_TIMEOUT = 60.0
SCHEDULER_ADDRESS_ENV = "DASK_SCHEDULER_ADDRESS"


# --- is distributed there? -----------------------------------------------------------------

def distributed_version() -> str | None:
    """The installed ``distributed`` version, or ``None`` when it cannot be imported."""
    try:
        import distributed
    except Exception:  # missing, or broken on this Python: the notebook says so and skips
        return None
    return str(distributed.__version__)


def skip_rest_without_distributed() -> bool:
    """True when ``distributed`` is importable; otherwise say so and skip the notebook's later cells.

    In IPython, every later cell is replaced by a one-line message (no error), so the notebook
    still runs from top to bottom where Dask cannot be installed.
    """
    if distributed_version() is not None:
        return True
    message = ("distributed (Dask) is not installed for this Python, so this notebook skips its cells. "
               "Install it with `pip install distributed` (it brings dask) and restart the kernel.")
    print(message)
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is not None:
        shell.input_transformers_cleanup.append(lambda lines: [f"print({'skipped: distributed is not installed'!r})\n"])
    return False


# --- the cluster -----------------------------------------------------------------------------

# A plain `LocalCluster(...)` / `Client(cluster)` typed in a cell of a kernel that imported this module
# is secured too (notebook 17's first cluster, its exercise and the exercise's checker): Dask's
# configuration now requires TLS with this kernel's temporary credentials (helpers.cluster_security).
if distributed_version() is not None:
    secure_by_default()


def check_cluster_shape(n_workers: Any, threads_per_worker: Any) -> tuple[int, int]:
    """Return ``(n_workers, threads_per_worker)`` if sensible, else raise ``ValueError``."""
    limit = max_processes()
    for name, value, top in (("n_workers", n_workers, limit), ("threads_per_worker", threads_per_worker,
                                                                  MAX_THREADS_PER_WORKER)):
        validate.whole_number(value, name, 1, top,
                              context=f" on this {os.cpu_count()}-core machine" if name == "n_workers" else "")
    return n_workers, threads_per_worker


def scheduler_address() -> str | None:
    """The address of an existing cluster to use instead of a local one (``$DASK_SCHEDULER_ADDRESS``)."""
    import dask

    address = dask.config.get("scheduler-address", None) or os.environ.get(SCHEDULER_ADDRESS_ENV)
    return str(address) if address else None


def dashboard_available() -> bool:
    """Dask's dashboard needs ``bokeh``; without it the cluster runs without one."""
    return importable("bokeh")


def quiet_dask() -> None:
    """Keep Dask's log lines (workers starting and stopping, comms closing) out of the notebook's outputs."""
    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # Dask's advice to scatter big arguments: the notebook measures that instead of printing the advice.
    warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)


def dask_start_method(start_method: str | None = None) -> str:
    """The start method for Dask's worker processes: the course's, except that *fork* becomes
    *forkserver* (or *spawn* where there is no fork server).

    A forked worker is a copy of this kernel, taken while Dask's own threads run in it; the copy
    inherits their locks and thread pools but not the threads, and can hang on first use (seen
    here with Dask's offload thread pool). Dask's own default is spawn.
    """
    method = resolve_start_method(start_method)
    if method != "fork":
        return method
    return "forkserver" if "forkserver" in available_start_methods() else "spawn"


def dask_settings(start_method: str | None = None) -> dict[str, Any]:
    """Dask configuration for the course: its start method (:func:`dask_start_method`), no load
    warnings, no memory limits.

    Dask starts worker processes with its own setting (``distributed.worker.multiprocessing-method``,
    spawn by default), not with ``multiprocessing``'s default.
    """
    return {"distributed.worker.multiprocessing-method": dask_start_method(start_method),
            # "Event loop was unresponsive" warnings are noise on a busy 2-core machine.
            "distributed.admin.tick.limit": "1h",
            # A worker never pauses or spills because other programs use memory.
            "distributed.worker.memory.target": False, "distributed.worker.memory.spill": False,
            "distributed.worker.memory.pause": False, "distributed.worker.memory.terminate": False}


@contextmanager
def local_cluster(n_workers: int = 2, threads_per_worker: int = 1, *, processes: bool = True,
                  start_method: str | None = None, dashboard: bool = True) -> Iterator[Any]:
    """A ``distributed.Client`` on a ``LocalCluster`` of ``n_workers`` × ``threads_per_worker``.

    Worker processes start with :func:`dask_start_method` (the course's, but never fork). Every
    connection is TLS with this kernel's temporary credentials (:func:`course_security`), so
    addresses are ``tls://127.0.0.1:<port>`` and a client without them is refused. The
    scheduler's web server (the dashboard, when ``bokeh`` is installed) listens on 127.0.0.1 only,
    on a free port; ``dashboard=False`` turns it off. On leaving the block, normally or by an
    exception or ``KeyboardInterrupt``, the client and the cluster are closed and every process
    they started is awaited (and killed if it outlives the close by 5 s).

    With ``$DASK_SCHEDULER_ADDRESS`` set, the client connects to that scheduler instead and
    the shape arguments are ignored: the same code runs on a real cluster.
    """
    check_cluster_shape(n_workers, threads_per_worker)
    settings = dask_settings(start_method)
    import dask
    from distributed import Client, LocalCluster

    quiet_dask()
    address = scheduler_address()
    if address:
        with Client(address, timeout=START_TIMEOUT) as client:
            yield client
        return
    cluster = client = None
    before = {p.pid for p in live_children()}
    try:
        with dask.config.set(settings):
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                                   processes=processes, host="127.0.0.1", silence_logs=logging.CRITICAL,
                                   security=course_security(),
                                   dashboard_address="127.0.0.1:0" if dashboard else None,
                                   memory_limit=0)
            client = Client(cluster, timeout=START_TIMEOUT)
            yield client
    finally:
        _close(client, cluster, before)


def _close(client: Any, cluster: Any, before: set[int]) -> None:
    """Close the client, then the cluster; then wait for (or kill) every process started since ``before``."""
    try:
        if client is not None:
            client.close(timeout=10)
        if cluster is not None:
            cluster.close(timeout=10)
    finally:
        started = [p for p in live_children() if p.pid not in before]
        _, survivors = psutil.wait_procs(started, timeout=5)
        kill_all(survivors)


def dashboard_link(client: Any) -> str:
    """Where the dashboard is, or why there is none (for a learner to read)."""
    if getattr(client, "cluster", None) is not None and not dashboard_available():
        return "no dashboard here: it needs bokeh (`pip install bokeh`), which the course does not install"
    link = client.dashboard_link if getattr(getattr(client, "cluster", None), "dashboard_link", None) else None
    return f"dashboard: {link}" if link else "no dashboard on this cluster"


def cluster_label(client: Any) -> str:
    """``"cluster 2 × 1"``: worker processes × threads per worker, as the scheduler reports them."""
    info = client.scheduler_info(n_workers=-1) if _takes_n_workers(client) else client.scheduler_info()
    workers = info["workers"].values()
    threads = sorted({w["nthreads"] for w in workers})
    return f"cluster {len(workers)} × {'/'.join(map(str, threads)) or 0}"


def _takes_n_workers(client: Any) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters
