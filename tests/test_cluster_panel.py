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
