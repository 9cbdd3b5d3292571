"""Charts for moving data between processes and for waiting on real I/O (notebooks 12 and 13).

Each function takes what :mod:`helpers.data_transfer` or :mod:`helpers.fetching` measured and
returns a :class:`helpers.charts.figures.Chart` (shown as a PNG in a notebook); nothing here measures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .figures import Chart, new_figure
from .style import ASYNCIO_COLOUR, CHANNEL_COLOURS, LIMIT, MODE_COLOURS, human_size

HOW_COLOURS = {"one by one": MODE_COLOURS["sequential"], "threads": MODE_COLOURS["threads"], "asyncio": ASYNCIO_COLOUR}


def _size_label(size: float) -> str:
    return human_size(size)


#: The channels in a learner's words (the identifiers stay the keys of the measurements).
CHANNEL_NAMES = {"queue": "Queue", "pipe": "Pipe", "manager": "Manager", "array": "Array (shared)",
                 "shared_memory": "shared memory"}


def _figure(value: float, unit: str) -> str:
    """``2100`` ms as "2,100 ms", ``12.34`` as "12.3 ms": never a power of ten a learner has to decode."""
    return f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:.3g} {unit}"


def transfer_chart(transfers: Mapping[str, Any], title: str = "") -> Chart:
    """Round-trip time (left) and throughput (right) against payload size, one line per channel."""
    fig = new_figure(10.0, 3.6)
    left, right = fig.subplots(1, 2)
    for channel, transfer in transfers.items():
        colour = CHANNEL_COLOURS.get(channel)
        name = CHANNEL_NAMES.get(channel, channel.replace("_", " "))
        left.plot(transfer.sizes, [t * 1000 for t in transfer.seconds], "o-", color=colour, label=name)
        right.plot(transfer.sizes, [r / 1e6 for r in transfer.throughput()], "o-", color=colour, label=name)
    for ax, label in ((left, "round trip (ms), best of the repeats"), (right, "throughput (MB/s)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("payload size")
        ax.set_ylabel(label)
        ax.grid(True, which="major", alpha=0.3)
        sizes = next(iter(transfers.values())).sizes
        ax.set_xticks(sizes, [_size_label(s) for s in sizes])
    left.legend(fontsize=8)
    fig.suptitle(title or "handing a payload to another process, measured on this machine", fontsize=10, x=0.01,
                 ha="left")
    return Chart(fig)


def bars_chart(labels: Sequence[str], values: Sequence[float], unit: str, title: str = "",
               colours: Sequence[str] | None = None) -> Chart:
    """Horizontal bars, one per label, each with its figure written beside it."""
    fig = new_figure(7.0, 0.9 + 0.42 * len(labels))
    ax = fig.add_subplot()
    bars = ax.barh(range(len(labels)), values, color=colours or MODE_COLOURS["threads"])
    ax.bar_label(bars, [_figure(v, unit) for v in values], padding=3, fontsize=9)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, max(values) * 1.3 if max(values) > 0 else 1)
    ax.set_xlabel(f"{unit}, measured on this machine")
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return Chart(fig)


def fetch_chart(runs: Sequence[Any], title: str = "", wait: float | None = None) -> Chart:
    """Elapsed time (left) and memory growth (right) per number of pages, one line per way of fetching."""
    fig = new_figure(10.0, 3.4)
    left, right = fig.subplots(1, 2)
    for how in dict.fromkeys(run.how for run in runs):
        mine = sorted((run for run in runs if run.how == how), key=lambda run: run.pages)
        pages = [run.pages for run in mine]
        colour = HOW_COLOURS.get(how)
        left.plot(pages, [run.elapsed for run in mine], "o-", color=colour, label=how)
        right.plot(pages, [run.peak_rss_delta / 2**20 for run in mine], "o-", color=colour, label=how)
    if wait is not None:
        left.axhline(wait, color=LIMIT, linestyle="--", linewidth=1, label=f"one wait ({wait:.2f} s)")
    counts = sorted({run.pages for run in runs})
    for ax, label in ((left, "elapsed (s)"), (right, "memory growth during the run (MB)")):
        ax.set_xscale("log")
        ax.set_xticks(counts, [f"{c:,}" for c in counts])
        ax.set_xlabel("pages fetched at once")
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    left.legend(fontsize=8)
    fig.suptitle(title or "fetching pages from the local server, measured on this machine", fontsize=10, x=0.01,
                 ha="left")
    return Chart(fig)
