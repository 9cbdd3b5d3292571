"""The checkers of notebooks 03 and 04: right answers pass, wrong ones get a useful hint,
``...`` means "not answered", and nothing raises whatever the learner passes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from helpers import harness, machine
from helpers.exercises import CPU_SIZES_04, check_03, check_04


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    # 12 waits of 0.5 s scaled to 0.025 s each: even the slowest wrong answer takes 0.3 s.
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.05")


# --- 03 --------------------------------------------------------------------------------

def test_03_placeholder_is_not_answered(capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check_03(...)
    assert not verdict
    assert capsys.readouterr().out.startswith("✘ Not answered yet")


def test_03_right_answer_passes_and_reports_the_measurement(capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check_03(4)
    out = capsys.readouterr().out
    assert verdict, out
    assert out.startswith("✔") and "measured" in out and "3 rounds" in out


@pytest.mark.parametrize(("threads", "words"), [
    (3, "4 rounds"),              # too few: a fourth round of waiting
    (1, "12 rounds"),
    (6, "fewer threads would do"),  # fast enough, not the fewest
    (12, "fewer threads would do"),
])
def test_03_wrong_counts_explain_the_rounds(threads: int, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check_03(threads)
    out = capsys.readouterr().out
    assert not verdict
    assert out.startswith("✘") and words in out and "Hint:" in out


@pytest.mark.parametrize("answer", [4.0, "4", True, None, [4], 0, -2, 65])
def test_03_nonsense_is_refused_without_running_or_raising(answer: object,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check_03(answer)
    out = capsys.readouterr().out
    assert not verdict
    assert out.startswith("✘") and "measured" not in out


# --- 04 --------------------------------------------------------------------------------

def test_04_placeholder_is_not_answered(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_04(...)
    assert capsys.readouterr().out.startswith("✘ Not answered yet")


def test_04_placeholder_inside_the_dict_is_not_answered(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_04({"tiny": False, "big": ...})
    out = capsys.readouterr().out
    assert "Not answered yet for 'big'" in out and "measured" not in out.lower()


@pytest.mark.parametrize(("answer", "words"), [
    ([False, True], "must be a dict"),
    ({"tiny": False}, "missing: ['big']"),
    ({"tiny": False, "big": True, "huge": True}, "unexpected: ['huge']"),
    ({"tiny": 0, "big": "yes"}, "answer True or False"),
])
def test_04_malformed_answers_get_a_message(answer: object, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_04(answer)
    out = capsys.readouterr().out
    assert out.startswith("✘") and words in out


class FakeRun:
    """Stands in for helpers.harness.run: elapsed times chosen by the test, per (mode, size)."""

    def __init__(self, times: dict[tuple[str, int], float]) -> None:
        self.times = times
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, func, inputs, *, mode, workers=None, **_):
        self.calls.append((mode, inputs[0], workers))
        return SimpleNamespace(elapsed=self.times[(mode, inputs[0])])


def _fake(monkeypatch: pytest.MonkeyPatch, tiny: tuple[float, float], big: tuple[float, float]) -> FakeRun:
    """Sequential and 2-process times for the tiny and the big tasks."""
    fake = FakeRun({("sequential", CPU_SIZES_04["tiny"]): tiny[0], ("processes", CPU_SIZES_04["tiny"]): tiny[1],
                    ("sequential", CPU_SIZES_04["big"]): big[0], ("processes", CPU_SIZES_04["big"]): big[1]})
    monkeypatch.setattr(harness, "run", fake)
    return fake


def test_04_right_answer_passes_on_a_two_core_machine(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    fake = _fake(monkeypatch, tiny=(0.0004, 0.012), big=(0.9, 0.48))
    assert check_04({"tiny": False, "big": True})
    out = capsys.readouterr().out
    assert out.startswith("✔") and "×1.88" in out and "×0.03" in out
    assert {(mode, workers) for mode, _, workers in fake.calls} == {("sequential", None), ("processes", 2)}


@pytest.mark.parametrize(("cores", "explanation"), [(2, "could not get the cores"), (1, "single core")])
def test_04_verdict_follows_the_measurement_not_a_belief(cores: int, explanation: str,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    # One core, or a saturated machine: the big tasks do not pay either, and the checker says why.
    _fake(monkeypatch, tiny=(0.0004, 0.012), big=(0.9, 1.3))
    monkeypatch.setattr(machine, "usable_cores", lambda: cores)
    assert not check_04({"tiny": False, "big": True})
    out = capsys.readouterr().out
    assert "Not for 'big'" in out and explanation in out
    assert check_04({"tiny": False, "big": False})


def test_04_a_close_race_accepts_either_answer(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _fake(monkeypatch, tiny=(0.0004, 0.012), big=(0.9, 0.85))
    assert check_04({"tiny": False, "big": True})
    assert check_04({"tiny": False, "big": False})
    assert "too close to call" in capsys.readouterr().out


def test_04_wrong_answers_name_the_case_and_hint(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _fake(monkeypatch, tiny=(0.0004, 0.012), big=(0.9, 0.48))
    assert not check_04({"tiny": True, "big": False})
    out = capsys.readouterr().out
    assert "Not for 'tiny', 'big'" in out and "starting a process" in out and "repay the start-up" in out


def test_04_really_measured_tiny_tasks_never_repay_a_process_start(capsys: pytest.CaptureFixture[str]) -> None:
    # Real runs: four sums of 2 000 squares take well under a millisecond, less than one
    # process start under any start method, however busy the machine.
    verdict = check_04({"tiny": True, "big": True})
    out = capsys.readouterr().out
    assert not verdict
    assert "Not for 'tiny'" in out and "Hint:" in out
    for size in CPU_SIZES_04.values():
        assert f"sum_of_squares({size:_})" in out
    # Whatever the big tasks measured, the verdict on them agrees with the figure printed.
    big_line = next(line for line in out.splitlines() if line.strip().startswith("big"))
    assert ("'big'" in out.split("Measured:")[0]) == ("do not pay" in big_line and "too close" not in big_line)
