"""helpers.failures_charts: each chart draws from measured figures and renders as a PNG."""

from __future__ import annotations

from helpers.charts.failures_charts import plot_chunking, plot_convoy, plot_intake, plot_oversubscription
from helpers.failures_processes import ChunkRun, Intake


def is_png(chart):
    return chart.png().startswith(b"\x89PNG")


def test_every_chart_renders():
    assert is_png(plot_chunking([ChunkRun("Pool.map", 500, 0.1), ChunkRun("executor", 1, 2.0)], 4000, 2))
    assert is_png(plot_intake([Intake("map()", [0.0, 0.01], [0.1, 0.2], 2_000_000)], 2, 1_000_000))
    assert is_png(plot_oversubscription({1: 0.8, 2: 1.3, 8: 2.3}, 2, 2))
    assert is_png(plot_convoy({"GIL": {"alone": 0.1, "beside": 10.0}, "3.14t": {"alone": 0.1, "beside": None}}))
