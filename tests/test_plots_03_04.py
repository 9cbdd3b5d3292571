"""plot_speedup and plot_crossover (notebook 04): they draw what they are given, and refuse nonsense."""

from __future__ import annotations

import pytest

from helpers.harness import RunResult
from helpers.plots import Chart, plot_crossover, plot_speedup

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
