"""helpers.charts.plots: static charts draw what they are given, refuse nonsense, and use the one palette."""

from __future__ import annotations

import pytest

from helpers import workers
from helpers.engine.results import RunResult, TaskRecord
from helpers.charts.plots import (Chart, plot_crossover, plot_process_threads, plot_run, plot_runs,
                                  plot_speedup)
from helpers.charts.style import MODE_COLOURS, format_duration

PNG = b"\x89PNG\r\n\x1a\n"


def _run(mode: str, workers: int, elapsed: float) -> RunResult:
    return RunResult(mode, workers, "fork" if mode == "processes" else None, [], elapsed=elapsed, status="done")


def _line(chart: Chart, label: str):
    ax = chart.fig.axes[0]
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_speedup_plots_baseline_over_elapsed_per_mode() -> None:
    runs = [_run("threads", 2, 2.0), _run("threads", 4, 2.1), _run("processes", 1, 2.0),
            _run("processes", 2, 1.0), _run("processes", 4, 1.05)]
    chart = plot_speedup(2.0, runs, cores=2)
    assert chart.png().startswith(PNG)
    processes = _line(chart, "processes")
    assert list(processes.get_xdata()) == [1, 2, 4]
    assert list(processes.get_ydata()) == pytest.approx([1.0, 2.0, 2.0 / 1.05])
    ideal = _line(chart, "ideal (at most 2 cores)")
    assert list(ideal.get_ydata()) == [1, 2, 2, 2]  # flat beyond the cores


def test_speedup_without_cores_has_a_straight_ideal() -> None:
    chart = plot_speedup(3.0, [_run("processes", 3, 1.0)])
    assert list(_line(chart, "ideal").get_ydata()) == [1, 2, 3]


@pytest.mark.parametrize(("baseline", "runs"), [(0.0, [_run("threads", 2, 1.0)]), (1.0, [])])
def test_speedup_refuses_nonsense(baseline: float, runs: list[RunResult]) -> None:
    with pytest.raises(ValueError):
        plot_speedup(baseline, runs)


def test_crossover_marks_the_size_found() -> None:
    chart = plot_crossover([1e4, 1e5, 1e6], [0.001, 0.01, 0.1], [0.02, 0.02, 0.06], crossover=2e5)
    assert chart.png().startswith(PNG)
    texts = [t.get_text() for t in chart.fig.axes[0].texts]
    assert any("200,000" in t for t in texts)
    assert list(_line(chart, "one after another").get_ydata()) == [0.001, 0.01, 0.1]


def test_crossover_says_when_none_was_found() -> None:
    chart = plot_crossover([1e4, 1e5], [0.001, 0.01], [0.02, 0.03])
    assert any("no crossover" in t.get_text() for t in chart.fig.axes[0].texts)


@pytest.mark.parametrize(("sizes", "seq", "proc"), [
    ([1e4, 1e5], [0.1], [0.1, 0.2]),
    ([], [], []),
    ([1e4, 0], [0.1, 0.1], [0.1, 0.1]),
    ([1e4, 1e5], [0.1, -1], [0.1, 0.1]),
])
def test_crossover_refuses_nonsense(sizes: list[float], seq: list[float], proc: list[float]) -> None:
    with pytest.raises(ValueError):
        plot_crossover(sizes, seq, proc)


def test_plot_runs_labels_each_bar_with_its_duration_in_its_mode_colour() -> None:
    chart = plot_runs([_run("sequential", 1, 3.0), _run("threads", 3, 0.25)])
    ax = chart.fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["3 s", "250 ms"]
    faces = [tuple(round(c, 3) for c in patch.get_facecolor()[:3]) for patch in ax.patches]
    from matplotlib.colors import to_rgb
    assert faces == [tuple(round(c, 3) for c in to_rgb(MODE_COLOURS[m])) for m in ("sequential", "threads")]


def test_plot_run_draws_a_lane_per_worker() -> None:
    result = RunResult("threads", 2, None, [TaskRecord(0, 1.0, "thread-1", start=0.0, end=1.0),
                                             TaskRecord(1, 1.0, "thread-2", start=0.1, end=1.1)],
                       elapsed=1.2, status="done")
    chart = plot_run(result)
    assert [t.get_text() for t in chart.fig.axes[0].get_yticklabels()] == ["thread-1", "thread-2"]
    assert chart.png().startswith(PNG)


def test_plot_process_threads_draws_one_lane_per_thread_grouped_by_pid() -> None:
    t0 = 100.0
    spans = [workers.ThreadSpan(name, pid, thread, t0 + 0.1, t0 + 1.1)
             for name, pid in (("Two", 22), ("One", 11)) for thread in ("MainThread", f"{name}-B", f"{name}-A")]
    chart = plot_process_threads(spans, t0, "title")
    assert isinstance(chart, Chart) and chart.png().startswith(PNG)
    ax = chart.fig.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["pid 11 / MainThread", "pid 11 / One-A", "pid 11 / One-B",
                      "pid 22 / MainThread", "pid 22 / Two-A", "pid 22 / Two-B"]
    assert ax.get_xlim()[1] > 1.1  # every bar fits
    assert any(t.get_text().endswith(format_duration(1.0)) for t in ax.texts)
