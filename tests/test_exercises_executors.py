"""The executors checker: run_all must bring back every result and every exception from a process pool."""

from __future__ import annotations

import concurrent.futures as cf
import os

import pytest

from helpers.executors import process_context
from helpers.exercises.executors import check_executor_errors


def solution(func, items, method=None):
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=process_context(method)) as pool:
        futures = {pool.submit(func, item): item for item in items}
        results = {}
        for future in cf.as_completed(futures):
            error = future.exception()
            results[futures[future]] = error if error is not None else future.result()
    return results


def with_map(func, items):
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=process_context()) as pool:
        return dict(zip(items, pool.map(func, items)))


def on_threads(func, items):
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {pool.submit(func, item): item for item in items}
        return {item: (f.exception() or f.result()) for f, item in futures.items()}


def dropping_failures(func, items):
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=process_context()) as pool:
        futures = {pool.submit(func, item): item for item in items}
        return {item: (None if f.exception() else f.result()) for f, item in futures.items()}


KEPT_POOLS: list = []


def leaving_workers(func, items):
    # A pool made once (as a learner does in an earlier cell) and never shut down. A pool that is
    # only dropped is shut down by CPython when it is collected, so it would not be a leftover.
    pool = cf.ProcessPoolExecutor(max_workers=2, mp_context=process_context())
    KEPT_POOLS.append(pool)
    futures = {pool.submit(func, item): item for item in items}
    return {item: (f.exception() or f.result()) for f, item in futures.items()}


def test_solution_passes(capsys):
    assert check_executor_errors(solution)
    assert capsys.readouterr().out.startswith("✔")


def test_solution_passes_under_spawn(capsys):
    assert check_executor_errors(lambda func, items: solution(func, items, "spawn")), capsys.readouterr().out


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs os.sched_setaffinity (Linux)")
def test_solution_passes_on_one_cpu(capsys):
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        verdict = check_executor_errors(solution)
    finally:
        os.sched_setaffinity(0, before)
    assert verdict, capsys.readouterr().out


@pytest.mark.parametrize(("answer", "words"), [
    (with_map, "map() re-raises the first error"),
    (on_threads, "ran in this kernel's process"),
    (dropping_failures, "should map to the ValueError"),
    (leaving_workers, "still running"),
])
def test_wrong_answers_fail_and_say_why(answer, words, capsys):
    try:
        verdict = check_executor_errors(answer)
    finally:
        while KEPT_POOLS:  # the checker stopped their workers; close the pools themselves
            KEPT_POOLS.pop().shutdown(wait=True)
    out = capsys.readouterr().out
    assert not verdict and out.startswith("✘") and words in out, out


def test_not_answered_and_not_callable(capsys):
    assert not check_executor_errors(...)
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_executor_errors(3)
    assert "without ()" in capsys.readouterr().out


# --- issue 22 ------------------------------------------------------------------------------

def failures_made_up(func, items):  # gap 4: a ValueError built here for each negative input, never run
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=process_context()) as pool:
        results = {item: pool.submit(func, item) for item in items if item >= 0}
        results = {item: future.result() for item, future in results.items()}
    results.update({item: ValueError(f"negative input: {item}") for item in items if item < 0})
    return results


def pool_dropped(func, items):  # gap 2: never shut down; the garbage collector would end it soon after
    pool = cf.ProcessPoolExecutor(max_workers=2, mp_context=process_context())
    futures = {pool.submit(func, item): item for item in items}
    return {item: (f.exception() or f.result()) for f, item in futures.items()}


def test_issue22_gap4_a_failure_made_in_the_caller_is_refused():
    verdict = check_executor_errors(failures_made_up)
    assert not verdict and verdict.message.startswith("✘"), verdict.message
    assert "never ran in a worker process for [-1, -5]" in verdict.message, verdict.message


def test_issue22_gap2_a_pool_never_shut_down_is_refused_at_once():
    verdict = check_executor_errors(pool_dropped)
    assert not verdict and "1 pool never shut down (ProcessPoolExecutor)" in verdict.message, verdict.message


def test_a_run_all_that_never_returns_is_stopped_in_bounded_time(capsys, monkeypatch):
    import time
    from concurrent.futures import ProcessPoolExecutor as Pool

    from exercise_conditions import stopped_in_time

    def run_all(func, items):  # waits for ever on a task that never ends, inside a with block
        with Pool(2) as pool:
            pool.submit(time.sleep, 3600).result()

    def spins(func, items):  # a busy loop after submitting the work
        pool = Pool(2)
        [pool.submit(func, x) for x in items]
        while True:
            pass

    stopped_in_time(lambda: check_executor_errors(run_all), capsys, monkeypatch)
    stopped_in_time(lambda: check_executor_errors(spins), capsys, monkeypatch)
