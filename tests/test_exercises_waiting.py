"""helpers.exercises.waiting: the fewest threads for 12 waits of 0.5 s in 1.5 s, by rounds."""

from __future__ import annotations

import pytest
from exercise_conditions import HARD, hard, never_wrong, refused

from helpers.exercises.waiting import check_fewest_threads


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    # 12 waits of 0.5 s scaled to 0.025 s each: even the slowest wrong answer takes 0.3 s.
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.05")


def test_the_solution_passes_and_reports_the_measurement() -> None:
    verdict = check_fewest_threads(4)
    assert verdict and "measured" in verdict.message and "3 rounds" in verdict.message


@pytest.mark.parametrize(("threads", "words"), [
    (3, "4 rounds"),              # too few: a fourth round of waiting
    (1, "12 rounds"),
    (6, "fewer threads would do"),  # fast enough, not the fewest
    (12, "fewer threads would do"),
])
def test_wrong_counts_explain_the_rounds(threads: int, words: str) -> None:
    refused(check_fewest_threads(threads), words, "Hint:")


@pytest.mark.parametrize(("answer", "words"), [
    (4.0, "not a number"), ("4", "not a number"), (True, "not a number"), (None, "not a number"),
    ([4], "not a number"), (0, "from 1 to"), (-2, "from 1 to"), (65, "from 1 to"), (..., "still `...`")])
def test_nonsense_is_refused_without_running(answer: object, words: str) -> None:
    verdict = check_fewest_threads(answer)
    refused(verdict, words)
    assert "measured" not in verdict.message


@pytest.mark.parametrize("condition", HARD)
def test_right_on_a_hard_machine(condition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with hard(condition, monkeypatch):
        never_wrong(check_fewest_threads(4))
