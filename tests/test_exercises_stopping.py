"""helpers.exercises.stopping: polite join first, terminate only after the grace period, return at once."""

from __future__ import annotations

import time

import pytest
from exercise_conditions import HARD, hard, never_wrong, refused

from helpers.exercises.stopping import check_finish

GRACE = 0.6  # short, for speed; the checker lengthens it if a child start-up here needs more


def finish(process, grace):
    process.join(timeout=grace)
    if process.is_alive():
        process.terminate()
        process.join()
    return process.exitcode


def waits_out_the_grace(process, grace):  # issue 11: passed before
    time.sleep(grace)
    process.terminate()
    process.join()
    return process.exitcode


def terminates_at_once(process, grace):
    process.terminate()
    process.join()
    return process.exitcode


def never_terminates(process, grace):
    process.join(timeout=grace)
    return process.exitcode


def join_forever(process, grace):
    process.join()
    return process.exitcode


def returns_nothing(process, grace):
    process.join(timeout=grace)
    if process.is_alive():
        process.terminate()
        process.join()


def waits_twice(process, grace):
    process.join(timeout=grace)
    if process.is_alive():
        process.join(timeout=grace)
        process.terminate()
        process.join()
    return process.exitcode


def test_the_solution_passes() -> None:
    verdict = check_finish(finish, grace=GRACE)
    assert verdict and "as soon as it ended" in verdict.message


@pytest.mark.parametrize(("answer", "fragments"), [
    (waits_out_the_grace, ["after the worker that ends by itself had ended", "waited out the grace period"]),
    (terminates_at_once, ["stopped the worker that ends by itself", "would have ended on its own"]),
    (never_terminates, ["still alive when finish() returned"]),
    (join_forever, ["still waiting", "join() without a timeout waits forever"]),
    (returns_nothing, ["returned None", "not its exit code"]),
    (waits_twice, ["well past the"]),
])
def test_wrong_answers_are_refused_by_name(answer, fragments) -> None:
    refused(check_finish(answer, grace=GRACE), *fragments)


def unwritten(process, grace):
    ...  # your code here


@pytest.mark.parametrize(("answer", "fragment"), [
    (..., "delete the line `finish = ...`"), (unwritten, "not written yet"), (0, "not int 0")])
def test_unwritten_and_non_callables(answer, fragment) -> None:
    refused(check_finish(answer), fragment)


@pytest.mark.parametrize("condition", HARD)
def test_right_on_a_hard_machine(condition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with hard(condition, monkeypatch):
        never_wrong(check_finish(finish, grace=GRACE))
