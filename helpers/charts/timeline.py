"""Record what each thread is doing and when, then draw it: a measured picture of start/join.

Used where the harness is too coarse, e.g. to show that ``thread.start()`` returns at
once while ``thread.join()`` waits. Thread-safe; times are seconds since the Timeline
was created.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .figures import Chart, finish_lanes, new_figure
from .style import format_duration, series_colour


@dataclass
class Span:
    lane: str
    label: str
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


class Timeline:
    """Spans of activity on named lanes (e.g. "main thread", "worker thread")."""

    def __init__(self) -> None:
        self._t0 = time.perf_counter()
        self._lock = threading.Lock()
        self.spans: list[Span] = []

    def now(self) -> float:
        return time.perf_counter() - self._t0

    @contextmanager
    def span(self, lane: str, label: str) -> Iterator[None]:
        """Record the time spent inside the ``with`` block as one span on ``lane``."""
        start = self.now()
        try:
            yield
        finally:
            with self._lock:
                self.spans.append(Span(lane, label, start, self.now()))

    def traced(self, func: Callable[..., Any], lane: str, label: str | None = None) -> Callable[..., Any]:
        """Wrap ``func`` so that each call is recorded as a span (for a thread's ``target``)."""
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.span(lane, label or func.__name__):
                return func(*args, **kwargs)
        return wrapper

    def find(self, label: str) -> Span:
        """The first span called ``label``."""
        for span in self.spans:
            if span.label == label:
                return span
        raise KeyError(label)

    def plot(self, title: str = "") -> Chart:
        # Lanes in the order they first became busy; spans recorded when they end, so sort.
        ordered = sorted(self.spans, key=lambda s: s.start)
        lanes = list(dict.fromkeys(s.lane for s in ordered))
        fig = new_figure(9.0, 0.9 + 0.55 * len(lanes))
        ax = fig.add_subplot()
        end = max((s.end for s in self.spans), default=1.0)
        for span in self.spans:
            row = lanes.index(span.lane)
            ax.broken_barh([(span.start, max(span.duration, end * 0.004))], (row - 0.35, 0.7),
                           facecolors=series_colour(row), alpha=0.85,
                           edgecolor="white", linewidth=1.0)
        chart = finish_lanes(fig, ax, lanes, (len(lanes) - 0.4, -0.8), end * 1.05, "seconds, measured", title)
        fig.canvas.draw()  # the layout settles first, so the labels below are placed where they will be drawn
        fig.set_layout_engine("none")
        _label_spans(ax, fig, ordered, lanes)
        return chart


def _label_spans(ax: Any, fig: Any, spans: list[Span], lanes: list[str]) -> None:
    """Write "label (duration)" for each span where it can be read: inside its bar when it fits there, else
    just above the bar, moved right past the previous label of the lane so that no two labels overlap."""
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    right_of_last: dict[int, float] = {}  # per lane: where the last label above the bar ends (pixels)
    for span in spans:
        row = lanes.index(span.lane)
        text = f"{span.label} ({format_duration(span.duration)})"
        inside = ax.text(span.start, row, f" {text}", fontsize=8, va="center", ha="left", color="white",
                         clip_on=True)
        box = inside.get_window_extent(renderer)
        bar_right = ax.transData.transform((span.end, row))[0]
        if box.x1 <= bar_right - 2:
            continue
        inside.remove()
        x_pixels = max(ax.transData.transform((span.start, row))[0], right_of_last.get(row, -1e9) + 8)
        x = to_data.transform((x_pixels, 0))[0]
        above = ax.text(x, row - 0.42, text, fontsize=8, va="bottom", ha="left")
        right_of_last[row] = above.get_window_extent(renderer).x1
