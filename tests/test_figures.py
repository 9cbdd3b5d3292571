"""A chart and the figures' set-up (helpers/charts/figures.py)."""

from __future__ import annotations

from helpers.charts import plots
from helpers.charts.figures import DPI, Chart, finish_lanes, new_figure, whole_number_ticks


def test_a_chart_shows_as_a_png_of_its_figure() -> None:
    fig = new_figure(4.0, 2.0)
    assert fig.dpi == DPI
    chart = Chart(fig)
    assert chart._repr_png_().startswith(b"\x89PNG")


def test_finish_lanes_puts_the_first_lane_on_top() -> None:
    fig = new_figure()
    ax = fig.add_subplot()
    whole_number_ticks(ax.xaxis)
    chart = finish_lanes(fig, ax, ["a", "b"], (1.5, -0.5), 3.0, "seconds", "title")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_ylim() == (1.5, -0.5) and ax.get_xlim() == (0, 3.0)
    assert chart.fig is fig and ax.get_title(loc="left") == "title"


def test_the_notebooks_old_imports_are_the_same_names() -> None:
    assert plots.Chart is Chart and plots.new_figure is new_figure
