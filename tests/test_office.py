"""The office picture (helpers/charts/office.py)."""

from __future__ import annotations

from helpers.charts import plots
from helpers.charts.office import office_analogy

PNG = b"\x89PNG"


def test_office_analogy_is_the_picture_with_the_measured_notes_under_it() -> None:
    chart = office_analogy(desk_note="DESK 123", phone_note="PHONE 456")
    texts = [t.get_text() for ax in chart.fig.axes for t in ax.texts]
    assert texts == ["DESK 123", "PHONE 456"]
    picture = chart.fig.axes[0].images[0].get_array()
    assert picture.shape[1] > 1000 and picture.shape[0] > 400  # the drawing, not an empty frame
    assert chart.png().startswith(PNG)
    assert [t.get_text() for ax in office_analogy().fig.axes for t in ax.texts] == []


def test_the_notebooks_old_import_is_the_same_function() -> None:
    assert plots.office_analogy is office_analogy
