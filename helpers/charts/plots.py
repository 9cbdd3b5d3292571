"""Static charts of measured runs: a run's timeline, runs side by side, threads inside processes, speed-up, crossover.

Each returns a :class:`~helpers.charts.figures.Chart` (a PNG in a notebook). A run's timeline is drawn by
:mod:`helpers.charts.live_chart` (the same drawing the panel ends with); colours and durations come from
:mod:`helpers.charts.style`. ``Chart``, ``new_figure`` and ``office_analogy`` are also importable from here, as
the notebooks have always imported them (:mod:`helpers.charts.figures`, :mod:`helpers.charts.office`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .figures import Chart, finish_lanes, new_figure, whole_number_ticks
from .live_chart import draw_timeline, worker_lanes
from .office import office_analogy
from .style import LIMIT, MODE_COLOURS, NOTE, STARTING, STATUS_COLOURS, format_duration, series_colour

if TYPE_CHECKING:
    from ..engine.harness import RunResult

#: Names the notebooks import from here, though they live next door.
__all__ = ["Chart", "finish_lanes", "new_figure", "office_analogy", "plot_crossover", "plot_process_threads",
           "plot_run", "plot_runs", "plot_speedup", "whole_number_ticks"]


def plot_run(result: RunResult, title: str | None = None) -> Chart:
    """A static timeline of one finished run."""
    lanes = len(worker_lanes(result))
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


