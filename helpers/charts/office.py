"""The office picture: threads share one desk, processes phone each other (notebook 01).

A drawing kept as a picture file (``helpers/pictures/``), shown as a :class:`~helpers.charts.figures.Chart`
with what the notebook measured written under its two halves.
"""

from __future__ import annotations

from importlib import resources

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .figures import DPI, Chart

#: The office analogy, drawn once as a picture (helpers/pictures/); the notebook adds what it measured.
OFFICE_PICTURE = "office_analogy.png"


def office_analogy(desk_note: str = "", phone_note: str = "") -> Chart:
    """The article's office picture: threads share one desk, processes phone each other.

    Left: three people (threads) around one desk holding the shared papers (the process's
    memory); red arrows: two reach for the same paper (a race, fixed with a ``Lock``); one
    pen (the GIL). Right: three private offices (processes), each with its own desk, linked
    only by phone lines to a switchboard (a ``Queue`` or a ``Manager``). The drawing is the
    picture file :data:`OFFICE_PICTURE`; ``desk_note`` and ``phone_note`` (e.g. figures
    measured in the notebook) are written under its two halves.
    """
    from PIL import Image as PILImage

    with resources.files("helpers").joinpath("pictures").joinpath(OFFICE_PICTURE).open("rb") as file:
        picture = PILImage.open(file)
        picture.load()
    width, height = picture.size
    fig = Figure(figsize=(11.0, 11.0 * height / width + 0.8), dpi=DPI)
    FigureCanvasAgg(fig)
    drawing = fig.add_axes((0.0, 0.8 / fig.get_figheight(), 1.0, 1 - 0.8 / fig.get_figheight()))
    drawing.imshow(picture, interpolation="antialiased")
    drawing.axis("off")
    notes = fig.add_axes((0.0, 0.0, 1.0, 0.8 / fig.get_figheight()))
    notes.axis("off")
    for x, note in ((0.21, desk_note), (0.71, phone_note)):
        if note:
            notes.text(x, 0.5, note, ha="center", va="center", fontsize=8.5, transform=notes.transAxes)
    return Chart(fig)
