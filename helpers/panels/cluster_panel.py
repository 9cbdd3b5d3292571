"""A small control panel for a local Dask cluster: the learner picks worker processes × threads
per worker and the kind of job, presses Run, and sees the task stream as the course's timeline.

Every run starts its own cluster inside :func:`helpers.cluster.local_cluster` and closes it
before the run returns (the stop button included), so nothing is left between runs.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any

import ipywidgets as widgets

from ..cluster import MAX_THREADS_PER_WORKER, check_cluster_shape, cluster_label, local_cluster
from ..cluster_jobs import burn, wait_job
from ..cluster_runs import ClusterRun, cluster_run, plot_cluster_run
from ..engine import validate
from ..engine.config import MAX_TASKS, max_processes
from .shown import ShownPanel

JOBS = {"compute": burn, "wait": wait_job}
#: Largest size of one task per job: numbers to sum (about 4 s in pure Python), seconds to wait.
MAX_SIZES = {"compute": 50_000_000, "wait": 60.0}


class ClusterPanel(ShownPanel):
    """Sliders for ``n_workers`` and ``threads_per_worker``, a job menu, a Run button and a timeline.

    ``sizes``: the argument of one task for each job (numbers to sum for ``"compute"``, seconds
    for ``"wait"``); ``tasks``: how many tasks a run has. ``results`` keeps every finished run.
    """

    def __init__(self, sizes: dict[str, float], *, tasks: int = 8, n_workers: int = 2,
                 threads_per_worker: int = 1, job: str = "compute") -> None:
        if not isinstance(sizes, dict) or set(sizes) != set(JOBS):
            raise ValueError(f"sizes must give a positive size for each of {', '.join(JOBS)}; got {sizes!r}.")
        for job_name, size in sizes.items():
            validate.number(size, f"sizes[{job_name!r}]", 0, MAX_SIZES[job_name], low_open=True,
                            unit="seconds" if job_name == "wait" else "numbers")
        validate.whole_number(tasks, "tasks", 1, MAX_TASKS)
        check_cluster_shape(n_workers, threads_per_worker)
        self._check_job(job)
        self.sizes, self.tasks = dict(sizes), tasks
        self.results: list[ClusterRun] = []
        self._handle: Any = None
        style = {"description_width": "initial"}
        self.n_workers = widgets.IntSlider(n_workers, 1, max_processes(), description="worker processes", style=style)
        self.threads = widgets.IntSlider(threads_per_worker, 1, MAX_THREADS_PER_WORKER,
                                         description="threads per worker", style=style)
        self.job = widgets.Dropdown(options=list(JOBS), value=job, description="job")
        self.button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.button.on_click(lambda _button: self._run())
        self.status = widgets.HTML("Choose a cluster shape and press Run.")
        self.chart = widgets.Image(format="png")
        self.box = widgets.VBox([widgets.HBox([self.n_workers, self.threads]),
                                 widgets.HBox([self.job, self.button]), self.status, self.chart])

    @staticmethod
    def _check_job(job: str) -> None:
        if job not in JOBS:
            raise ValueError(f"job={job!r} is not one of {', '.join(JOBS)}.")

    def _root(self) -> Any:
        return self.box

    def _picture(self) -> bytes:
        return bytes(self.chart.value)

    def run(self, n_workers: int | None = None, threads_per_worker: int | None = None,
            job: str | None = None) -> ClusterRun | None:
        """Set the widgets, show the panel, run once and return the run (``None`` if it did not finish)."""
        check_cluster_shape(n_workers or self.n_workers.value, threads_per_worker or self.threads.value)
        if job is not None:
            self._check_job(job)
        return self._run_in_cell([(self.job, job), (self.n_workers, n_workers), (self.threads, threads_per_worker)],
                                 self._run)

    def _run(self) -> ClusterRun | None:
        from distributed import get_task_stream

        job, n, threads = self.job.value, self.n_workers.value, self.threads.value
        self.button.disabled = True
        self.status.value = escape(f"Starting a cluster of {n} × {threads} and running {self.tasks} '{job}' tasks…")
        result = None
        try:
            begun = time.perf_counter()
            with local_cluster(n, threads) as client:
                started = time.perf_counter() - begun
                executor = client.get_executor(pure=False)
                with get_task_stream(client) as stream:
                    t0, start = time.time(), time.perf_counter()
                    list(executor.map(JOBS[job], [self.sizes[job]] * self.tasks))
                    elapsed = time.perf_counter() - start
                result = cluster_run(stream.data, t0, elapsed, cluster_label(client))
            self.results.append(result)
            self.chart.value = plot_cluster_run(result, title=f"{self.tasks} '{job}' tasks on {result.label}: "
                                                      f"{elapsed:.2f} s (cluster start {started:.1f} s)").png()
            self.status.value = escape(f"Done: {elapsed:.2f} s for the tasks, {started:.1f} s to start the "
                                       "cluster; it is closed again. Change something and run again.")
        except KeyboardInterrupt:
            self.status.value = "Interrupted: the cluster was closed and its processes ended."
        except Exception as exc:  # shown in the panel rather than as a traceback in a log
            self.status.value = escape(f"{type(exc).__name__}: {exc}")
        finally:
            self.button.disabled = False
        return result
