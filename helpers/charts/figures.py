"""A chart: a matplotlib figure on the Agg canvas that a notebook shows as a PNG, and the figure's shared set-up.

Every chart of the course is drawn with matplotlib's object API on the Agg canvas (no pyplot, so nothing is
displayed twice and nothing depends on the notebook's backend). :class:`Chart` wraps a figure so that a
notebook shows it as a PNG: put it last in a cell, or ``display()`` it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: Dots per inch of every chart (80: a chart fits a notebook's width at its natural size).
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
