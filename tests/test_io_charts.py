"""The charts of notebooks 12 and 13 draw what they are given."""

from __future__ import annotations

from helpers.data_transfer import Transfer
from helpers.fetching import FetchRun
from helpers.charts.io_charts import bars_chart, fetch_chart, transfer_chart

PNG = b"\x89PNG"


def test_transfer_chart_draws_one_line_per_channel():
    transfers = {name: Transfer(name, "fork", [1000, 10**6], [1e-4, 1e-3]) for name in ("queue", "array")}
    chart = transfer_chart(transfers)
    left, right = chart.fig.axes
    assert len(left.lines) == 2 and len(right.lines) == 2
    assert chart.png().startswith(PNG)


def test_fetch_chart_draws_one_line_per_way_and_the_wait():
    runs = [FetchRun(how, n, elapsed=1.0 + n / 1e4, ok=n) for how in ("threads", "asyncio") for n in (10, 100)]
    chart = fetch_chart(runs, wait=1.0)
    left, right = chart.fig.axes
    assert len(left.lines) == 3 and len(right.lines) == 2
    assert chart.png().startswith(PNG)


def test_bars_chart_labels_each_bar():
    chart = bars_chart(["a", "b"], [1.0, 2.0], "ms", title="t")
    assert [t.get_text() for t in chart.fig.axes[0].get_yticklabels()] == ["a", "b"]
    assert chart.png().startswith(PNG)


def test_charts_speak_a_learners_words_and_write_no_powers_of_ten():
    from types import SimpleNamespace

    from helpers.io_charts import bars_chart, transfer_chart

    chart = bars_chart(["a", "b"], [12.3, 2100.0], "ms")
    texts = [t.get_text() for t in chart.fig.axes[0].texts]
    assert "2,100 ms" in texts and "12.3 ms" in texts and not any("e+" in t for t in texts)
    sizes = [1000, 100_000]
    transfer = SimpleNamespace(sizes=sizes, seconds=[1e-4, 1e-3], throughput=lambda: [1e7, 1e8])
    legend = transfer_chart({"shared_memory": transfer, "array": transfer}).fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["shared memory", "Array (shared)"]
