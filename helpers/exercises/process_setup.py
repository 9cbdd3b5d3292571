"""Checker for notebook 18 (when processes break): workers get their set-up through ``initializer=``."""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
from typing import Any

from .base import Verdict, call_learner, check_function, report

#: The keys the checker asks for: a dozen, so that both workers of a pool read some of them.
KEYS = ["model", "threshold"] * 6


def _fresh_start_context() -> Any:
    """A context whose workers start fresh (forkserver where there is one, else spawn): never fork,
    whose copy of this kernel would hide a missing set-up."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class _WorkerWatch:
    """Polls this process's children (fork server's included) every 10 ms in a thread, while a ``with`` block runs."""

    def __init__(self) -> None:
        from ..engine.census import live_children

        self._live = live_children
        self._before = {p.pid for p in live_children()}
        self.most_at_once = 0
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="course-checker-watch", daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                pids = {p.pid for p in self._live()} - self._before
            except Exception:  # a process that ended while being read: next round
                pids = set()
            self.seen |= pids
            self.most_at_once = max(self.most_at_once, len(pids))
            self._stop.wait(0.01)

    def __enter__(self) -> _WorkerWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def check_initializer(run_with_settings: Any) -> Verdict:
    """``run_with_settings(settings, keys, context)`` must run ``read_setting`` for each key on a 2-worker
    ``ProcessPoolExecutor`` of ``context`` whose workers were each configured by ``configure(settings)``.

    Observed, not trusted: the settings are random, the context starts workers fresh (forkserver or spawn),
    each :class:`helpers.failures_processes.SettingSeen` says which process read the key, how often
    ``configure`` ran there and whether it ran in that very process (not copied from this kernel); a thread
    of the checker counts the worker processes while the answer runs.
    """
    from ..failures_processes import SETTINGS, SettingSeen, forget_settings

    name = "run_with_settings"
    failed = check_function(run_with_settings, name, "check_initializer")
    if failed is not None:
        return failed
    token = random.randint(1000, 9999)
    settings = {"model": f"model-{token}", "threshold": round(random.uniform(0.1, 0.9), 3)}
    context = _fresh_start_context()
    method = context.get_start_method()
    forget_settings()
    try:
        with _WorkerWatch() as watch:
            got, _, failed = call_learner(lambda: run_with_settings(dict(settings), list(KEYS), context), name,
                                          hint="Read the error above; the pool needs initializer=configure, "
                                               "initargs=(settings,).",
                                          leftover_hint="Use the executor in a with block, so its workers end.")
        configured_in_kernel = bool(SETTINGS)
    finally:
        forget_settings()
    if failed is not None:
        return failed
    if not isinstance(got, list) or len(got) != len(KEYS):
        shown = f"{type(got).__name__} of length {len(got)}" if hasattr(got, "__len__") else type(got).__name__
        return report(False, f"{name}() returned {shown}; it should return a list of {len(KEYS)} results, one per key.",
                      "Return list(pool.map(read_setting, keys)).")
    if not all(isinstance(seen, SettingSeen) for seen in got):
        return report(False, f"{name}() returned something else than read_setting's results (first: {got[0]!r:.80}).",
                      "Return what read_setting returned in the workers, unchanged.")
    if [seen.key for seen in got] != KEYS:
        return report(False, "The results are not in the order of the keys.", "pool.map keeps the input order.")
    here = os.getpid()
    if any(seen.pid == here for seen in got):
        return report(False, f"read_setting ran in this kernel (pid {here}), not in the pool's workers.",
                      "Let the pool run it: pool.map(read_setting, keys).")
    unset = [seen for seen in got if seen.value is None]
    if unset:
        where = ("configure() ran in this kernel, but the workers never saw it: a " + method + " worker starts "
                 "fresh" if configured_in_kernel else "the workers were never configured")
        return report(False, f"{len(unset)} of {len(KEYS)} keys were read as None: {where}.",
                      "Pass initializer=configure, initargs=(settings,) to ProcessPoolExecutor: the pool then "
                      "runs configure(settings) in each worker as it starts.")
    if any(seen.value != settings[seen.key] for seen in got):
        return report(False, "The workers saw other settings than the ones passed to your function.",
                      "Pass the settings argument itself in initargs=(settings,).")
    if not all(seen.configured_here for seen in got):
        return report(False, "The workers' settings were copied from this kernel by fork, not set up in them.",
                      "Use the context you are given (mp_context=context) and initializer=configure.")
    if any(seen.configured_as_task for seen in got):
        return report(False, "configure() ran as one of the pool's tasks (pool.submit or map), so only the worker "
                      "that happened to take it was set up: the others read None whenever they get a key.",
                      "initializer=configure, initargs=(settings,) runs it in every worker as it starts.")
    again = sorted({seen.configured for seen in got if seen.configured != 1})
    if again:
        return report(False, f"configure() ran {again[-1]} times in one worker: it was sent as a task, "
                      "not run once as each worker started.",
                      "initializer=configure runs it exactly once per worker, before its first task.")
    pids = {seen.pid for seen in got}
    workers = max(watch.most_at_once, len(pids))
    if workers < 2:
        return report(False, f"Only {workers} worker process was seen; the exercise asks for a pool of 2.",
                      "ProcessPoolExecutor(max_workers=2, ...).")
    return report(True, f"{len(KEYS)} keys read in {len(pids)} {method} worker process(es), each configured once as "
                  f"it started, by the initializer: {settings['model']!r}, threshold {settings['threshold']}.")
