"""helpers.gil_release: tasks agree whoever runs them, bad input is refused before anything runs."""

from __future__ import annotations

import pytest

from helpers import gil_release
from helpers.engine.harness import run


@pytest.mark.parametrize("name", [n for n in gil_release.TASKS if n != "numpy-sort" or gil_release.has_numpy()])
def test_every_task_gives_the_same_answer_on_threads(name):
    task = gil_release.TASKS[name]
    assert run(task, [1, 1], mode="threads", workers=2).results == [task(1)] * 2


def test_tasks_also_run_in_processes():
    result = run(gil_release.sha256_task, [2, 2], mode="processes", workers=2, start_method="spawn")
    assert result.results == [gil_release.sha256_task(2)] * 2


@pytest.mark.parametrize("size", [0, -1, 4097, 1.5, True, "8"])
def test_bad_sizes_are_refused(size):
    with pytest.raises(ValueError, match="MiB"):
        gil_release.sha256_task(size)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"name": "md5"}, "not one of"),
    ({"name": "sha256", "threads": 0}, "threads"),
    ({"name": "sha256", "threads": 17}, "threads"),
    ({"name": "sha256", "megabytes": 0}, "MiB"),
    ({"name": "sha256", "repeats": 0}, "repeats"),
    ({"name": "sha256", "mode": "sequential"}, "mode"),
])
def test_measure_scaling_refuses_bad_input(kwargs, words):
    with pytest.raises(ValueError, match=words):
        gil_release.measure_scaling(**kwargs)


def test_measure_scaling_reports_both_times():
    scaling = gil_release.measure_scaling("sha256", threads=2, megabytes=2, repeats=1)
    assert scaling.one_thread > 0 and scaling.many_threads > 0
    assert scaling.speedup == scaling.one_thread / scaling.many_threads
    assert "×" in scaling.summary()


def test_size_for_scales_with_the_time_asked():
    assert 1 <= gil_release.size_for("python", 0.01) <= gil_release.size_for("python", 0.2)
    with pytest.raises(ValueError):
        gil_release.size_for("python", 0)


def test_panel_gets_the_two_task_kinds(monkeypatch):
    from helpers.panels import panel

    before = dict(panel.TASK_KINDS)
    assert gil_release.add_to_panel() == (gil_release.SHA256, gil_release.PYTHON)
    assert panel.task_kind("sha256").worker is gil_release.sha256_task
    assert panel.task_kind("python").worker is gil_release.python_task
    assert panel.TASK_KINDS == before  # found through the values gil_release exports, no table mutated
    # The long-run guard knows what a MiB of each costs: 100 000 MiB of Python loop is refused.
    with pytest.raises(ValueError, match="one after"):
        panel.check_workload("python", 10, 4000)


def test_the_control_runs_on_processes():
    control = gil_release.measure_scaling("python", threads=2, megabytes=1, repeats=1, mode="processes")
    assert control.mode == "processes" and "2 processes" in control.summary()
