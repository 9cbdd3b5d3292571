"""Dask's task stream as a course run (helpers/cluster_runs.py)."""

from __future__ import annotations

from helpers import cluster_runs
from helpers.engine.results import TaskRecord


def test_a_cluster_timeline_has_no_start_up_legend():
    run = cluster_runs.ClusterRun("processes", 1, None, [TaskRecord(0, "k", worker="worker 1 · thread 1",
                                                                       start=0.1, end=0.3)], cluster="cluster 1 × 1")
    run.elapsed, run.status = 0.4, "done"
    chart = cluster_runs.plot_cluster_run(run, "t")
    assert not [t for t in chart.fig.axes[0].texts if t.get_text().startswith("grey")]
    assert chart.png().startswith(b"\x89PNG")


def test_a_task_stream_becomes_one_bar_per_compute():
    stream = [{"worker": "tls://w1", "thread": 7, "key": "a", "status": "memory",
               "startstops": [{"action": "transfer", "start": 10.0, "stop": 10.1},
                              {"action": "compute", "start": 10.1, "stop": 10.5}]},
              {"worker": "tls://w2", "thread": 8, "key": "b", "status": "error",
               "startstops": [{"action": "compute", "start": 10.2, "stop": 10.3}]}]
    run = cluster_runs.cluster_run(stream, 10.0, 0.6, "cluster 2 × 1")
    assert run.label == "cluster 2 × 1" and run.workers == 2 and run.status == "done"
    assert [(t.worker, round(t.start, 2), round(t.end, 2), t.error) for t in run.tasks] == [
        ("worker 1 · thread 1", 0.1, 0.5, None), ("worker 2 · thread 1", 0.2, 0.3, "erred")]
