"""helpers.exercises.measuring: reading helpers.choose's measurements, judged on the copy it kept."""

from __future__ import annotations

import pytest
from exercise_conditions import refused

from helpers.choose import notebook
from helpers.choose.recommendation import recommend
from helpers.exercises.base import CANNOT_SHOW
from helpers.exercises.measuring import check_measurement_reading
from test_choose_recommendation import measurement

RIGHT = {"pure_python_loop": {"does": "computes", "holds_the_gil": True, "use": "processes"},
         "sha256_megabytes": {"does": "computes", "holds_the_gil": False, "use": "threads"}}


@pytest.fixture
def measured_on_two_idle_cores(monkeypatch):
    loop = measurement(ways=[("threads", 4, 1.02, 1.0, 0.001, 0.1), ("processes", 2, 1.9, 1.9, 0.02, 0.1)])
    hashing = measurement(ways=[("threads", 4, 1.88, 1.9, 0.001, 0.1), ("processes", 2, 1.9, 1.9, 0.02, 0.1)])
    monkeypatch.setattr(notebook, "_MEASURED", {"pure_python_loop": (loop, recommend(loop)),
                                                "sha256_megabytes": (hashing, recommend(hashing))})


def test_the_right_reading_passes(measured_on_two_idle_cores):
    assert check_measurement_reading(RIGHT)
    assert check_measurement_reading({**RIGHT, "pure_python_loop": {**RIGHT["pure_python_loop"],
                                                                    "use": "processes (fork)"}})


@pytest.mark.parametrize(("change", "fragment"), [
    (("pure_python_loop", "does", "waits"), "you said it waits; a call spent 100% of its own time on a CPU"),
    (("pure_python_loop", "holds_the_gil", False), "threads ran ×1.02 against one after another"),
    (("sha256_megabytes", "holds_the_gil", True), "it lets go of the GIL"),
    (("sha256_megabytes", "use", "processes"), "the measurement recommends 'threads'"),
    (("pure_python_loop", "use", "threads"), "recommends 'processes (fork)'"),
])
def test_each_wrong_reading_is_refused_with_the_figure(measured_on_two_idle_cores, change, fragment):
    name, part, value = change
    answer = {key: dict(parts) for key, parts in RIGHT.items()}
    answer[name][part] = value
    refused(check_measurement_reading(answer), fragment)


def test_a_busy_machine_cannot_show_the_gil_and_says_so(monkeypatch):
    loop = measurement(idle=0.2, ways=[("threads", 4, 1.0, 1.0, 0.001, 1.0), ("processes", 2, 1.1, 1.1, 0.02, 1.0)])
    hashing = measurement(idle=0.2, ways=[("threads", 4, 1.0, 1.0, 0.001, 1.0), ("processes", 2, 1.1, 1.1, 0.02, 1)])
    monkeypatch.setattr(notebook, "_MEASURED", {"pure_python_loop": (loop, recommend(loop)),
                                                "sha256_megabytes": (hashing, recommend(hashing))})
    answer = {name: {**parts, "use": "can't tell"} for name, parts in RIGHT.items()}
    verdict = check_measurement_reading(answer)
    assert not verdict and verdict.status == CANNOT_SHOW
    # A wrong part is still refused on a busy machine.
    answer["pure_python_loop"]["does"] = "waits"
    refused(check_measurement_reading(answer), "you said it waits")


@pytest.mark.parametrize(("answer", "fragment"), [
    (..., "Not answered yet"),
    ({"pure_python_loop": {}}, "Give a dict with the keys"),
    ({name: {"does": ..., "holds_the_gil": ..., "use": ...} for name in RIGHT}, "replace every ..."),
])
def test_unanswered_and_malformed(measured_on_two_idle_cores, answer, fragment):
    refused(check_measurement_reading(answer), fragment)


def test_a_function_not_measured_yet_is_named(monkeypatch):
    monkeypatch.setattr(notebook, "_MEASURED", {})
    refused(check_measurement_reading(RIGHT), "has not been measured in this kernel yet")


def test_changing_the_learners_choice_object_does_not_change_the_verdict(measured_on_two_idle_cores):
    loop, _ = notebook.measured("pure_python_loop")
    loop.ways[1].speedup = 5.0  # a copy: the checker's record is untouched
    assert check_measurement_reading(RIGHT)
