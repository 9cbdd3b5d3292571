"""The one-page report: every section of a run as a small chart, the budgets, the machine stamp on top.

Drawn with matplotlib's object API on the Agg canvas (through :mod:`helpers.charts.figures`: all drawing lives in
``helpers.charts``), so it needs no display. A section that was not measured shows as an empty panel that says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..charts.figures import new_figure, whole_number_ticks
from ..charts.style import ASYNCIO_COLOUR, LIMIT, MODE_COLOURS, NOTE, SERIES_COLOURS, STATUS_COLOURS
from ..charts.style import CHANNEL_COLOURS as CHANNELS
from .budgets import Verdict, measured
from .moving import CHANNELS as MOVING_CHANNELS
from .tables import crossover_words, machine_lines, size_words

INTERPRETER_COLOUR = MODE_COLOURS["interpreters"]
#: The moving section's labels, coloured as notebook 12 colours the same channels.
CHANNEL_COLOURS = {label: CHANNELS[channel] for label, channel in MOVING_CHANNELS.items()}
REPORT_DPI = 100


#: One colour per start method, the same in every chart and on every platform.
METHOD_COLOURS = {"fork": SERIES_COLOURS[0], "spawn": SERIES_COLOURS[1], "forkserver": SERIES_COLOURS[2]}


def _series_colour(kind: str, method: str | None) -> str:
    if kind == "processes":
        return METHOD_COLOURS.get(method or "", MODE_COLOURS["processes"])
    return INTERPRETER_COLOUR if kind == "interpreters" else MODE_COLOURS["threads"]


def starved(share: float | None) -> str:
    """A warning for a title when the sequential baseline had well under a whole core."""
    return f"\n(busy machine: the baseline had {share:.0%} of a core)" if share is not None and share < 0.8 else ""


def _legend(ax: Any, size: int) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=size)


def _words(ax: Any, title: str, xlabel: str, ylabel: str, legend: int | None = 7) -> None:
    """A panel's title (top left), axis labels and, if it has labelled lines, its legend."""
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        _legend(ax, legend)


def _empty(ax: Any, title: str, why: str = "not measured in this run") -> None:
    ax.set_title(title, fontsize=10, loc="left")
    ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes, color=NOTE, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


def draw_waiting(ax: Any, section: dict[str, Any], usable: int) -> None:
    for key, colour, label in (("threads", MODE_COLOURS["threads"], "threads"), ("asyncio", ASYNCIO_COLOUR, "asyncio")):
        rows = section[key]
        ax.plot([r["count"] for r in rows], [r["ratio"] for r in rows], "o-", color=colour, label=label)
    ax.axhline(1.0, color=LIMIT, ls="--", lw=1, label="ideal: one wait")
    ax.set_xscale("log")
    _words(ax, f"Waiting: k × one wait of {section['wait']:g} s", "k waits at once", "elapsed / one wait", 8)


def _speedup_series(ax: Any, section: dict[str, Any], value: str) -> None:
    series: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for row in section["runs"]:
        series.setdefault((row["kind"], row["method"]), []).append(row)
    for (kind, method), rows in series.items():
        rows.sort(key=lambda r: r["workers"])
        label = kind + (f" ({method})" if method else "")
        ax.plot([r["workers"] for r in rows], [r[value] for r in rows], "o-" if len(rows) > 1 else "s",
                color=_series_colour(kind, method), label=label, ms=5)


def draw_speedup(ax: Any, section: dict[str, Any], usable: int, title: str) -> None:
    workers = sorted({r["workers"] for r in section["runs"]})
    ax.plot(workers, [min(w, usable) for w in workers], "--", color=LIMIT, lw=1, label="ideal: min(workers, cores)")
    _speedup_series(ax, section, "speedup")
    large = section.get("large")
    if large:
        ax.plot([large["workers"]], [large["speedup"]], "*", ms=13, color=MODE_COLOURS["processes"], mec="k",
                label=f"large tasks ({large['task_seconds']:.2g} s, {large['method']})")
    ax.axvline(usable, color=LIMIT, lw=1, ls=":")
    ax.set_ylim(bottom=0)
    _words(ax, title, f"workers (dotted: {usable} usable cores)", "speed-up")


def draw_efficiency(ax: Any, section: dict[str, Any], usable: int) -> None:
    _speedup_series(ax, section, "efficiency")
    ax.axhline(1.0, color=LIMIT, ls="--", lw=1)
    ax.set_ylim(0, max([1.15] + [r["efficiency"] * 1.05 for r in section["runs"]]))
    _words(ax, "Computing: efficiency against usable cores", "workers", "speed-up / min(workers, usable cores)")


def draw_starting(ax: Any, section: dict[str, Any], usable: int) -> None:
    rows = section["rows"]
    labels = [r["what"] + (f" ({r['method']})" if r["method"] else "") for r in rows]
    colours = [MODE_COLOURS["threads"] if r["what"] == "thread" else
               INTERPRETER_COLOUR if r["what"] == "interpreter" else MODE_COLOURS["processes"] for r in rows]
    values = [r["ms"] for r in rows]
    if max(values) / max(min(values), 1e-6) > 20:  # thread µs next to spawn's tens of ms: a log scale
        ax.set_xscale("log")
        left = 10 ** math.floor(math.log10(max(min(values), 1e-3))) / 2
        ax.barh(labels, [v - left for v in values], left=left, color=colours)
    else:
        ax.barh(labels, values, color=colours)
    for i, value in enumerate(values):
        ax.text(value, i, f" {value:.2f} ms", va="center", fontsize=8)
    ax.set_xlim(right=max(values) * 3)
    ax.invert_yaxis()
    ax.set_xlabel("ms to start + join one (median)")
    note = "" if section["interpreters"] == "measured" else "\ninterpreters: " + section["interpreters"]
    ax.set_title("Start cost" + note, fontsize=10 if not note else 8, loc="left")


def draw_moving(ax: Any, section: dict[str, Any], usable: int) -> None:
    channels = list(dict.fromkeys(r["channel"] for r in section["rows"]))
    for channel in channels:
        rows = sorted((r for r in section["rows"] if r["channel"] == channel), key=lambda r: r["bytes"])
        ax.plot([r["bytes"] for r in rows], [r["mb_per_s"] for r in rows], "o-", label=channel,
                color=CHANNEL_COLOURS.get(channel))
    ax.set_xscale("log")
    sizes = sorted({r["bytes"] for r in section["rows"]})
    ax.set_xticks(sizes, [size_words(s) for s in sizes], fontsize=8)
    ax.minorticks_off()
    ax.set_yscale("log")
    _words(ax, f"Moving data to a child ({section['method']}) and back", "payload", "MB/s one way (round trips)", 8)


def draw_crossover(ax: Any, section: dict[str, Any], usable: int) -> None:
    sizes = section["sizes"]
    for method, times in section["processes"].items():
        colour = METHOD_COLOURS.get(method, MODE_COLOURS["processes"])
        found = section["crossover"][method]
        ax.plot(sizes, [s / p for s, p in zip(section["sequential"], times)], "o-", color=colour,
                label=f"{method}: {crossover_words(found).split(' (')[0]}")
        if found["where"] == "between":
            ax.axvline(found["numbers"], color=colour, lw=1, ls=":")
    ax.axhline(1.0, color=LIMIT, ls="--", lw=1)
    ax.set_xscale("log")
    _words(ax, f"Crossover: {section['tasks']} tasks on {section['workers']} processes", "numbers per task",
           "sequential / processes")


def draw_hashlib(ax: Any, section: dict[str, Any], usable: int, computing: dict[str, Any] | None) -> None:
    rows = section["runs"]
    workers = [r["workers"] for r in rows]
    ax.plot(workers, [min(w, usable) for w in workers], "--", color=LIMIT, lw=1, label="ideal")
    ax.plot(workers, [r["speedup"] for r in rows], "o-", color=SERIES_COLOURS[7], label="hashlib.sha256 on threads")
    if computing:
        pure = [r for r in computing["runs"] if r["kind"] == "threads"]
        ax.plot([r["workers"] for r in pure], [r["speedup"] for r in pure], "o-", color=MODE_COLOURS["threads"],
                label="pure-Python sum on threads")
    ax.set_ylim(bottom=0)
    _words(ax, "C code that releases the GIL, on threads" + starved(section.get("cpu_share")), "threads", "speed-up")


def draw_panel(ax: Any, section: dict[str, Any], usable: int) -> None:
    rows = section["rows"]
    labels = [r["workload"].replace(" on ", "\non ") for r in rows]
    ax.bar(labels, [100 * r["drawing_share"] for r in rows], color=SERIES_COLOURS[5])
    for i, r in enumerate(rows):
        ax.text(i, 100 * r["drawing_share"], f"{r['frames_per_s']:.1f}/s", ha="center", va="bottom", fontsize=8)
    ax.axhline(5, color=STATUS_COLOURS["error"], ls="--", lw=1, label="budget: 5 %")
    ax.set_ylabel("drawing, % of the run")
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title("Live panel overhead (redraws/s on the bars)", fontsize=10, loc="left")
    _legend(ax, 8)


def draw_budgets(ax: Any, verdicts: Sequence[Verdict]) -> None:
    ax.axis("off")
    ax.set_title("Budgets (ratios from this run)", fontsize=10, loc="left")
    colours = {True: STATUS_COLOURS["ok"], False: STATUS_COLOURS["error"], None: NOTE}
    y = 0.95
    for v in verdicts:
        ax.text(0.0, y, f"{v.word.upper()}  {v.name}", color=colours[v.passed], fontsize=9, weight="bold",
                transform=ax.transAxes, va="top")
        detail = f"target {v.target}\nmeasured {v.figure}" + (f"\n{v.note}" if v.note else "")
        ax.text(0.04, y - 0.06, detail, fontsize=7.5, transform=ax.transAxes, va="top", wrap=True)
        y -= 0.25


def draw_report(results: dict[str, Any], verdicts: Sequence[Verdict], path: Path) -> None:
    """Write the one-page PNG report of ``results`` to ``path``."""
    sections = results["sections"]
    usable = int(results["machine"]["usable_cores"])
    fig = new_figure(16, 13)
    axes = fig.subplots(3, 3)
    panels: list[tuple[str, str, Callable[[Any, dict[str, Any]], None]]] = [
        ("waiting", "Waiting", lambda ax, s: draw_waiting(ax, s, usable)),
        ("computing", "Computing: speed-up",
         lambda ax, s: draw_speedup(ax, s, usable,
                                    f"Computing: speed-up, tasks of {s['task_seconds']:.2f} s"
                                    + starved(s.get("cpu_share")))),
        ("computing", "Computing: efficiency", lambda ax, s: draw_efficiency(ax, s, usable)),
        ("starting", "Start cost", lambda ax, s: draw_starting(ax, s, usable)),
        ("moving", "Moving data", lambda ax, s: draw_moving(ax, s, usable)),
        ("crossover", "Crossover", lambda ax, s: draw_crossover(ax, s, usable)),
        ("hashlib", "hashlib on threads", lambda ax, s: draw_hashlib(ax, s, usable, measured(results, "computing"))),
        ("panel", "Live panel", lambda ax, s: draw_panel(ax, s, usable)),
    ]
    for ax, (name, title, draw) in zip(axes.flat, panels):
        if name in sections and "error" in sections[name]:
            _empty(ax, title, "could not be measured here:\n" + sections[name]["error"][:200])
        elif name in sections:
            draw(ax, sections[name])
            ax.grid(True, alpha=0.3)
            if name in ("computing", "hashlib"):
                whole_number_ticks(ax.xaxis)
        else:
            _empty(ax, title)
    draw_budgets(axes.flat[-1], verdicts)
    fig.suptitle("python -m helpers.bench — " + "\n".join(machine_lines(results)), fontsize=10, x=0.01,
                 ha="left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=REPORT_DPI)
