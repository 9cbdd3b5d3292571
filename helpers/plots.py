"""Charts of measured runs: a timeline per worker, and elapsed time against worker count.

Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot, so nothing is
displayed twice and nothing depends on the notebook's backend). :class:`Chart` wraps a
figure so that a notebook shows it as a PNG: put it last in a cell, or ``display()`` it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from PIL import Image as PILImage

if TYPE_CHECKING:
    from .harness import RunResult

MODE_COLOURS = {"sequential": "#7f7f7f", "threads": "#1f77b4", "processes": "#d62728"}
DPI = 80


class Chart:
    """A matplotlib figure that renders as a PNG in a notebook (``fig`` is the figure itself)."""

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def savefig(self, *args: Any, **kwargs: Any) -> None:
        self.fig.savefig(*args, **kwargs)


@dataclass
class HistoryPoint:
    """One finished run in an "elapsed vs workers" chart."""

    mode: str
    workers: int
    elapsed: float


def new_figure(width: float = 9.0, height: float = 3.2) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _bars(result: RunResult, lanes: list[str], now: float) -> dict[str, list[list[tuple[float, float]]]]:
    """Rectangles (as vertex lists) of every started task, grouped: finished, running, failed."""
    groups: dict[str, list[list[tuple[float, float]]]] = {"finished": [], "running": [], "failed": []}
    for task in result.tasks:
        if task.start is None:
            continue
        lane = lanes.index(task.worker) if task.worker in lanes else 0
        stop = task.end if task.end is not None else now
        x0, x1, y0, y1 = task.start, max(stop, task.start + 1e-4), lane - 0.38, lane + 0.38
        group = "failed" if task.error else ("finished" if task.end is not None else "running")
        groups[group].append([(x0, y0), (x0, y1), (x1, y1), (x1, y0)])
    return groups


def _timeline_title(result: RunResult, now: float) -> str:
    return (f"{result.label}: {now:.2f} s elapsed, "
            f"{result.finished}/{len(result.tasks)} tasks, {result.status}")


def _timeline_frame(ax: Any, result: RunResult, lanes: list[str], span: float) -> None:
    """The parts of a timeline that do not move during a run: lanes, axis, start-up lines."""
    ax.clear()
    if result.mode == "processes":
        ax.text(0.995, 1.01, "grey: process starting", transform=ax.transAxes, fontsize=7, color="#777777",
                va="bottom", ha="right")
        for label, ready in result.ready.items():
            if label in lanes:
                ax.plot([0, ready], [lanes.index(label)] * 2, color="#999999", linewidth=2, solid_capstyle="butt")
    ax.set_yticks(range(len(lanes)), lanes if len(lanes) <= 16 else [""] * len(lanes), fontsize=8)
    ax.set_ylim(len(lanes) - 0.5, -0.5)
    ax.set_xlim(0, max(span, 1e-3) * 1.05)
    ax.set_xlabel("seconds since the run began")
    ax.grid(axis="x", alpha=0.3)


def _bar_collections(ax: Any, colour: str, animated: bool) -> dict[str, PolyCollection]:
    styles = {"finished": (colour, 1.0), "running": (colour, 0.45), "failed": ("#ff7f0e", 1.0)}
    collections = {}
    for group, (face, alpha) in styles.items():
        collection = PolyCollection([], facecolors=face, alpha=alpha, edgecolors="white", linewidths=0.6,
                                    animated=animated)
        ax.add_collection(collection)
        collections[group] = collection
    return collections


def draw_timeline(ax: Any, result: RunResult, *, span: float | None = None) -> None:
    """Draw a finished (or stopped) run: one bar per task on a lane per worker.

    Grey lines before a process's first bar show how long that process took to start.
    """
    lanes = _lanes(result)
    _timeline_frame(ax, result, lanes, max(result.elapsed, span or 0.0))
    collections = _bar_collections(ax, MODE_COLOURS.get(result.mode, "#1f77b4"), animated=False)
    for group, verts in _bars(result, lanes, result.elapsed).items():
        collections[group].set_verts(verts)
    ax.set_title(_timeline_title(result, result.elapsed), fontsize=10, loc="left")


class LiveFigure:
    """The panel's figure: a timeline that grows during a run, and the history beside it.

    Redrawing a whole figure costs tens of milliseconds, which would steal time from the
    run being measured. So only the moving parts (bars, the "now" line, the title) are
    redrawn on a saved background (blitting); the whole figure is drawn again only when
    the axes must change (new worker lanes, time running past the axis, a finished run).
    """

    def __init__(self, width: float = 10.0, height: float = 3.4) -> None:
        self.fig = Figure(figsize=(width, height), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.09, right=0.98, bottom=0.16, top=0.88, wspace=0.35)
        grid = self.fig.add_gridspec(1, 3)
        self.ax_timeline = self.fig.add_subplot(grid[0, :2])
        self.ax_history = self.fig.add_subplot(grid[0, 2])
        self._layout: tuple[Any, ...] | None = None
        self._background: Any = None
        self._dynamic: list[Any] = []
        self._collections: dict[str, PolyCollection] = {}
        self.full_draws = 0
        self.frames = 0

    def blank(self, history: Sequence[HistoryPoint], cpu_count: int | None) -> bytes:
        self.ax_timeline.clear()
        self.ax_timeline.set_title("timeline: one lane per worker (press Run)", fontsize=10, loc="left")
        self.ax_timeline.set_xlabel("seconds since the run began")
        self.ax_timeline.set_yticks([])
        draw_history(self.ax_history, history, cpu_count=cpu_count)
        self._layout = None
        self.canvas.draw()
        return self._encode(live=False)

    def frame(self, result: RunResult, history: Sequence[HistoryPoint], cpu_count: int | None,
              span: float = 0.0) -> bytes:
        """Render ``result`` as it stands now: JPEG bytes while it runs, PNG once it has ended."""
        now = result.elapsed
        lanes = _lanes(result)
        axis = max(span, 1.0)
        while axis < now:  # grow by doubling, so the axis changes only a few times per run
            axis *= 2
        if result.status != "running":
            axis = max(now, span)
        layout = (tuple(lanes), axis, len(history), result.status == "running")
        if layout != self._layout:
            self._full_draw(result, lanes, axis, history, cpu_count)
            self._layout = layout
        self.canvas.restore_region(self._background)
        for group, verts in _bars(result, lanes, now).items():
            self._collections[group].set_verts(verts)
        self._now.set_xdata([now, now])
        self._now.set_visible(result.status == "running")
        self._title.set_text(_timeline_title(result, now))
        for artist in self._dynamic:
            self.ax_timeline.draw_artist(artist)
        self.frames += 1
        return self._encode(live=result.status == "running")

    def _full_draw(self, result: RunResult, lanes: list[str], axis: float,
                   history: Sequence[HistoryPoint], cpu_count: int | None) -> None:
        _timeline_frame(self.ax_timeline, result, lanes, axis)
        self._collections = _bar_collections(self.ax_timeline, MODE_COLOURS.get(result.mode, "#1f77b4"), True)
        self._now = self.ax_timeline.axvline(0, color="black", linestyle="--", linewidth=0.8, animated=True)
        self._title = self.ax_timeline.set_title(" ", fontsize=10, loc="left")
        self._title.set_animated(True)
        self._dynamic = [*self._collections.values(), self._now, self._title]
        draw_history(self.ax_history, history, cpu_count=cpu_count)
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.full_draws += 1

    def _encode(self, live: bool) -> bytes:
        # JPEG encodes in under a millisecond, PNG in ~5 ms: frames during a run are JPEG,
        # the final one PNG (sharp, and what notebooks store as image/png).
        width, height = self.canvas.get_width_height()
        image = PILImage.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        if live:
            image.convert("RGB").save(buffer, format="jpeg", quality=85)
        else:
            image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def _lanes(result: RunResult) -> list[str]:
    """Worker labels in the order they first appeared (ready time, then first task)."""
    seen: dict[str, float] = dict(result.ready)
    for task in result.tasks:
        if task.worker and task.worker not in seen:
            seen[task.worker] = task.start or 0.0
    return sorted(seen, key=lambda label: seen[label]) or ["(starting)"]


def draw_history(ax: Any, history: Sequence[HistoryPoint], *, cpu_count: int | None = None) -> None:
    """Elapsed time against workers, one line per mode, for every finished run so far."""
    ax.clear()
    for mode in ("sequential", "threads", "processes"):
        points = sorted((p.workers, p.elapsed) for p in history if p.mode == mode)
        if points:
            xs, ys = zip(*points)
            ax.plot(xs, ys, marker="o", linestyle="-" if len(points) > 1 else "none",
                    color=MODE_COLOURS[mode], label=mode)
    if history:
        last = history[-1]
        ax.annotate(f"{last.elapsed:.2f} s", (last.workers, last.elapsed), textcoords="offset points",
                    xytext=(0, 6), ha="center", fontsize=8)
        ax.set_xlim(0.5, max(p.workers for p in history) + 0.5)
        ax.margins(y=0.15)
        ax.legend(fontsize=8, loc="best")
    if cpu_count:
        ax.axvline(cpu_count, color="#2ca02c", linestyle=":", linewidth=1)
        ax.text(cpu_count, 0.02, f" {cpu_count} cores", transform=ax.get_xaxis_transform(), fontsize=7, color="#2ca02c")
    ax.set_xlabel("workers")
    ax.set_ylabel("elapsed (s)")
    ax.set_ylim(bottom=0, top=max([p.elapsed for p in history], default=1.0) * 1.2)
    ax.set_title("elapsed vs workers, all runs", fontsize=10, loc="left")
    ax.grid(alpha=0.3)


def plot_run(result: RunResult, title: str | None = None) -> Chart:
    """A static timeline of one finished run."""
    lanes = len(_lanes(result))
    fig = new_figure(9.0, 1.3 + 0.28 * min(lanes, 16))
    ax = fig.add_subplot()
    draw_timeline(ax, result)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return Chart(fig)


def plot_runs(results: Iterable[RunResult], title: str = "") -> Chart:
    """Several runs side by side as horizontal bars of elapsed time, labelled with the figure."""
    runs = list(results)
    fig = new_figure(7.0, 0.9 + 0.45 * len(runs))
    ax = fig.add_subplot()
    labels = [r.label for r in runs]
    values = [r.elapsed for r in runs]
    bars = ax.barh(range(len(runs)), values, color=[MODE_COLOURS.get(r.mode, "#1f77b4") for r in runs])
    ax.bar_label(bars, [f"{v:.2f} s" for v in values], padding=3, fontsize=9)
    ax.set_yticks(range(len(runs)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("elapsed (s), measured on this machine")
    ax.set_xlim(0, max(values) * 1.25)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return Chart(fig)
