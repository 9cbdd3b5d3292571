"""helpers.charts.live_chart: the panel's live timeline draws the axes once and then only what moves."""

from __future__ import annotations

import io

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
