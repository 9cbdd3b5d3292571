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

MODE_COLOURS = {"sequential": "#7f7f7f", "threads": "#1f77b4", "processes": "#d62728", "interpreters": "#2ca02c"}
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
    if result.mode in ("processes", "interpreters"):
        starting = "process" if result.mode == "processes" else "interpreter"
        ax.text(0.995, 1.01, f"grey: {starting} starting", transform=ax.transAxes, fontsize=7, color="#777777",
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


def draw_timeline(ax: Any, result: RunResult) -> None:
    """Draw a finished (or stopped) run: one bar per task on a lane per worker.

    Grey lines before a process's first bar show how long that process took to start.
    """
    lanes = _lanes(result)
    _timeline_frame(ax, result, lanes, result.elapsed)
    collections = _bar_collections(ax, MODE_COLOURS.get(result.mode, "#1f77b4"), animated=False)
    for group, verts in _bars(result, lanes, result.elapsed).items():
        collections[group].set_verts(verts)
    ax.set_title(_timeline_title(result, result.elapsed), fontsize=10, loc="left")


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

    def begin(self, workers: int, mode: str, expected: float, caption: str = "") -> bytes:
        """Draw the empty axes for a run of ``workers`` lanes lasting about ``expected`` s."""
        self._workers, self._slots = workers, {}
        self._caption = caption or f"{workers} {mode}"
        prefix = {"threads": "thread-", "sequential": "sequential-", "interpreters": "interp-"}.get(mode, "process ")
        self._names = [f"{prefix}{n + 1}" for n in range(workers)]
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
        for group, verts in _bars(result, lanes, now).items():
            self._collections[group].set_verts(verts)
        self._now.set_xdata([now, now])
        self._clock.set_text(f"{now:.2f} s, {result.finished}/{len(result.tasks)} done")
        for artist in (*self._collections.values(), self._now, self._clock):
            self.ax.draw_artist(artist)
        self.frames += 1
        return encode(self.canvas, "jpeg")

    def finish(self, result: RunResult) -> bytes:
        """The finished (or stopped) run with real lane labels, as PNG."""
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
        self._collections = _bar_collections(ax, self._colour, animated=True)
        self._now = ax.axvline(0, color="black", linestyle="--", linewidth=0.8, animated=True)
        ax.set_title(f"{self._caption}: running", fontsize=10, loc="left")
        # Only this short text is redrawn each frame: drawing text costs ~0.1 ms a character.
        self._clock = ax.text(1.0, 1.02, " ", transform=ax.transAxes, ha="right", va="bottom", fontsize=10,
                              animated=True, parse_math=False)
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.full_draws += 1


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
    for mode in MODE_COLOURS:
        points = sorted((p.workers, p.elapsed) for p in history if p.mode == mode)
        if points:
            xs, ys = zip(*points)
            ax.plot(xs, ys, marker="o", linestyle="-" if len(points) > 1 else "none",
                    color=MODE_COLOURS[mode], label=mode)
    if history:
        last = history[-1]
        ax.annotate(f"{last.elapsed:.2f} s", (last.workers, last.elapsed), textcoords="offset points",
                    xytext=(0, 6), ha="center", fontsize=8)
        most = max(p.workers for p in history)
        ax.set_xlim(0.5, most + 0.5 + most * 0.12)  # room for the label of the right-most point
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


# --- 07 processes with threads, 09 the office analogy (appended) ------------------------

PROCESS_COLOURS = ["#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


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
        colour = PROCESS_COLOURS[group % len(PROCESS_COLOURS)]
        rows = [row for row, lane in enumerate(lanes) if lane[0] == pid]
        ax.axhspan(rows[0] - 0.5, rows[-1] + 0.5, color=colour, alpha=0.07, linewidth=0)
        name = next(s.process for s in spans if s.pid == pid)
        ax.text(end * 1.04, (rows[0] + rows[-1]) / 2, f"process {name}\npid {pid}", fontsize=8, va="center",
                ha="left", color=colour)
        first = min(s.start for s in spans if s.pid == pid) - t0
        ax.plot([0, first], [rows[0]] * 2, color="#999999", linewidth=2, solid_capstyle="butt")
        for span in (s for s in spans if s.pid == pid):
            row = lanes.index((pid, span.thread))
            main = span.thread == "MainThread"
            height = 0.25 if main else 0.7
            ax.broken_barh([(span.start - t0, span.end - span.start)], (row - height / 2, height),
                           facecolors=colour, alpha=0.45 if main else 0.9)
            if not main:
                ax.text(span.start - t0 + 0.01 * end, row, f"{span.thread}: {span.end - span.start:.2f} s",
                        fontsize=7, va="center", color="white")
    ax.text(0.995, 1.01, "grey: process starting", transform=ax.transAxes, fontsize=7, color="#777777",
            va="bottom", ha="right")
    ax.set_yticks(range(len(lanes)), [f"pid {pid} / {thread}" for pid, thread in lanes], fontsize=8)
    ax.set_ylim(len(lanes) - 0.5, -0.5)
    ax.set_xlim(0, end * 1.22)
    ax.set_xlabel("seconds since the parent started the first process, measured")
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return Chart(fig)


def _person(ax: Any, x: float, y: float, colour: str, label: str = "") -> None:
    """A stick-figure-free person seen from above-ish: a head and shoulders."""
    from matplotlib.patches import Circle, FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - 0.32, y - 0.55), 0.64, 0.45, boxstyle="round,pad=0.02,rounding_size=0.18",
                                facecolor=colour, edgecolor="none"))
    ax.add_patch(Circle((x, y + 0.08), 0.2, facecolor=colour, edgecolor="white", linewidth=1))
    if label:
        ax.text(x, y - 0.75, label, ha="center", va="top", fontsize=8)


def _paper(ax: Any, x: float, y: float, angle: float = 0.0) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), 0.34, 0.44, angle=angle, facecolor="white", edgecolor="#555555", linewidth=0.8))
    for k in range(3):
        ax.plot([x + 0.06, x + 0.28], [y + 0.32 - 0.1 * k] * 2, color="#999999", linewidth=0.6)


def office_analogy(desk_note: str = "", phone_note: str = "") -> Chart:
    """The article's office picture, drawn: threads share one desk, processes phone each other.

    Left: three people (threads) around one desk holding the shared papers (the process's
    memory); red arrows: two reach for the same paper (a race, fixed with a ``Lock``); one
    pen (the GIL), so only one of them computes at a time.
    Right: three private offices (processes), each with its own desk and papers, linked only
    by phone lines to a switchboard (a ``Queue`` or a ``Manager``). ``desk_note`` and
    ``phone_note`` are printed under each half, e.g. figures measured in the notebook.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

    fig = new_figure(11.0, 5.0)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.35]})
    people = ["#1f77b4", "#2ca02c", "#ff7f0e"]

    # Threads: one room, one desk, shared papers.
    left.add_patch(Rectangle((0.2, 0.6), 9.6, 7.6, facecolor="#f4f4f4", edgecolor="#333333", linewidth=2))
    left.text(5, 7.75, "one process = one office", ha="center", fontsize=9, color="#333333")
    left.add_patch(FancyBboxPatch((2.6, 3.1), 4.8, 2.4, boxstyle="round,pad=0.05,rounding_size=0.2",
                                  facecolor="#c8a27a", edgecolor="#8b5a2b", linewidth=1.5))
    left.text(5, 3.3, "shared desk = shared memory", ha="center", fontsize=8, color="#4a2f12")
    left.text(5, 1.0, "one pen (the GIL): only one of them writes at a time,\nbut all can wait on the phone at once",
              ha="center", fontsize=7.5, color="#555555")
    for k, (px, py) in enumerate([(3.6, 4.0), (4.6, 4.15), (5.6, 3.95)]):
        _paper(left, px, py, angle=(-8, 4, 10)[k])
    for (x, y, colour, name) in [(1.6, 4.6, people[0], "thread 1"), (5.0, 6.9, people[1], "thread 2"),
                                 (8.4, 4.6, people[2], "thread 3")]:
        _person(left, x, y, colour, name)
    for (x0, y0) in [(1.95, 4.4), (8.05, 4.4)]:
        left.add_patch(FancyArrowPatch((x0, y0), (5.75, 4.35), arrowstyle="-|>", mutation_scale=12,
                                       color="#d62728", linewidth=1.6, connectionstyle="arc3,rad=0.25"))
    left.text(5, 1.95, "both grab the same paper → lost update\n(a Lock makes them take turns)",
              ha="center", fontsize=8, color="#d62728")
    left.set_title("Threads: people at one shared desk", fontsize=11, loc="left")
    if desk_note:
        left.text(5, -0.3, desk_note, ha="center", va="top", fontsize=8.5, wrap=True)

    # Processes: private offices, phone lines to a switchboard.
    offices = [(0.3, 4.6), (4.9, 4.6), (9.5, 4.6)]
    switch = (7.0, 1.35)
    for k, (ox, oy) in enumerate(offices):
        right.add_patch(Rectangle((ox, oy), 3.9, 3.6, facecolor="#f4f4f4", edgecolor="#333333", linewidth=2))
        right.add_patch(Rectangle((ox + 1.5, oy - 0.06), 0.9, 0.12, facecolor="white", edgecolor="none"))  # door
        right.add_patch(FancyBboxPatch((ox + 0.55, oy + 0.55), 2.8, 1.1, boxstyle="round,pad=0.04,rounding_size=0.15",
                                       facecolor="#c8a27a", edgecolor="#8b5a2b"))
        _paper(right, ox + 0.8, oy + 0.85)
        right.text(ox + 2.0, oy + 0.8, "own memory", ha="center", fontsize=7, color="#4a2f12")
        _person(right, ox + 1.95, oy + 2.55, people[k])
        right.text(ox + 1.95, oy + 3.15, f"process {k + 1}", ha="center", fontsize=8)
        right.text(ox + 3.0, oy + 1.25, "☎", ha="center", va="center", fontsize=13)
        right.plot([ox + 3.0, switch[0]], [oy + 0.5, switch[1] + 0.6], linestyle="--", color="#555555",
                   linewidth=1.2)
    right.add_patch(FancyBboxPatch((switch[0] - 2.7, switch[1] - 0.55), 5.4, 1.15,
                                   boxstyle="round,pad=0.05,rounding_size=0.2", facecolor="#fde9c9",
                                   edgecolor="#e08a00", linewidth=1.5))
    right.text(switch[0], switch[1], "switchboard: Queue / Manager\n(messages are copied, one call at a time)",
               ha="center", va="center", fontsize=8)
    right.set_title("Processes: people in private offices who phone each other", fontsize=11, loc="left")
    if phone_note:
        right.text(7.0, -0.3, phone_note, ha="center", va="top", fontsize=8.5, wrap=True)

    for ax, width in ((left, 10), (right, 14)):
        ax.set_xlim(0, width)
        ax.set_ylim(-1.4, 8.6)
        ax.set_aspect("equal")
        ax.axis("off")
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
    ax.plot(xs, ideal, linestyle="--", color="#2ca02c", linewidth=1.2,
            label="ideal" + (f" (at most {cores} cores)" if cores else ""))
    ax.axhline(1.0, color="#555555", linewidth=0.8, alpha=0.6)
    best = 1.0
    for mode in MODE_COLOURS:
        points = sorted((r.workers, baseline / r.elapsed) for r in items if r.mode == mode and r.elapsed > 0)
        if not points:
            continue
        wx, sy = zip(*points)
        best = max(best, *sy)
        ax.plot(wx, sy, marker="o", color=MODE_COLOURS[mode], label=mode)
        for x, y in points:
            ax.annotate(f"×{y:.2f}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center",
                        fontsize=8, color=MODE_COLOURS[mode])
    if cores:
        ax.axvline(cores, color="#2ca02c", linestyle=":", linewidth=1)
        ax.text(cores, 0.02, f" {cores} cores", transform=ax.get_xaxis_transform(), fontsize=8, color="#2ca02c")
    ax.set_xticks(xs if len(xs) <= 16 else sorted({1, *(r.workers for r in items), cores or 1}))
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
        ax.axvline(crossover, color="#2ca02c", linestyle="--", linewidth=1.2)
        # Write the label on whichever side of the line has more room (the x axis is logarithmic).
        right_half = crossover * crossover > min(xs) * max(xs)
        ax.text(crossover, 0.97, f" processes pay from ≈ {crossover:,.0f} ",
                transform=ax.get_xaxis_transform(), fontsize=8, color="#2ca02c", va="top",
                ha="right" if right_half else "left",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    else:
        ax.text(0.02, 0.97, "no crossover in the sizes measured", transform=ax.transAxes, fontsize=8,
                color="#b00020", va="top")
    ax.set_xlabel("task size (numbers summed per task)")
    ax.set_ylabel("elapsed (s), log scale")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title or "when do processes pay? measured on this machine", fontsize=10, loc="left")
    return Chart(fig)
