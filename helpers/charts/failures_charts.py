"""The charts of notebooks 18-20 (when things break): chunk sizes, map's intake, oversubscription, the convoy.

Drawn with matplotlib's object API (no pyplot), colours from :mod:`helpers.style`, shown as PNG by
:class:`helpers.charts.figures.Chart`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .figures import Chart, new_figure
from .style import LIMIT, MODE_COLOURS, NOTE, format_duration, series_colour


def plot_chunking(runs: Sequence[Any], tasks: int, workers: int) -> Chart:
    """Horizontal bars: seconds for each :class:`helpers.failures_processes.ChunkRun`, chunk size in the label."""
    fig = new_figure(9.0, 2.4)
    ax = fig.add_subplot()
    labels = [f"{run.label}\nchunk size {run.chunksize}" for run in runs]
    times = [run.seconds for run in runs]
    ax.barh(range(len(runs)), times, color=[series_colour(i) for i in range(len(runs))])
    for i, value in enumerate(times):
        ax.text(value, i, f" {format_duration(value)}", va="center", fontsize=9)
    ax.set_yticks(range(len(runs)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(times) * 1.25)
    ax.set_xlabel("seconds, pool start-up included")
    ax.set_title(f"{tasks:,} tiny tasks on {workers} processes: the same work, different chunk sizes", fontsize=10)
    return Chart(fig)


def plot_intake(intakes: Sequence[Any], count: int, size: int) -> Chart:
    """Items drawn from the input (solid) and results returned (dashed) against time, one colour per run."""
    fig = new_figure(9.0, 3.0)
    ax = fig.add_subplot()
    for i, intake in enumerate(intakes):
        colour = series_colour(i)
        label = f"{intake.label}: peak {intake.peak_bytes / 1e6:.1f} MB held in this process"
        ax.step(intake.drawn, range(1, len(intake.drawn) + 1), where="post", color=colour, label=label + " (drawn)")
        ax.step(intake.returned, range(1, len(intake.returned) + 1), where="post", color=colour, linestyle="--",
                label="results returned")
    ax.set_xlabel("seconds since map() was called")
    ax.set_ylabel("items")
    ax.set_title(f"{count} inputs of {size / 1e6:g} MB: when map() takes each from the generator", fontsize=10)
    ax.legend(fontsize=8, loc="upper center")
    return Chart(fig)


def plot_oversubscription(seconds_by_threads: Mapping[int, float], workers: int, cores: int) -> Chart:
    """Bars: elapsed time of the same BLAS job for each number of BLAS threads per worker process."""
    fig = new_figure(9.0, 2.8)
    ax = fig.add_subplot()
    counts = list(seconds_by_threads)
    times = [seconds_by_threads[n] for n in counts]
    colours = [MODE_COLOURS["processes"] if workers * n > cores else LIMIT for n in counts]
    ax.bar([str(n) for n in counts], times, color=colours)
    for i, (n, value) in enumerate(zip(counts, times)):
        ax.text(i, value, f"{format_duration(value)}\n{workers * n} threads", ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, max(times) * 1.35)
    ax.set_xlabel(f"BLAS threads in each of the {workers} worker processes")
    ax.set_ylabel("seconds")
    ax.set_title(f"The same matrix products on {workers} processes, {cores} usable core(s): "
                 "red = more threads than cores", fontsize=10)
    return Chart(fig)


def plot_convoy(lateness_ms: Mapping[str, Mapping[str, float | None]]) -> Chart:
    """Grouped bars: median wake-up lateness (ms) of a waiting thread, per situation, per Python build.

    ``lateness_ms`` maps a build's label to ``{situation: milliseconds or None (not measured)}``.
    """
    fig = new_figure(9.0, 3.0)
    ax = fig.add_subplot()
    builds = list(lateness_ms)
    situations = list(dict.fromkeys(s for build in builds for s in lateness_ms[build]))
    width = 0.8 / max(1, len(builds))
    top = max([v for build in builds for v in lateness_ms[build].values() if v is not None] or [1.0])
    for b, build in enumerate(builds):
        for s, situation in enumerate(situations):
            value = lateness_ms[build].get(situation)
            x = s + (b - (len(builds) - 1) / 2) * width
            if value is None:
                ax.text(x, 0, "not\nmeasured", ha="center", va="bottom", fontsize=7, color=NOTE)
                continue
            ax.bar(x, value, width * 0.95, color=series_colour(b), label=build)
            ax.text(x, value, f"{value:.2f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(situations)), situations, fontsize=8)
    ax.set_ylim(0, top * 1.25)
    ax.set_ylabel("ms late (median)")
    ax.set_title("How late a thread wakes from a 2 ms sleep", fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), fontsize=8)
    return Chart(fig)
