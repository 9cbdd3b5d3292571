"""What a measurement shows: the table, the JSON document and the one-page PNG.

The JSON document holds the measurement and, under ``recommendation``, the answer with its reasons;
the table and the page are drawn from the same figures (``helpers.bench``'s table and figure code).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..bench.tables import table
from ..charts.style import format_duration
from .measure import Measurement
from .recommendation import Recommendation, idle

SCHEMA = "helpers.choose/1"


def machine_line(m: Measurement) -> str:
    f = m.machine
    build = "free-threaded" if f["free_threaded"] else "with the GIL"
    seen = [x for x in (f.get("idle_before"), f.get("idle_after")) if x is not None]
    looked = f", idle before/after: {' / '.join(f'{x:g}' for x in seen)}" if seen else ""
    return (f"Python {f['python']} ({build}), start method {f['start_method']}, "
            f"{f['usable_cores']} usable cores of {f['cpu_count']}{looked}")


def ways_table(m: Measurement, kind: str = "computes") -> str:
    """One row per way; "of ideal" is the speed-up over its most: one per worker for waits, else one per
    worker up to the usable cores. A way that did not run shows a dash (why: in the reasons below)."""
    cores = m.machine["usable_cores"]
    rows: list[list[Any]] = []
    for w in m.ways:
        if not w.measured:
            rows.append([w.label, "—", "—", "—", "—", "—", "—"])
            continue
        ideal = w.workers if kind == "waits" or w.key == "asyncio" else min(w.workers, cores)
        plain = w.key in ("sequential", "free-threaded-sequential")
        rows.append([w.label, w.workers, f"{w.elapsed:.3f}", f"×{w.speedup:.2f}" if w.speedup else "",
                     f"{w.speedup / ideal:.0%}" if w.speedup and not plain else "",
                     f"{w.parallelism:.2f}" if w.parallelism is not None else "",
                     format_duration(w.startup) if w.startup is not None and not plain else ""])
    return table(["way", "workers", "elapsed s", "speed-up", "of ideal", "cores busy", "worker ready"], rows)


def text(m: Measurement, r: Recommendation) -> str:
    """The whole answer as printed on a terminal: what was measured, the table, the recommendation."""
    sample = (f"{m.inputs_measured} of {m.inputs_given} inputs (--quick)" if m.inputs_measured != m.inputs_given
              else f"{m.inputs_measured} inputs")
    head = [f"{m.function}, {sample}" + (" (a coroutine function)" if m.coroutine else ""),
            machine_line(m),
            f"per call: {format_duration(m.call_wall)} wall, {format_duration(m.call_cpu)} CPU "
            f"({m.cpu_share:.0%} of its own time)"
            + (f", {format_duration(m.call_queued)} queued for a CPU" if m.call_queued else ""),
            ""]
    return "\n".join(head + [ways_table(m, r.kind), "", str(r), "",
                             f"(ideal = min(workers, {m.machine['usable_cores']} usable cores) for computing; "
                             f"measured in {m.duration:.1f} s)"])


def document(m: Measurement, r: Recommendation) -> dict[str, Any]:
    return {"schema": SCHEMA, "measurement": m.to_json(), "recommendation": r.to_json()}


def write_json(m: Measurement, r: Recommendation, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document(m, r), indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def draw_page(m: Measurement, r: Recommendation, path: Path | None = None) -> Any:
    """The one-page report: speed-up per way against the ideal, a call's wall vs CPU, the crossing
    costs, and the recommendation. Writes a PNG to ``path`` if given; returns the figure."""
    import textwrap

    from ..charts.figures import new_figure
    from ..charts.style import LIMIT, MODE_COLOURS, NOTE, SERIES_COLOURS

    colours = {"sequential": MODE_COLOURS["sequential"], "threads": MODE_COLOURS["threads"],
               "interpreters": MODE_COLOURS["interpreters"], "asyncio": SERIES_COLOURS[1]}
    fig = new_figure(14, 11)
    grid = fig.add_gridspec(3, 2, height_ratios=[1.2, 1.0, 0.8], width_ratios=[1.25, 1])
    ax = fig.add_subplot(grid[0, 0])
    ways = [w for w in m.ways if w.measured]
    labels = [w.label for w in ways]
    colour = [colours.get(w.key, MODE_COLOURS["processes"] if w.key.startswith("processes") else SERIES_COLOURS[4])
              for w in ways]
    ax.barh(labels, [w.speedup or 0 for w in ways], color=colour)
    cores = m.machine["usable_cores"]
    for i, w in enumerate(ways):
        ax.text(w.speedup or 0, i, f" ×{w.speedup:.2f} ({w.elapsed:.2f} s)", va="center", fontsize=8)
        ideal = w.workers if r.kind == "waits" or w.key in ("asyncio",) else min(w.workers, cores)
        ax.plot([ideal, ideal], [i - 0.4, i + 0.4], color=LIMIT, lw=2)
    ax.axvline(1.0, color=NOTE, lw=1, ls=":")
    ax.invert_yaxis()
    ideals = [w.workers if r.kind == "waits" or w.key == "asyncio" else min(w.workers, cores) for w in ways]
    ax.set_xlim(0, max([2.0] + [(w.speedup or 0) * 1.4 for w in ways] + [i * 1.1 for i in ideals]))
    ax.set_title(f"Speed-up against one after another\n(green mark: ideal; {cores} usable cores)", fontsize=10,
                 loc="left")
    ax.set_xlabel("speed-up (×)")

    ax = fig.add_subplot(grid[0, 1])
    own = max(0.0, m.call_wall - (m.call_queued or 0.0))
    parts = [("on a CPU", min(m.call_cpu, own)), ("waiting (its own)", max(0.0, own - m.call_cpu)),
             ("queued for a CPU", m.call_queued or 0.0)]
    left = 0.0
    for (name, value), c in zip(parts, (MODE_COLOURS["processes"], MODE_COLOURS["threads"], NOTE)):
        ax.barh(["one call"], [value], left=left, color=c, label=f"{name}: {format_duration(value)}")
        left += value
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"One call: {format_duration(m.call_wall)} wall\nit {r.kind}", fontsize=10, loc="left")
    ax.set_xlabel("seconds (a call on average, one after another)")

    ax = fig.add_subplot(grid[1, :])
    costs = [("a call", m.call_wall)]
    if m.crossing_seconds is not None:
        costs.append(("pickle argument + result", m.crossing_seconds))
    for w in m.ways:
        if w.measured and w.startup is not None and w.key != "sequential":
            costs.append((f"{w.label}: worker ready", w.startup))
    ax.barh([c[0] for c in costs], [max(c[1], 1e-6) for c in costs], color=SERIES_COLOURS[5])
    ax.set_xscale("log")
    for i, (_, value) in enumerate(costs):
        ax.text(max(value, 1e-6), i, f" {format_duration(value)}", va="center", fontsize=8)
    ax.invert_yaxis()
    sizes = f"argument {m.argument_bytes:,} B" + (f", result {m.result_bytes:,} B" if m.result_bytes is not None
                                                   else ", result not picklable")
    ax.set_title(f"What crossing and starting cost\n({sizes} pickled)", fontsize=10, loc="left")

    ax = fig.add_subplot(grid[2, :])
    ax.axis("off")
    words = "\n".join(textwrap.fill(line, 115, subsequent_indent="    ") for line in str(r).splitlines())
    ax.text(0, 1, words, va="top", fontsize=9, family="monospace", transform=ax.transAxes)
    ax.set_title(f"Recommendation: {r.tool}", fontsize=11, loc="left", weight="bold")
    seen = idle(m)
    fig.suptitle(f"python -m helpers.choose {m.function}: {m.inputs_measured} calls\n{machine_line(m)}"
                 + (" (busy)" if r.busy and seen is not None else ""), fontsize=11, x=0.01, ha="left")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
    return fig
