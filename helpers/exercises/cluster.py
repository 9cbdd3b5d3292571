"""Checker for the Dask exercise: the executor code really ran on a local cluster's worker
processes, and the cluster was closed before the learner's function returned.

What is observed, not taken on trust:
* every task's record comes from :func:`helpers.cluster.slow_square`, which notes the process
  id and the Dask worker address *it ran in*;
* while the learner's function runs, a watcher thread samples this kernel's child processes,
  so the pids in the records must be processes that really lived below this kernel;
* after it returns, none of those processes may still be alive;
* the tasks went through the cluster's ``concurrent.futures`` executor (``client.get_executor()``:
  its ``map`` or ``submit`` are watched while the learner's function runs), and the scheduler,
  asked at that moment, had exactly :data:`WORKERS` workers of one thread each (the shape the
  exercise asks for, read from the cluster itself, not from the code).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import psutil

from ..engine.census import kill_all, live_children
from ..engine.bounded import DidNotReturn, call_within
from .base import NOT_ANSWERED, Verdict, learner_limit, never_returned, report, unanswered

TASKS = 10
#: The cluster's shape that the exercise asks for: this many worker processes, one thread each.
WORKERS = 2
#: Seconds the learner's function may run: a cluster's start and close take seconds on a busy machine.
LIMIT = 180.0


class _ExecutorWatch:
    """While inside: calls of ``ClientExecutor.map``/``submit``, and the scheduler's workers and
    their threads (``Client.nthreads()``) at the first such call."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.nthreads: dict[str, int] | None = None
        self._saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> _ExecutorWatch:
        try:
            from distributed.cfexecutor import ClientExecutor
        except ImportError:
            return self
        for name in ("map", "submit"):
            original = ClientExecutor.__dict__.get(name)
            if original is None:
                continue
            self._saved.append((ClientExecutor, name, original))
            setattr(ClientExecutor, name, self._noting(name, original))
        return self

    def _noting(self, name: str, original: Any) -> Any:
        watch = self

        def method(executor: Any, *args: Any, **kwargs: Any) -> Any:
            watch.calls.append(name)
            if watch.nthreads is None:
                try:
                    watch.nthreads = dict(executor._client.nthreads())
                except Exception:  # the shape stays unknown; nothing is judged on it
                    watch.nthreads = {}
            return original(executor, *args, **kwargs)
        return method

    def __exit__(self, *exc: Any) -> None:
        while self._saved:
            owner, name, original = self._saved.pop()
            setattr(owner, name, original)
HINT = ("Inside `with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, "
        "Client(cluster) as client:` use `client.get_executor()` and its `map(slow_square, range(10))`, "
        "and return the list of records.")


class _Watcher(threading.Thread):
    """Samples the pids of this process's descendants until stopped."""

    def __init__(self) -> None:
        super().__init__(name="cluster-check-watcher", daemon=True)
        self.seen: set[int] = set()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.seen.update(p.pid for p in live_children())
            self._stop_event.wait(0.02)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)


def _open_dask_objects() -> set[Any]:
    """Clients and clusters of this process that are not closed (empty without distributed)."""
    try:
        from distributed import Client
        from distributed.deploy.spec import SpecCluster
    except ImportError:
        return set()
    clients = {c for c in list(getattr(Client, "_instances", ())) if c.status not in ("closed", "closing")}
    clusters = {c for c in list(getattr(SpecCluster, "_instances", ())) if str(c.status) not in
                ("Status.closed", "Status.closing")}
    return clients | clusters


def _close_left_open(objects: set[Any]) -> None:
    for obj in objects:
        try:
            obj.close(timeout=10)
        except Exception:
            pass


def check_cluster_map(squares_on_cluster: Any, limit: float | None = None) -> Verdict:
    """``squares_on_cluster()`` must map :func:`~helpers.cluster.slow_square` over ``range(10)`` on a
    local Dask cluster of at least two worker *processes*, return the ten records, and close the cluster.

    ``limit``: seconds it may run (default :data:`LIMIT`, or ``$COURSE_CHECK_TIMEOUT``); past it, it is
    stopped, what it opened is closed and its processes ended, and the ✘ line says so."""
    if unanswered(squares_on_cluster):
        return report(False, NOT_ANSWERED)
    if not callable(squares_on_cluster):
        return report(False, "Pass the function itself: check_cluster_map(squares_on_cluster), without ().")
    before_pids = {p.pid for p in live_children()}
    before_open = _open_dask_objects()
    watcher = _Watcher()
    watcher.start()
    executor = _ExecutorWatch()
    started = time.perf_counter()
    limit = learner_limit(LIMIT) if limit is None else limit

    def observed() -> Any:
        with executor:
            return squares_on_cluster()

    try:
        records = call_within(observed, limit)
    except DidNotReturn:  # a function that never returns: stopped, its cluster closed, its processes ended
        watcher.stop()
        _clean_up(before_pids, before_open)
        return never_returned("squares_on_cluster", limit)
    except Exception as exc:  # the learner's bug is reported, not raised
        watcher.stop()
        _clean_up(before_pids, before_open)
        return report(False, f"squares_on_cluster() raised {type(exc).__name__}: {exc}", HINT)
    finally:
        watcher.stop()
    elapsed = time.perf_counter() - started
    left_open = _open_dask_objects() - before_open
    still_alive = [p for p in live_children() if p.pid not in before_pids]
    _clean_up(before_pids, before_open)

    if records is ... or records is None:
        return report(False, f"squares_on_cluster() returned {records!r}: its body still holds `...` "
                      "or it has no `return` of the records.", HINT)
    try:
        records = list(records)
        squares = [r["square"] for r in records]
        pids = {r["pid"] for r in records}
        workers = {r["worker"] for r in records}
    except (TypeError, KeyError):
        return report(False, "squares_on_cluster() must return the records that slow_square returned "
                      "(dicts with 'square', 'pid', 'worker'), one per number.", HINT)
    if squares != [x * x for x in range(TASKS)]:
        return report(False, f"Expected the squares of 0..{TASKS - 1} in order; got {squares!r}.", HINT)
    if os.getpid() in pids:
        where = ("on a Dask worker living as threads inside this kernel (processes=False)" if any(workers)
                 else "in this kernel (threads, or no pool at all)")
        return report(False, f"The tasks ran {where}: every record carries this kernel's pid {os.getpid()}.",
                      "Ask LocalCluster for worker processes: processes=True.")
    if not all(workers):
        return report(False, f"The tasks ran in {len(pids)} plain child process(es), not on Dask workers: "
                      "no record has a worker address.", "Use client.get_executor() instead of a "
                      "ProcessPoolExecutor: the code is the same, the executor is the cluster's.")
    if not pids <= watcher.seen:
        return report(False, "The records name processes that were never children of this kernel.", HINT)
    if left_open or still_alive:
        return report(False, f"When squares_on_cluster() returned, {len(still_alive)} cluster process(es) "
                      f"were still running and {len(left_open)} client/cluster object(s) were open "
                      "(the checker closed them).",
                      "Open the cluster and the client with `with ... as ...:` so both close on every exit path.")
    if len(pids) < 2 or len(workers) < 2:
        return report(False, f"All {TASKS} tasks ran on one worker process (pid {min(pids)}).",
                      "Give the cluster two worker processes: n_workers=2.")
    if not executor.calls:
        return report(False, f"The {TASKS} tasks ran on the cluster, but not through its executor: "
                      "client.get_executor()'s map or submit was never called (Client.map, submit or "
                      "compute are Dask's own API).", "ex = client.get_executor(); list(ex.map(slow_square, "
                      "range(10))): the same code as for a ThreadPoolExecutor.")
    if executor.nthreads:
        counts = sorted(executor.nthreads.values())
        if len(counts) != WORKERS or any(n != 1 for n in counts):
            return report(False, f"The cluster had {len(counts)} worker{'s' if len(counts) != 1 else ''} with "
                          f"{', '.join(map(str, counts))} thread{'s' if counts != [1] else ''} each (asked of its "
                          f"scheduler when the tasks were sent); the exercise asks for {WORKERS} worker "
                          "processes with 1 thread each.", "LocalCluster(n_workers=2, threads_per_worker=1, "
                          "processes=True)")
    return report(True, f"{TASKS} tasks went through the cluster's executor to {len(workers)} Dask worker processes "
                  f"of {'one thread each' if executor.nthreads else 'unknown threads'} (pids "
                  f"{', '.join(map(str, sorted(pids)))}, none of them this kernel), and the cluster was "
                  f"closed: nothing of it was left running. Cluster start, run and close took {elapsed:.1f} s.")


def _clean_up(before_pids: set[int], before_open: set[Any]) -> None:
    """Close what the learner left open, then end any process of theirs still alive."""
    _close_left_open(_open_dask_objects() - before_open)
    left = [p for p in live_children() if p.pid not in before_pids]
    _, survivors = psutil.wait_procs(left, timeout=5)
    kill_all(survivors)
