"""helpers.panels.cluster_panel: bad settings are refused before anything starts; a run draws and closes."""

from __future__ import annotations

import pytest

from helpers.engine.census import live_children

pytest.importorskip("distributed")
from helpers.panels.cluster_panel import ClusterPanel  # noqa: E402

SIZES = {"compute": 10_000, "wait": 0.05}


@pytest.mark.parametrize("kwargs, message", [
    ({"sizes": {"compute": 1}}, "sizes"),
    ({"sizes": {"compute": 0, "wait": 1}}, "sizes"),
    ({"sizes": SIZES, "tasks": 0}, "tasks"),
    ({"sizes": SIZES, "n_workers": 0}, "n_workers"),
    ({"sizes": SIZES, "threads_per_worker": 99}, "threads_per_worker"),
    ({"sizes": SIZES, "job": "dance"}, "job"),
])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ClusterPanel(**kwargs)


def test_a_run_draws_the_task_stream_and_leaves_nothing_running():
    panel = ClusterPanel(SIZES, tasks=4)
    result = panel.run(n_workers=2, threads_per_worker=2, job="wait")
    assert result is not None and result.label == "cluster 2 × 2" and len(result.tasks) == 4
    assert bytes(panel.chart.value).startswith(b"\x89PNG") and "Done" in panel.status.value
    assert panel.results == [result]
    assert live_children() == []
    with pytest.raises(ValueError, match="job"):
        panel.run(job="dance")


def test_static_output_is_the_last_chart_never_the_widget_repr(monkeypatch):
    handles = []

    class Handle:
        def update(self, obj):
            handles.append(obj._repr_mimebundle_())

    monkeypatch.setattr("helpers.panels.shown.display", lambda *a, **k: Handle())
    panel = ClusterPanel(SIZES, tasks=2)
    before = panel._repr_mimebundle_()
    assert before["text/plain"] == "<ClusterPanel: no run yet>" and "image/png" not in before
    panel.run(n_workers=1, threads_per_worker=1, job="wait")
    bundle = handles[-1]  # what the notebook keeps once the run is over
    assert bundle["image/png"] and bundle["text/plain"].startswith("<ClusterPanel: ")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert not any(word in bundle["text/plain"] for word in ("VBox(", "HBox(", "IntSlider("))
