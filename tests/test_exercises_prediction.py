"""helpers.exercises.prediction: a prediction near the measurement passes; the usual mistakes are named."""

from __future__ import annotations

import pytest
from exercise_conditions import HARD, hard, never_wrong, refused

from helpers.config import seconds
from helpers.exercises.prediction import WAIT_SECONDS, WAITS, check_wait_prediction


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.05")


def test_one_wait_is_the_right_prediction() -> None:
    verdict = check_wait_prediction(seconds(WAIT_SECONDS))
    assert verdict and "measured now" in verdict.message


@pytest.mark.parametrize(("predicted", "fragments"), [
    (WAITS * 0.05 * WAIT_SECONDS, ["one after another"]),
    (0.001, ["less than one task's own wait"]),
    (2.5 * 0.05 * WAIT_SECONDS, ["between one wait and all 4"]),
    (100, ["longer than even"]),
    (-1, ["more than 0 s"]),
    ("one second", ["not a number"]),
    (True, ["not a number"]),
])
def test_wrong_predictions_are_refused_by_name(predicted, fragments) -> None:
    refused(check_wait_prediction(predicted), *fragments)


def test_dots_mean_not_answered() -> None:
    refused(check_wait_prediction(...), "my_seconds is still `...`")


@pytest.mark.parametrize("condition", HARD)
def test_right_on_a_hard_machine(condition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with hard(condition, monkeypatch):
        never_wrong(check_wait_prediction(seconds(WAIT_SECONDS)))
