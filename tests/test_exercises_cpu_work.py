"""helpers.exercises.cpu_work: the verdict follows the measurement; one core or busy cores never give ✘."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from exercise_conditions import HARD, hard, never_wrong, refused

from helpers.engine import harness, machine
from helpers.exercises import cpu_work
from helpers.exercises.base import CANNOT_SHOW
from helpers.exercises.cpu_work import CPU_SIZES, check_processes_pay_off

RIGHT_ANSWER = {"tiny": False, "big": True}


@pytest.mark.parametrize(("answer", "words"), [
    (..., "still `...`"),
    ({"tiny": False, "big": ...}, "Not answered yet for 'big'"),
    ([False, True], "must be a dict"),
    ({"tiny": False}, "missing: ['big']"),
    ({"tiny": False, "big": True, "huge": True}, "unexpected: ['huge']"),
    ({"tiny": 0, "big": "yes"}, "answer True or False"),
])
def test_malformed_answers_get_a_message_before_any_measurement(answer: object, words: str) -> None:
    verdict = check_processes_pay_off(answer)
    refused(verdict, words)
    assert "measured" not in verdict.message.lower()


class FakeRun:
    """Stands in for helpers.engine.harness.run: elapsed times chosen by the test, per (mode, size)."""

    def __init__(self, times: dict[tuple[str, int], float]) -> None:
        self.times = times
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, func, inputs, *, mode, workers=None, **_):
        self.calls.append((mode, inputs[0], workers))
        return SimpleNamespace(elapsed=self.times[(mode, inputs[0])])


def _fake(monkeypatch: pytest.MonkeyPatch, tiny: tuple[float, float], big: tuple[float, float],
          cores: int = 2) -> FakeRun:
    """Sequential and 2-process times for the tiny and the big tasks, on ``cores`` usable cores."""
    fake = FakeRun({("sequential", CPU_SIZES["tiny"]): tiny[0], ("processes", CPU_SIZES["tiny"]): tiny[1],
                    ("sequential", CPU_SIZES["big"]): big[0], ("processes", CPU_SIZES["big"]): big[1]})
    monkeypatch.setattr(harness, "run", fake)
    monkeypatch.setattr(machine, "usable_cores", lambda: cores)
    return fake


def test_the_solution_passes_on_a_two_core_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake(monkeypatch, tiny=(0.0004, 0.012), big=(0.9, 0.48))
    verdict = check_processes_pay_off(RIGHT_ANSWER)
    assert verdict and "×1.88" in verdict.message and "×0.03" in verdict.message
    assert {(mode, workers) for mode, _, workers in fake.calls} == {("sequential", None), ("processes", 2)}


@pytest.mark.parametrize(("answer", "words"), [
    ({"tiny": True, "big": True}, ["Not for 'tiny'", "far less time than starting a process"]),
    ({"tiny": False, "big": False}, ["Not for 'big'", "repay the start-up"]),
    ({"tiny": True, "big": False}, ["Not for 'tiny', 'big'"]),
])
def test_wrong_answers_name_the_case_and_hint(answer, words, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(monkeypatch, tiny=(0.0004, 0.012), big=(0.9, 0.48))
    refused(check_processes_pay_off(answer), *words)


@pytest.mark.parametrize(("cores", "why"), [(1, "one core only"), (2, "other programs were busy")])
def test_one_core_or_busy_cores_cannot_show_it(cores: int, why: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(monkeypatch, tiny=(0.0004, 0.012), big=(0.9, 1.3), cores=cores)
    for big in (True, False):
        verdict = check_processes_pay_off({"tiny": False, "big": big})
        assert verdict.status == CANNOT_SHOW and why in verdict.message
    refused(check_processes_pay_off({"tiny": True, "big": True}), "Not for 'tiny'")


def test_a_close_race_accepts_either_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(monkeypatch, tiny=(0.0004, 0.0004), big=(0.9, 0.6))
    assert check_processes_pay_off({"tiny": True, "big": True})
    assert "too close to call" in check_processes_pay_off({"tiny": False, "big": True}).message


@pytest.fixture()
def smaller_big(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu_work, "CPU_SIZES", {"tiny": 2_000, "big": 400_000})


def test_really_measured_tiny_tasks_never_repay_a_process_start(smaller_big: None) -> None:
    refused(check_processes_pay_off({"tiny": True, "big": True}), "Not for 'tiny'", "sum_of_squares(2_000)")


@pytest.mark.parametrize("condition", HARD)
def test_right_on_a_hard_machine(condition: str, smaller_big: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with hard(condition, monkeypatch):
        never_wrong(check_processes_pay_off(RIGHT_ANSWER))
