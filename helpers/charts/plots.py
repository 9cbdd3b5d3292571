"""Static charts of measured runs: a run's timeline, runs side by side, speed-up, crossover, the office.

Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot, so nothing is
displayed twice and nothing depends on the notebook's backend). :class:`Chart` wraps a
figure so that a notebook shows it as a PNG: put it last in a cell, or ``display()`` it.
The control panel's live charts are in :mod:`helpers.charts.live_chart`; colours and durations come
from :mod:`helpers.charts.style`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from .style import FAILED, LIMIT, MODE_COLOURS, NOTE, STARTING, STATUS_COLOURS, format_duration, series_colour

if TYPE_CHECKING:
    from ..engine.harness import RunResult

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


def whole_number_ticks(axis: Any) -> None:
    """Ticks at whole numbers only on ``axis`` (``ax.xaxis``): counts of workers, tasks, cores."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def new_figure(width: float = 9.0, height: float = 3.2) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


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


def _timeline_title(result: RunResult, now: float) -> str:
    return (f"{result.label}: {format_duration(now)} elapsed, "
            f"{result.finished}/{len(result.tasks)} tasks, {result.status}")


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
    lanes = _lanes(result)
    _timeline_frame(ax, result, lanes, result.elapsed)
    collections = bar_collections(ax, MODE_COLOURS.get(result.mode, MODE_COLOURS["threads"]), animated=False)
    for group, verts in task_bars(result, lanes, result.elapsed).items():
        collections[group].set_verts(verts)
    # Tasks measured by another clock (a Dask task stream) may end a little after the run's elapsed time.
    last = max([result.elapsed, *(t.end for t in result.tasks if t.end is not None)])
    ax.set_xlim(0, max(last, 1e-3) * 1.05)
    if any(t.error for t in result.tasks):  # a key for the colour of a failed task
        ax.text(0.0, 1.01, "orange: the task raised an error (see the message above the chart)",
                transform=ax.transAxes, fontsize=7, color=FAILED, va="bottom", ha="left")
        ax.set_title(_timeline_title(result, result.elapsed), fontsize=10, loc="left", pad=14)
    else:
        ax.set_title(_timeline_title(result, result.elapsed), fontsize=10, loc="left")


def _lanes(result: RunResult) -> list[str]:
    """Worker labels in the order they first appeared (ready time, then first task)."""
    seen: dict[str, float] = dict(result.ready)
    for task in result.tasks:
        if task.worker and task.worker not in seen:
            seen[task.worker] = task.start or 0.0
    return sorted(seen, key=lambda label: seen[label]) or ["(starting)"]


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
    bars = ax.barh(range(len(runs)), values, color=[MODE_COLOURS.get(r.mode, MODE_COLOURS["threads"]) for r in runs])
    ax.bar_label(bars, [format_duration(v) for v in values], padding=3, fontsize=9)
    ax.set_yticks(range(len(runs)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("elapsed (s), measured on this machine")
    ax.set_xlim(0, max(values) * 1.3)  # room for the figure written after the longest bar
    _mode_key(ax, [r.mode for r in runs])
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return Chart(fig)


def _mode_key(ax: Any, modes: Sequence[str]) -> None:
    """A legend with one entry per colour used (the mode it stands for)."""
    from matplotlib.patches import Patch

    used = [m for m in MODE_COLOURS if m in set(modes)]
    if len(used) > 1:
        ax.legend(handles=[Patch(color=MODE_COLOURS[m], label=m) for m in used], fontsize=8, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), frameon=False)  # beside the chart: never over a bar or its figure


def plot_process_threads(spans: Sequence[Any], t0: float, title: str = "") -> Chart:
    """A timeline of threads inside processes: one lane per ``pid N / thread``, grouped by process.

    ``spans``: objects with ``process``, ``pid``, ``thread``, ``start``, ``end`` (e.g.
    :class:`helpers.workers.ThreadSpan`), times as ``time.perf_counter()`` readings;
    ``t0``: the parent's ``perf_counter()`` just before it started the first process, so
    the gap before each process's first bar is that process's start-up (drawn as a grey line).
    Each process's main thread comes first in its group, as a thin bar (it mostly waits in ``join``).
    """
    pids = list(dict.fromkeys(s.pid for s in sorted(spans, key=lambda s: (s.process, s.start))))
    lanes: list[tuple[int, str]] = []
    for pid in pids:
        mine = [s for s in spans if s.pid == pid]
        main = [s.thread for s in mine if s.thread == "MainThread"]
        lanes += [(pid, name) for name in main + sorted(s.thread for s in mine if s.thread != "MainThread")]
    fig = new_figure(9.0, 1.2 + 0.32 * len(lanes))
    ax = fig.add_subplot()
    end = max((s.end - t0 for s in spans), default=1.0)
    for group, pid in enumerate(pids):
        colour = series_colour(3 + group)  # red first: processes are red elsewhere
        rows = [row for row, lane in enumerate(lanes) if lane[0] == pid]
        ax.axhspan(rows[0] - 0.5, rows[-1] + 0.5, color=colour, alpha=0.07, linewidth=0)
        name = next(s.process for s in spans if s.pid == pid)
        ax.text(end * 1.04, (rows[0] + rows[-1]) / 2, f"process {name}\npid {pid}", fontsize=8, va="center",
                ha="left", color=colour)
        first = min(s.start for s in spans if s.pid == pid) - t0
        ax.plot([0, first], [rows[0]] * 2, color=STARTING, linewidth=2, solid_capstyle="butt")
        for span in (s for s in spans if s.pid == pid):
            row = lanes.index((pid, span.thread))
            main = span.thread == "MainThread"
            height = 0.25 if main else 0.7
            ax.broken_barh([(span.start - t0, span.end - span.start)], (row - height / 2, height),
                           facecolors=colour, alpha=0.45 if main else 0.9)
            if not main:
                ax.text(span.start - t0 + 0.01 * end, row, f"{span.thread}: {format_duration(span.end - span.start)}",
                        fontsize=7, va="center", color="white")
    ax.text(0.995, 1.01, "grey: process starting", transform=ax.transAxes, fontsize=7, color=NOTE,
            va="bottom", ha="right")
    return finish_lanes(fig, ax, [f"pid {pid} / {thread}" for pid, thread in lanes], (len(lanes) - 0.5, -0.5),
                        end * 1.22, "seconds since the parent started the first process, measured", title, fontsize=8)


def finish_lanes(fig: Figure, ax: Any, labels: Sequence[str], ylim: tuple[float, float], right: float, xlabel: str,
                 title: str | None, **tick_style: Any) -> Chart:
    """Finish a chart of one horizontal lane per worker, the first on top: lane labels, limits, grid, title."""
    ax.set_yticks(range(len(labels)), labels, **tick_style)
    ax.set_ylim(*ylim)
    ax.set_xlim(0, right)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return Chart(fig)


def plot_speedup(baseline: float, runs: Iterable[RunResult], *, cores: int | None = None,
                 title: str = "") -> Chart:
    """Speed-up against workers, one line per mode, beside the best a machine could do.

    ``baseline`` is the elapsed time of the same tasks run one after another (seconds,
    more than 0); each run's speed-up is ``baseline / run.elapsed``. The dashed "ideal"
    is ``min(workers, cores)``: n workers are at best n times faster, and never faster
    than there are cores to run them (with ``cores=None`` the ideal is simply
    ``workers``). A dotted line marks ``cores``, and a thin one speed-up 1 (no gain).
    Raises ``ValueError`` for a baseline that is not positive or for no runs.
    """
    items = list(runs)
    if not baseline > 0:
        raise ValueError(f"baseline must be a positive time in seconds, not {baseline!r}.")
    if not items:
        raise ValueError("plot_speedup needs at least one run.")
    fig = new_figure(7.0, 3.6)
    ax = fig.add_subplot()
    top_workers = max(max(r.workers for r in items), cores or 1)
    xs = list(range(1, top_workers + 1))
    ideal = [min(x, cores) if cores else x for x in xs]
    ax.plot(xs, ideal, linestyle="--", color=LIMIT, linewidth=1.2,
            label="ideal" + (f" (at most {cores} cores)" if cores else ""))
    ax.axhline(1.0, color=NOTE, linewidth=0.8, alpha=0.6)
    best = 1.0
    for mode in MODE_COLOURS:
        points = sorted((r.workers, baseline / r.elapsed) for r in items if r.mode == mode and r.elapsed > 0)
        if not points:
            continue
        wx, sy = zip(*points)
        best = max(best, *sy)
        ax.plot(wx, sy, marker="o", color=MODE_COLOURS[mode], label=mode)
        # Threads' figures below their points, the others above: two modes at one worker count never collide.
        below = mode == "threads"
        for x, y in points:
            ax.annotate(f"×{y:.2f}", (x, y), textcoords="offset points", xytext=(0, -13 if below else 7),
                        ha="center", fontsize=8, color=MODE_COLOURS[mode],
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.5})
    if cores:
        ax.axvline(cores, color=LIMIT, linestyle=":", linewidth=1)
        ax.text(cores, 0.02, f" {cores} cores", transform=ax.get_xaxis_transform(), fontsize=8, color=LIMIT)
    ax.set_xticks(sorted({1, *(r.workers for r in items), *([cores] if cores else [])}) if len(xs) > 8 else xs)
    ax.set_xlim(0.5, top_workers + 0.5)
    ax.set_ylim(0, max(best, max(ideal)) * 1.2)
    ax.set_xlabel("workers")
    ax.set_ylabel("speed-up (sequential time / time)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(title or "speed-up against workers, measured on this machine", fontsize=10, loc="left")
    return Chart(fig)


def plot_crossover(sizes: Sequence[float], sequential: Sequence[float], processes: Sequence[float], *,
                   crossover: float | None = None, label: str = "processes", title: str = "") -> Chart:
    """Elapsed time against task size, one after another vs on processes, on log-log axes.

    ``sizes`` (more than 0, increasing) are the task sizes measured; ``sequential`` and
    ``processes`` the elapsed seconds of the same tasks at each size. Where the two
    lines cross, processes start to pay; pass the size found as ``crossover`` to mark it
    (``None``: not found in the range measured, said so on the chart). Raises
    ``ValueError`` if the three sequences differ in length or hold a value that is not positive.
    """
    xs, seq, proc = list(sizes), list(sequential), list(processes)
    if not (len(xs) == len(seq) == len(proc)) or not xs:
        raise ValueError(f"sizes, sequential and processes must have the same, non-zero length "
                         f"(got {len(xs)}, {len(seq)}, {len(proc)}).")
    if min(xs + seq + proc) <= 0:
        raise ValueError("sizes and times must all be positive (they are drawn on log axes).")
    fig = new_figure(7.0, 3.6)
    ax = fig.add_subplot()
    ax.plot(xs, seq, marker="o", color=MODE_COLOURS["sequential"], label="one after another")
    ax.plot(xs, proc, marker="o", color=MODE_COLOURS["processes"], label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    if crossover is not None:
        ax.axvline(crossover, color=LIMIT, linestyle="--", linewidth=1.2)
        # Write the label on whichever side of the line has more room (the x axis is logarithmic).
        right_half = crossover * crossover > min(xs) * max(xs)
        ax.text(crossover, 0.97, f" processes pay from ≈ {crossover:,.0f} ",
                transform=ax.get_xaxis_transform(), fontsize=8, color=LIMIT, va="top",
                ha="right" if right_half else "left",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    else:
        ax.text(0.02, 0.97, "no crossover in the sizes measured", transform=ax.transAxes, fontsize=8,
                color=STATUS_COLOURS["error"], va="top")
    ax.set_xlabel("task size (numbers summed per task)")
    ax.set_ylabel("elapsed (s), log scale")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title or "when do processes pay? measured on this machine", fontsize=10, loc="left")
    return Chart(fig)


#: The office analogy, drawn once as a picture (helpers/pictures/); the notebook adds what it measured.
OFFICE_PICTURE = "office_analogy.png"


def office_analogy(desk_note: str = "", phone_note: str = "") -> Chart:
    """The article's office picture: threads share one desk, processes phone each other.

    Left: three people (threads) around one desk holding the shared papers (the process's
    memory); red arrows: two reach for the same paper (a race, fixed with a ``Lock``); one
    pen (the GIL). Right: three private offices (processes), each with its own desk, linked
    only by phone lines to a switchboard (a ``Queue`` or a ``Manager``). The drawing is the
    picture file :data:`OFFICE_PICTURE`; ``desk_note`` and ``phone_note`` (e.g. figures
    measured in the notebook) are written under its two halves.
    """
    from PIL import Image as PILImage

    with resources.files("helpers").joinpath("pictures").joinpath(OFFICE_PICTURE).open("rb") as file:
        picture = PILImage.open(file)
        picture.load()
    width, height = picture.size
    fig = Figure(figsize=(11.0, 11.0 * height / width + 0.8), dpi=DPI)
    FigureCanvasAgg(fig)
    drawing = fig.add_axes((0.0, 0.8 / fig.get_figheight(), 1.0, 1 - 0.8 / fig.get_figheight()))
    drawing.imshow(picture, interpolation="antialiased")
    drawing.axis("off")
    notes = fig.add_axes((0.0, 0.0, 1.0, 0.8 / fig.get_figheight()))
    notes.axis("off")
    for x, note in ((0.21, desk_note), (0.71, phone_note)):
        if note:
            notes.text(x, 0.5, note, ha="center", va="center", fontsize=8.5, transform=notes.transAxes)
    return Chart(fig)
