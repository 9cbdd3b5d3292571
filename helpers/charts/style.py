"""The course's one colour palette and one way to write a duration, for every chart and message.

Charts (:mod:`helpers.charts.plots`, :mod:`helpers.charts.live_chart`, :mod:`helpers.charts.timeline`), the panel's
status line, the advisor's table and the checkers' messages take their colours and their
"700 ms" / "1.5 s" from here, so a mode has the same colour everywhere and a figure is written
the same way in a chart and in a sentence.
"""

from __future__ import annotations

#: One colour per way of running tasks: the same in every chart.
MODE_COLOURS = {"sequential": "#7f7f7f", "threads": "#1f77b4", "processes": "#d62728", "interpreters": "#2ca02c"}
#: Lanes and processes that need telling apart (cycled): threads on a timeline, processes in a group.
SERIES_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
#: Waiting on an event loop (asyncio), beside the modes above.
ASYNCIO_COLOUR = SERIES_COLOURS[1]
#: The ways of moving data between processes, the same in the notebooks' charts and the benchmark's.
CHANNEL_COLOURS = {"queue": SERIES_COLOURS[0], "pipe": SERIES_COLOURS[7], "manager": SERIES_COLOURS[3],
                   "array": SERIES_COLOURS[2], "shared_memory": SERIES_COLOURS[1]}
#: A task that raised.
FAILED = "#ff7f0e"
#: The machine's limits drawn on a chart: the number of cores, the ideal speed-up, a crossover.
LIMIT = "#2ca02c"
#: Start-up (a process not yet ready) and captions that explain a chart.
STARTING = "#999999"
NOTE = "#555555"
#: Status lines and warnings in text: neutral, success, failure.
STATUS_COLOURS = {"info": "#333333", "ok": "#1a7f37", "error": "#b00020"}
#: A measured figure set beside a claim (the quick-reference table).
MEASURED = MODE_COLOURS["threads"]


def series_colour(index: int) -> str:
    """The ``index``-th colour of :data:`SERIES_COLOURS`, cycling."""
    return SERIES_COLOURS[index % len(SERIES_COLOURS)]


def format_duration(seconds: float) -> str:
    """A duration as people say it, three significant figures: ``"2.2 ms"``, ``"700 ms"``, ``"1.5 s"``."""
    return f"{seconds * 1000:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def human_size(size: float) -> str:
    """A size in bytes as people say it, decimal units, three significant figures: ``"1.5 MB"``, ``"800 B"``."""
    for unit, factor in (("MB", 1000 * 1000), ("KB", 1000)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size:.3g} B"
