"""Dask's task stream as a course run: :func:`cluster_run` turns it into a run the course's timeline draws.

So notebook 17 shows, in the course's own chart (:func:`plot_cluster_run`), what the dashboard's task stream shows:
one bar per task's *compute*, on a lane per worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .charts.figures import Chart
from .charts.plots import plot_run
from .engine.results import RunResult, TaskRecord


@dataclass
class ClusterRun(RunResult):
    """A :class:`RunResult` measured on a Dask cluster: lanes are ``worker N · thread M``."""

    cluster: str = "cluster"

    def __post_init__(self) -> None:
        self.label = self.cluster  # charts name a cluster run by its cluster


def cluster_run(stream: Sequence[dict[str, Any]], t0: float, elapsed: float, label: str) -> ClusterRun:
    """Build a run from ``get_task_stream().data``: one bar per task's *compute* on its worker thread.

    ``t0`` is ``time.time()`` just before the tasks were submitted; ``elapsed`` the wall time
    measured by the caller. Transfers of data between workers, if any, are left out.
    """
    addresses = sorted({entry["worker"] for entry in stream})
    threads: dict[str, list[Any]] = {a: [] for a in addresses}
    tasks: list[TaskRecord] = []
    for entry in sorted(stream, key=lambda e: min(s["start"] for s in e["startstops"])):
        compute = [s for s in entry["startstops"] if s["action"] == "compute"]
        if not compute:
            continue
        known = threads[entry["worker"]]
        if entry.get("thread") not in known:
            known.append(entry.get("thread"))
        lane = f"worker {addresses.index(entry['worker']) + 1} · thread {known.index(entry.get('thread')) + 1}"
        record = TaskRecord(len(tasks), entry["key"], worker=lane, start=compute[0]["start"] - t0,
                            end=compute[-1]["stop"] - t0)
        record.error = "erred" if entry.get("status") == "error" else None
        tasks.append(record)
    result = ClusterRun("processes", len(addresses), None, tasks, cluster=label)
    result.elapsed, result.status = elapsed, "done"
    return result


def plot_cluster_run(result: ClusterRun, title: str | None = None) -> Chart:
    """The course's timeline of a cluster run (no start-up lines: the cluster was up before the run)."""
    chart = plot_run(result, title)
    for text in list(chart.fig.axes[0].texts):
        if text.get_text().startswith("grey"):
            text.remove()
    return chart
