"""helpers.charts.live_chart: the panel's live timeline draws the axes once and then only what moves."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from helpers.engine.results import RunResult, TaskRecord
from helpers.charts.live_chart import HistoryPoint, LiveTimeline, history_png, side_by_side

JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG"


def _result(now: float, finished: int) -> RunResult:
    tasks = [TaskRecord(i, 0.5, f"thread-{i % 2 + 1}", start=0.5 * (i // 2),
                        end=0.5 * (i // 2 + 1) if i < finished else None) for i in range(4)]
    return RunResult("threads", 2, None, tasks, elapsed=now, status="running" if finished < 4 else "done")


def test_frames_are_blitted_on_one_full_draw_until_the_run_outlasts_its_axis():
    live = LiveTimeline()
    assert live.begin(2, "threads", expected=1.0).startswith(JPEG)
    for step in range(1, 5):
        assert live.frame(_result(0.2 * step, finished=min(step, 2))).startswith(JPEG)
    assert (live.full_draws, live.frames) == (1, 4)
    live.frame(_result(2.5, finished=3))  # past the axis: it doubles, one more full draw
    assert live.full_draws == 2
    assert live.finish(_result(1.0, finished=4)).startswith(PNG)


def test_history_and_side_by_side_make_one_picture():
    history = [HistoryPoint("sequential", 1, 2.0), HistoryPoint("threads", 2, 1.0)]
    left = history_png(history, cpu_count=2)
    right = history_png([], cpu_count=None)
    joined = Image.open(io.BytesIO(side_by_side(left, right)))
    widths = [Image.open(io.BytesIO(p)).width for p in (left, right)]
    assert joined.width == sum(widths)


# --- readable charts (issue 25): nothing clipped, no zigzag, whole workers ---------------------------------------

def test_the_longest_lane_name_is_not_cut_at_the_left_edge():
    from helpers.live_chart import LiveTimeline

    timeline = LiveTimeline()
    timeline.begin(1, "sequential", 1.0, "4 tasks, sequential")
    renderer = timeline.fig.canvas.get_renderer()
    labels = [t for t in timeline.ax.get_yticklabels() if t.get_text()]
    assert labels and labels[0].get_text() == "sequential-1"
    assert all(t.get_window_extent(renderer).x0 >= 0 for t in labels)


def test_the_history_has_whole_worker_ticks_and_draws_the_fastest_of_repeated_counts():
    from matplotlib.figure import Figure

    from helpers.live_chart import HistoryPoint, draw_history

    ax = Figure().add_subplot()
    draw_history(ax, [HistoryPoint("threads", 1, 4.0)], cpu_count=2)
    assert list(ax.get_xticks()) == [1, 2]
    ax = Figure().add_subplot()
    draw_history(ax, [HistoryPoint("processes", 2, 2.1), HistoryPoint("processes", 2, 2.6),
                      HistoryPoint("processes", 4, 1.9)], cpu_count=2)
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [2, 4] and list(line.get_ydata()) == [2.1, 1.9]
    assert "fastest" in line.get_label()


class _Image:
    """What the panel's charts draw into: an ipywidgets.Image's value, format and hold_sync()."""

    def __init__(self):
        self.value, self.format, self.shown = b"", "png", []

    def hold_sync(self):
        import contextlib

        return contextlib.nullcontext()

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "value" and value:
            self.shown.append(value[:4])


def test_panel_charts_draw_axes_first_frames_while_running_and_the_history_when_done():
    from helpers.charts.live_chart import PanelCharts

    timeline, history = _Image(), _Image()
    charts = PanelCharts(timeline, history, cores=2)
    assert timeline.shown[-1] == PNG and history.shown[-1] == PNG  # blank axes, empty history
    draw = charts.watch()
    running = _result(0.0, 0)
    draw(running)  # the run's first report: its empty axes, before the clock starts
    draw(running)  # then a live frame
    assert [shown[:3] for shown in timeline.shown[-2:]] == [JPEG, JPEG] and timeline.format == "jpeg"
    assert charts.history == []
    running.status, running.elapsed = "done", 1.0
    draw(running)  # the whole run, and the history
    assert timeline.format == "png" and timeline.shown[-1] == PNG
    assert charts.history == [HistoryPoint("threads", 2, 1.0)] and len(history.shown) == 2
    charts.stopped(running)  # drawn once: nothing new
    assert len(timeline.shown) == 4 and len(history.shown) == 2
    draw = charts.watch()
    draw(_result(1.0, 4))  # a run that reports only once it stopped: the whole run at once, no empty axes
    assert len(timeline.shown) == 5 and timeline.shown[-1] == PNG and len(charts.history) == 2


def test_an_interrupt_in_the_middle_of_a_frame_still_leaves_the_whole_run_drawn():
    from helpers.charts.live_chart import PanelCharts

    timeline, history = _Image(), _Image()
    charts = PanelCharts(timeline, history, cores=2)
    draw = charts.watch()
    run = _result(0.0, 0)
    draw(run)

    def interrupted(_result):
        raise KeyboardInterrupt

    charts.timeline.frame = interrupted
    with pytest.raises(KeyboardInterrupt):
        draw(run)  # the drawing ends with the interrupt: later reports reach no one
    run.status, run.elapsed = "interrupted", 0.5
    with pytest.raises(StopIteration):
        draw(run)
    assert timeline.format == "jpeg"
    charts.stopped(run)  # what the panel does after a run that raised
    assert timeline.format == "png" and timeline.shown[-1] == PNG and charts.history == []
