"""helpers.cluster: the local Dask cluster starts with the course's start method, runs the same
executor code, and leaves nothing behind: not on success, not on an error, not on the stop button."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from helpers import cluster
from helpers.engine.census import live_children
from test_kernel_interrupt import execute, interrupt_when_workers_run, kernel  # noqa: F401  (kernel: a fixture)

pytest.importorskip("distributed")


def test_bad_shapes_are_refused_before_anything_starts():
    for n_workers, threads in [(0, 1), (1, 0), (True, 1), (2.0, 1), (1, "2"), (10_000, 1),
                               (1, cluster.MAX_THREADS_PER_WORKER + 1)]:
        with pytest.raises(ValueError, match="must be a whole number"):
            with cluster.local_cluster(n_workers, threads):
                pass
    assert live_children() == []


def test_unknown_start_method_is_refused():
    with pytest.raises(ValueError, match="start method"):
        with cluster.local_cluster(1, 1, start_method="teleport"):
            pass


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_executor_map_runs_on_worker_processes_and_everything_is_closed(method):
    with cluster.local_cluster(2, 2, start_method=method) as client:
        records = list(client.get_executor().map(cluster.whereabouts, range(8), [0.05] * 8))
        label = cluster.cluster_label(client)
        worker_pids = {p.pid for p in live_children()}
    assert [r["square"] for r in records] == [x * x for x in range(8)]
    assert os.getpid() not in {r["pid"] for r in records}
    assert {r["pid"] for r in records} <= worker_pids
    assert all(r["worker"].startswith("tls://127.0.0.1:") for r in records)  # TLS: helpers.cluster_security
    assert label == "cluster 2 × 2"
    assert live_children() == []


def test_an_error_inside_the_block_still_closes_the_cluster():
    with pytest.raises(ZeroDivisionError):
        with cluster.local_cluster(1, 1) as client:
            client.submit(cluster.burn, 10).result()
            1 / 0
    assert live_children() == []


def test_task_stream_becomes_a_timeline_with_one_lane_per_worker_thread():
    from distributed import get_task_stream

    with cluster.local_cluster(2, 1) as client:
        with get_task_stream(client) as stream:
            t0, start = time.time(), time.perf_counter()
            client.gather(client.map(cluster.wait_job, [0.2] * 4, pure=False))
            elapsed = time.perf_counter() - start
        # A worker shifts its task stream's times by its estimate of the scheduler's clock (half a heartbeat's
        # round trip off at worst: 52 ms once on the loaded CI machine, where the two clocks are one clock).
        shift = max(abs(delay) for delay in client.run(lambda dask_worker: dask_worker.scheduler_delay).values())
    run = cluster.cluster_run(stream.data, t0, elapsed, "cluster 2 × 1")
    assert run.label == "cluster 2 × 1" and len(run.tasks) == 4
    assert {t.worker for t in run.tasks} == {"worker 1 · thread 1", "worker 2 · thread 1"}
    for task in run.tasks:
        assert -shift <= task.start < task.end <= elapsed + 0.05 + shift
        assert task.duration == pytest.approx(0.2, abs=0.1)


def test_a_configured_scheduler_address_is_used_instead_of_a_new_cluster(monkeypatch):
    with cluster.local_cluster(1, 1) as first:
        monkeypatch.setenv(cluster.SCHEDULER_ADDRESS_ENV, first.scheduler.address)
        before = {p.pid for p in live_children()}
        with cluster.local_cluster(3, 3) as second:
            assert second.scheduler.address == first.scheduler.address
            assert {p.pid for p in live_children()} == before  # nothing new was started
            assert second.submit(cluster.whereabouts, 3).result()["square"] == 9


def test_distributed_version_is_reported():
    assert cluster.distributed_version()


def test_dashboard_link_says_why_there_is_none_without_bokeh(monkeypatch):
    monkeypatch.setattr(cluster, "dashboard_available", lambda: False)
    with cluster.local_cluster(1, 1) as client:
        assert "bokeh" in cluster.dashboard_link(client)


# --- the stop button: a real kernel, a real SIGINT, with tests/test_kernel_interrupt.py's tools ---

PLAIN = ("import logging\nfrom distributed import Client, LocalCluster\nfrom helpers.cluster import wait_job\n"
         "with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address='127.0.0.1:0',\n"
         "                  silence_logs=logging.ERROR) as cluster, Client(cluster) as client:\n"
         "    ex = client.get_executor(pure=False)\n"
         "    list(ex.map(wait_job, [30, 30, 30, 30]))\n")


@pytest.mark.skipif(os.name == "nt", reason="signals to a process group are POSIX")
@pytest.mark.parametrize("method, how", [(m, "helper") for m in sorted({cluster.dask_start_method(m) for m in
                                                                         multiprocessing.get_all_start_methods()})]
                         + [(cluster.dask_start_method(), "plain")])
def test_interrupting_a_cluster_run_closes_the_cluster(kernel, method, how):
    """The notebook's two ways: local_cluster(...) and the plain `with LocalCluster(...), Client(...)` line."""
    km, kc, proc = kernel
    if how == "helper":
        code = (f"from helpers.cluster import local_cluster, wait_job\n"
                f"with local_cluster(2, 1, start_method={method!r}) as client:\n"
                f"    ex = client.get_executor(pure=False)\n"
                f"    list(ex.map(wait_job, [30, 30, 30, 30]))\n")
    else:
        execute(kc, f"import dask; dask.config.set({{'distributed.worker.multiprocessing-method': {method!r}}})")
        code = PLAIN
    reply = interrupt_when_workers_run(km, kc, proc, code, expected_workers=2)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    assert reply["seconds_to_return"] < 15
    deadline = time.monotonic() + 5
    while live_children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_children(proc.pid) == [], "cluster processes survived the interrupt"
    # The kernel is still usable and a second cluster works.
    assert execute(kc, f"from helpers.cluster import local_cluster, wait_job\n"
                       f"with local_cluster(1, 1, start_method={method!r}) as client:\n"
                       f"    assert client.submit(wait_job, 0.1).result() == 0.1\n")["status"] == "ok"
    assert live_children(proc.pid) == []


def test_dask_never_forks_the_kernel(monkeypatch):
    for method in multiprocessing.get_all_start_methods():
        chosen = cluster.dask_start_method(method)
        assert chosen != "fork" and (chosen == method or method == "fork")
    monkeypatch.setattr(cluster, "available_start_methods", lambda: ["fork", "spawn"])
    assert cluster.dask_start_method("fork") == "spawn"
    assert cluster.dask_settings("spawn")["distributed.worker.multiprocessing-method"] == "spawn"


def test_without_distributed_later_cells_are_skipped_with_a_message(monkeypatch, capsys):
    class Shell:
        input_transformers_cleanup: list = []

    shell = Shell()
    monkeypatch.setattr(cluster, "distributed_version", lambda: None)
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    assert cluster.skip_rest_without_distributed() is False
    assert "not installed" in capsys.readouterr().out
    [transform] = shell.input_transformers_cleanup
    replaced = "".join(transform(["1 / 0\n"]))
    assert "skipped" in replaced and "1 / 0" not in replaced
    exec(compile(replaced, "<cell>", "exec"))  # runs, prints, raises nothing
