"""The Dask exercise's checker: the solution passes (also under spawn and on one CPU); answers that
skip the lesson (threads, a plain process pool, an in-kernel cluster, one worker, a cluster left
running, made-up results) fail with a message that names the mistake."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from helpers.engine.census import live_children
from helpers.cluster import slow_square

distributed = pytest.importorskip("distributed")
from distributed import Client, LocalCluster  # noqa: E402

from helpers.exercises.cluster import check_cluster_map  # noqa: E402


def solution():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
        ex = client.get_executor()
        return list(ex.map(slow_square, range(10)))


def verdict_of(answer, capsys):
    verdict = check_cluster_map(answer)
    out = capsys.readouterr().out
    assert live_children() == [], "the checker must leave nothing running"
    return verdict, out


def test_the_solution_passes(capsys):
    verdict, out = verdict_of(solution, capsys)
    assert verdict, out
    assert "2 Dask worker processes" in out and "closed" in out


def test_the_solution_passes_under_spawn_on_one_cpu(capsys):
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("CPU affinity is Linux-only")
    import dask

    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(saved)})
    try:
        with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
            verdict, out = verdict_of(solution, capsys)
    finally:
        os.sched_setaffinity(0, saved)
    assert verdict, out


@pytest.mark.parametrize("pool, mistake", [(ThreadPoolExecutor, "in this kernel"),
                                           (ProcessPoolExecutor, "not on Dask workers")])
def test_a_pool_of_one_machine_fails(capsys, pool, mistake):
    def on_a_pool():
        with pool(2) as ex:
            return list(ex.map(slow_square, range(10)))

    verdict, out = verdict_of(on_a_pool, capsys)
    assert not verdict and mistake in out


def test_an_in_kernel_cluster_fails(capsys):
    def in_kernel():
        with LocalCluster(n_workers=2, processes=False) as cluster, Client(cluster) as client:
            return list(client.get_executor().map(slow_square, range(10)))

    verdict, out = verdict_of(in_kernel, capsys)
    assert not verdict and "processes=False" in out


def test_one_worker_fails(capsys):
    def one():
        with LocalCluster(n_workers=1, threads_per_worker=2, processes=True) as cluster, Client(cluster) as client:
            return list(client.get_executor().map(slow_square, range(10)))

    verdict, out = verdict_of(one, capsys)
    assert not verdict and "one worker process" in out


def test_a_cluster_left_running_fails_and_is_closed(capsys):
    def left_open():
        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True))
        return list(client.get_executor().map(slow_square, range(10)))

    verdict, out = verdict_of(left_open, capsys)
    assert not verdict and "still running" in out and "with" in out


def test_made_up_results_fail(capsys):
    verdict, out = verdict_of(lambda: [x * x for x in range(10)], capsys)
    assert not verdict and "records" in out
    fake = [{"x": x, "square": x * x, "pid": 1, "worker": "tcp://127.0.0.1:1"} for x in range(10)]
    verdict, out = verdict_of(lambda: fake, capsys)
    assert not verdict and "never children of this kernel" in out


def test_wrong_numbers_fail(capsys):
    def half():
        with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
            return list(client.get_executor().map(slow_square, range(5)))

    verdict, out = verdict_of(half, capsys)
    assert not verdict and "squares of 0..9" in out


def test_unanswered_body_noncallable_and_raising(capsys):
    verdict, out = verdict_of(..., capsys)
    assert not verdict and "Not answered" in out
    verdict, out = verdict_of(42, capsys)
    assert not verdict and "function itself" in out

    def body_left():
        ...

    verdict, out = verdict_of(body_left, capsys)
    assert not verdict and "still holds `...`" in out

    def raises():
        raise RuntimeError("boom")

    verdict, out = verdict_of(raises, capsys)
    assert not verdict and "RuntimeError: boom" in out


# --- issue 22 gap 5: the shape asked for, and the API that ran the work -------------------------

def four_threads_per_worker():
    with LocalCluster(n_workers=2, threads_per_worker=4, processes=True) as cluster, Client(cluster) as client:
        return list(client.get_executor().map(slow_square, range(10)))


def client_map_instead():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
        return client.gather(client.map(slow_square, range(10)))


def test_issue22_gap5_threads_per_worker_are_observed(capsys):
    verdict, out = verdict_of(four_threads_per_worker, capsys)
    assert not verdict and "with 4, 4 threads each" in out, out


def test_issue22_gap5_the_executor_must_run_the_work(capsys):
    verdict, out = verdict_of(client_map_instead, capsys)
    assert not verdict and "not through its executor" in out, out


def test_a_function_that_never_returns_is_stopped_and_its_cluster_closed(capsys, monkeypatch):
    import time

    from exercise_conditions import stopped_in_time

    def squares_on_cluster():
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
            return client.get_executor().submit(time.sleep, 3600).result()

    # The cluster must start before the limit for this to test the stop of a running cluster.
    out = stopped_in_time(lambda: check_cluster_map(squares_on_cluster, limit=None), capsys, monkeypatch,
                          limit=20.0, most=60.0)
    assert "squares_on_cluster()" in out
