"""A run's timeline (a bar per task on a lane per worker), drawn as it grows and whole; the panel's history.

:class:`LiveTimeline` draws the axes once and then only the moving parts (blitting), so that
drawing does not compete with the work being measured; :func:`draw_timeline` draws a finished run whole
(the panel's last frame, and :func:`helpers.charts.plots.plot_run`); :func:`history_png` is the
"elapsed vs workers" chart of every finished run. :class:`PanelCharts` keeps a panel's two pictures, the timeline and
the history, and draws them into the images it is given: its :meth:`~PanelCharts.watch` gives a run its ``on_update``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from PIL import Image as PILImage

from .figures import DPI
from .style import FAILED, LIMIT, MODE_COLOURS, NOTE, STARTING, format_duration

if TYPE_CHECKING:
    from ..engine.harness import RunResult


@dataclass
class HistoryPoint:
    """One finished run in an "elapsed vs workers" chart."""

    mode: str
    workers: int
    elapsed: float


def encode(canvas: FigureCanvasAgg, fmt: str) -> bytes:
    """The canvas's current pixels as ``"jpeg"`` (fast: under 1 ms) or ``"png"`` (sharp: ~5 ms)."""
    width, height = canvas.get_width_height()
    image = PILImage.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buffer, format="jpeg", quality=85)
    else:
        image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def task_bars(result: RunResult, lanes: list[str], now: float) -> dict[str, list[list[tuple[float, float]]]]:
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


def ended(bars: dict[str, list[list[tuple[float, float]]]]) -> int:
    """How many tasks have ended, from their bars (:func:`task_bars`): the chart counts what it draws."""
    return len(bars["finished"]) + len(bars["failed"])


def _timeline_title(result: RunResult, now: float, finished: int) -> str:
    return (f"{result.label}: {format_duration(now)} elapsed, "
            f"{finished}/{len(result.tasks)} tasks, {result.status}")


def _timeline_frame(ax: Any, result: RunResult, lanes: list[str], span: float) -> None:
    """The parts of a timeline that do not move during a run: lanes, axis, start-up lines."""
    ax.clear()
    if result.mode in ("processes", "interpreters"):
        starting = "process" if result.mode == "processes" else "interpreter"
        ax.text(0.995, 1.01, f"grey: {starting} starting", transform=ax.transAxes, fontsize=7, color=NOTE,
                va="bottom", ha="right")
        for label, ready in result.ready.items():
            if label in lanes:
                ax.plot([0, ready], [lanes.index(label)] * 2, color=STARTING, linewidth=2, solid_capstyle="butt")
    ax.set_yticks(range(len(lanes)), lanes if len(lanes) <= 16 else [""] * len(lanes), fontsize=8)
    ax.set_ylim(len(lanes) - 0.5, -0.5)
    ax.set_xlim(0, max(span, 1e-3) * 1.05)
    ax.set_xlabel("seconds since the run began")
    ax.grid(axis="x", alpha=0.3)


def bar_collections(ax: Any, colour: str, animated: bool) -> dict[str, PolyCollection]:
    styles = {"finished": (colour, 1.0), "running": (colour, 0.45), "failed": (FAILED, 1.0)}
    collections = {}
    for group, (face, alpha) in styles.items():
        collection = PolyCollection([], facecolors=face, alpha=alpha, edgecolors="white", linewidths=0.6,
                                    animated=animated)
        ax.add_collection(collection)
        collections[group] = collection
    return collections


def draw_timeline(ax: Any, result: RunResult) -> None:
    """Draw a finished (or stopped) run: one bar per task on a lane per worker.

    Grey lines before a process's first bar show how long that process took to start.
    """
    lanes = worker_lanes(result)
    _timeline_frame(ax, result, lanes, result.elapsed)
    collections = bar_collections(ax, MODE_COLOURS.get(result.mode, MODE_COLOURS["threads"]), animated=False)
    bars = task_bars(result, lanes, result.elapsed)
    for group, verts in bars.items():
        collections[group].set_verts(verts)
    # Tasks measured by another clock (a Dask task stream) may end a little after the run's elapsed time.
    last = max([result.elapsed, *(t.end for t in result.tasks if t.end is not None)])
    ax.set_xlim(0, max(last, 1e-3) * 1.05)
    if any(t.error for t in result.tasks):  # a key for the colour of a failed task
        ax.text(0.0, 1.01, "orange: the task raised an error (see the message above the chart)",
                transform=ax.transAxes, fontsize=7, color=FAILED, va="bottom", ha="left")
        ax.set_title(_timeline_title(result, result.elapsed, ended(bars)), fontsize=10, loc="left", pad=14)
    else:
        ax.set_title(_timeline_title(result, result.elapsed, ended(bars)), fontsize=10, loc="left")


def worker_lanes(result: RunResult) -> list[str]:
    """Worker labels in the order they first appeared (ready time, then first task)."""
    seen: dict[str, float] = dict(result.ready)
    for task in result.tasks:
        if task.worker and task.worker not in seen:
            seen[task.worker] = task.start or 0.0
    return sorted(seen, key=lambda label: seen[label]) or ["(starting)"]


class LiveTimeline:
    """The panel's timeline, redrawn several times a second while a run is under way.

    A full matplotlib draw costs tens of milliseconds, and in the same process as the run it
    competes with the work being measured (for the GIL, for a core). So the axes are drawn
    once before the run starts (:meth:`begin`, with one lane per worker and a time axis long
    enough for the expected run), and each :meth:`frame` only redraws the moving parts (bars,
    the "now" line, a short clock text) on that saved background: blitting, about 2.5 ms. Only a run
    that outlasts its axis triggers another full draw (the axis doubles). :meth:`finish`
    draws the final picture, with each lane's real thread name or pid, after the clock stopped.
    """

    def __init__(self, width: float = 6.6, height: float = 3.2) -> None:
        self.fig = Figure(figsize=(width, height), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(left=0.11, right=0.98, bottom=0.16, top=0.88)
        self.ax = self.fig.add_subplot()
        self.full_draws = 0
        self.frames = 0
        self._slots: dict[str, int] = {}
        self._names: list[str] = []
        self._caption = ""
        self._workers = 1
        self._axis = 1.0
        self._colour = MODE_COLOURS["threads"]

    def blank(self) -> bytes:
        self.ax.clear()
        self.ax.set_title("timeline: one lane per worker (press Run)", fontsize=10, loc="left")
        self.ax.set_xlabel("seconds since the run began")
        self.ax.set_yticks([])
        self.canvas.draw()
        return encode(self.canvas, "png")

    def _fit_lane_names(self, names: Sequence[str]) -> None:
        """Leave room on the left for the longest lane name (8 pt: about 5 px a character), so none is cut."""
        longest = max((len(name) for name in names), default=6) if len(names) <= 16 else 0
        pixels = self.fig.get_figwidth() * self.fig.dpi
        self.fig.subplots_adjust(left=min(0.3, max(0.06, (longest * 5.2 + 16) / pixels)))

    def begin(self, workers: int, mode: str, expected: float, caption: str = "") -> bytes:
        """Draw the empty axes for a run of ``workers`` lanes lasting about ``expected`` s."""
        self._workers, self._slots = workers, {}
        self._caption = caption or f"{workers} {mode}"
        prefix = {"threads": "thread-", "sequential": "sequential-", "interpreters": "interp-"}.get(mode, "process ")
        self._names = [f"{prefix}{n + 1}" for n in range(workers)]
        self._fit_lane_names(self._names)
        self._axis = max(expected, 0.2)
        self._colour = MODE_COLOURS.get(mode, MODE_COLOURS["threads"])
        self._full_draw()
        return encode(self.canvas, "jpeg")

    def frame(self, result: RunResult) -> bytes:
        """The run as it stands now (JPEG), bars growing on the saved background."""
        now = result.elapsed
        for label in [*result.ready, *(t.worker for t in result.tasks if t.worker)]:
            if label not in self._slots:
                # Threads are named thread-1… by the harness, so they keep their lane; a
                # process is only known by its pid once it has started: first come, first lane.
                named = self._names.index(label) if label in self._names else None
                self._slots[label] = named if named is not None else len(self._slots) % self._workers
        if now > self._axis:
            while now > self._axis:
                self._axis *= 2
            self._full_draw()
        self.canvas.restore_region(self._background)
        lanes = list(self._names)
        for label, slot in self._slots.items():
            lanes[slot] = label
        bars = task_bars(result, lanes, now)
        for group, verts in bars.items():
            self._collections[group].set_verts(verts)
        self._now.set_xdata([now, now])
        self._clock.set_text(f"{now:.2f} s, {ended(bars)}/{len(result.tasks)} done")
        for artist in (*self._collections.values(), self._now, self._clock):
            self.ax.draw_artist(artist)
        self.frames += 1
        return encode(self.canvas, "jpeg")

    def finish(self, result: RunResult) -> bytes:
        """The finished (or stopped) run with real lane labels, as PNG."""
        self._fit_lane_names(worker_lanes(result))
        draw_timeline(self.ax, result)
        self.canvas.draw()
        self.full_draws += 1
        return encode(self.canvas, "png")

    def _full_draw(self) -> None:
        ax = self.ax
        ax.clear()
        lanes = self._workers
        ax.set_yticks(range(lanes), self._names if lanes <= 16 else [""] * lanes, fontsize=8)
        ax.set_ylim(lanes - 0.5, -0.5)
        ax.set_xlim(0, self._axis * 1.05)
        ax.set_xlabel("seconds since the run began")
        ax.grid(axis="x", alpha=0.3)
        self._collections = bar_collections(ax, self._colour, animated=True)
        self._now = ax.axvline(0, color="black", linestyle="--", linewidth=0.8, animated=True)
        ax.set_title(f"{self._caption}: running", fontsize=10, loc="left")
        ax.set_xlabel("seconds since the run began (a bar per task: pale while it runs, solid when done; "
                      "dashed: now)", fontsize=8)
        # Only this short text is redrawn each frame: drawing text costs ~0.1 ms a character.
        self._clock = ax.text(1.0, 1.02, " ", transform=ax.transAxes, ha="right", va="bottom", fontsize=10,
                              animated=True, parse_math=False)
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.full_draws += 1


class PanelCharts:
    """A panel's two pictures, drawn into the two images it is given (``ipywidgets.Image``, or anything with
    ``value``, ``format`` and ``hold_sync()``): the timeline of the run under way and the "elapsed vs workers" history.

    :meth:`watch` gives one run its ``on_update``; everything drawn is read from the result handed to it.
    """

    def __init__(self, timeline_image: Any, history_image: Any, cores: int | None) -> None:
        self.timeline = LiveTimeline()
        self.history: list[HistoryPoint] = []
        #: How long the next run should take (the panel sets it before each run), so its axis rarely grows.
        self.expected = 1.0
        self._images = timeline_image, history_image
        self._cores = cores
        self._stopped: RunResult | None = None
        timeline_image.value = self.timeline.blank()
        self._show_history()

    def watch(self) -> Callable[[RunResult], None]:
        """The ``on_update`` of one run: call it with the result each time the run reports.

        Behind it is one generator (:meth:`_drawing`) that reads as the run unfolds: the empty axes before the
        clock starts, a frame for each report while the run is under way, the whole run once it stopped.
        """
        drawing = self._drawing()
        next(drawing)  # to its first ``yield``: ready for the run's first report
        return drawing.send

    def _drawing(self) -> Generator[None, RunResult, None]:
        result = yield
        if result.status == "running":  # not started yet: the empty axes, one lane per worker
            self._show(self.timeline.begin(result.workers, result.mode, self.expected, result.label))
            result = yield
            while result.status == "running":
                self._show(self.timeline.frame(result))
                result = yield
        self.stopped(result)
        yield  # the run's last report returns here (a generator that ended would raise StopIteration at it)

    def stopped(self, result: RunResult) -> None:
        """The whole run once it stopped, with real lane names; a run that finished joins the history.

        Drawn once per run: the panel calls it again after a run that raised, in case the interrupt landed in
        the middle of a frame and :meth:`watch`'s drawing never saw the end.
        """
        if result is self._stopped:
            return
        self._stopped = result
        self._show(self.timeline.finish(result), "png")
        if result.status == "done":
            self.history.append(HistoryPoint(result.mode, result.workers, result.elapsed))
            self._show_history()

    def _show(self, image: bytes, fmt: str = "jpeg") -> None:
        screen = self._images[0]
        with screen.hold_sync():
            screen.format = fmt
            screen.value = image

    def _show_history(self) -> None:
        self._images[1].value = history_png(self.history, self._cores)


def history_png(history: Sequence[HistoryPoint], cpu_count: int | None, width: float = 3.4,
                height: float = 3.2) -> bytes:
    """The "elapsed vs workers" chart of every finished run, as PNG."""
    fig = Figure(figsize=(width, height), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.2, right=0.95, bottom=0.16, top=0.88)
    draw_history(fig.add_subplot(), history, cpu_count=cpu_count)
    canvas.draw()
    return encode(canvas, "png")


def side_by_side(*pngs: bytes) -> bytes:
    """Join PNG images left to right into one PNG (the panel's static fallback picture)."""
    images = [PILImage.open(io.BytesIO(png)).convert("RGBA") for png in pngs]
    joined = PILImage.new("RGBA", (sum(i.width for i in images), max(i.height for i in images)), "white")
    x = 0
    for image in images:
        joined.paste(image, (x, 0))
        x += image.width
    buffer = io.BytesIO()
    joined.save(buffer, format="png")
    return buffer.getvalue()


def draw_history(ax: Any, history: Sequence[HistoryPoint], *, cpu_count: int | None = None) -> None:
    """Elapsed time against workers, one line per mode, for every finished run so far.

    A worker count tried more than once shows every run as a faint dot and its fastest on the line (a busy
    machine only ever slows a run down), so the line does not zigzag up and down at one count.
    """
    ax.clear()
    for mode in MODE_COLOURS:
        mine = [p for p in history if p.mode == mode]
        if not mine:
            continue
        fastest: dict[int, float] = {}
        for p in mine:
            fastest[p.workers] = min(p.elapsed, fastest.get(p.workers, p.elapsed))
        xs, ys = zip(*sorted(fastest.items()))
        repeated = len(mine) > len(fastest)
        ax.plot(xs, ys, marker="o", linestyle="-" if len(xs) > 1 else "none", color=MODE_COLOURS[mode],
                label=mode + (" (fastest)" if repeated else ""))
        if repeated:
            ax.plot([p.workers for p in mine], [p.elapsed for p in mine], "o", color=MODE_COLOURS[mode],
                    alpha=0.3, markersize=4)
    most = max([p.workers for p in history] + [cpu_count or 1, 2])
    if history:
        last = history[-1]
        ax.annotate(format_duration(last.elapsed), (last.workers, last.elapsed), textcoords="offset points",
                    xytext=(0, 6), ha="center", fontsize=8)
        ax.legend(fontsize=8, loc="best")
    # Whole workers only, from 1 to the most tried (or the cores), never 0.6-1.6 for a single point.
    ticks = list(range(1, most + 1)) if most <= 10 else sorted({1, most, *(p.workers for p in history)})
    ax.set_xticks(ticks)
    ax.set_xlim(0.5, most + 0.5 + most * 0.12)  # room for the label of the right-most point
    if cpu_count:
        ax.axvline(cpu_count, color=LIMIT, linestyle=":", linewidth=1)
        ax.text(cpu_count, 0.02, f" {cpu_count} cores", transform=ax.get_xaxis_transform(), fontsize=7, color=LIMIT)
    ax.set_xlabel("workers")
    ax.set_ylabel("elapsed (s)")
    ax.set_ylim(bottom=0, top=max([p.elapsed for p in history], default=1.0) * 1.2)
    ax.set_title("elapsed vs workers, all runs", fontsize=10, loc="left")
    ax.grid(alpha=0.3)
