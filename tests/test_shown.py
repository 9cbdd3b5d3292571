"""What every panel shares as a notebook shows it (helpers/panels/shown.py)."""

from __future__ import annotations

import base64
from typing import Any

import ipywidgets as widgets

from helpers.panels import shown


class Tiny(shown.ShownPanel):
    def __init__(self, picture: bytes) -> None:
        self.results: list[Any] = []
        self.box = widgets.VBox([])
        self.slider = widgets.IntSlider(1, 1, 10)
        self.picture = picture

    def _root(self) -> Any:
        return self.box

    def _picture(self) -> bytes:
        return self.picture


def test_without_a_picture_the_bundle_has_the_widget_and_one_line():
    bundle = Tiny(b"")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "image/png" not in bundle
    assert bundle["text/plain"] == "<Tiny: no run yet>"


def test_a_picture_is_the_fallback_and_a_run_in_a_cell_sets_shows_presses_and_updates(monkeypatch):
    updates = []

    class Handle:
        def update(self, obj: Any) -> None:
            updates.append(obj)

    monkeypatch.setattr(shown, "display", lambda *a, **k: Handle())
    panel = Tiny(b"\x89PNG fake")
    assert base64.b64decode(panel._repr_mimebundle_()["image/png"]) == b"\x89PNG fake"
    assert panel._run_in_cell([(panel.slider, 7), (panel.slider, None)], lambda: "pressed") == "pressed"
    assert panel.slider.value == 7 and updates == [panel]
    assert panel.show() is panel and updates == [panel]  # shown once: the handle is kept
