"""helpers.exercises.threads: only two overlapping, joined threads of print_numbers(count=2) pass."""

from __future__ import annotations

import threading
import time

import pytest
from exercise_conditions import HARD, hard, never_wrong, refused

from helpers.exercises.base import CANNOT_SHOW
from helpers.exercises.threads import check_two_threads
from helpers.workers import print_numbers


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.05")


def run_two():
    threads = [threading.Thread(target=print_numbers, kwargs={"count": 2}) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def no_thread():  # issue 11: took one worker's time and passed
    print_numbers(count=2)


def one_after_the_other():
    for _ in range(2):
        thread = threading.Thread(target=print_numbers, kwargs={"count": 2})
        thread.start()
        thread.join()


def not_joined():
    for _ in range(2):
        threading.Thread(target=print_numbers, kwargs={"count": 2}).start()


def wrong_count():
    threads = [threading.Thread(target=print_numbers, kwargs={"count": 3}) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def one_thread_and_a_call():
    thread = threading.Thread(target=print_numbers, kwargs={"count": 2})
    thread.start()
    print_numbers(count=2)
    thread.join()


def sleeps_instead():  # the right duration, no worker at all
    time.sleep(0.1)


def three_threads():
    threads = [threading.Thread(target=print_numbers, kwargs={"count": 2}) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_the_solution_passes() -> None:
    verdict = check_two_threads(run_two)
    assert verdict and "Two threads ran print_numbers at the same time" in verdict.message


@pytest.mark.parametrize(("answer", "fragments"), [
    (no_thread, ["ran in run_two's own thread", "plain function call"]),
    (one_after_the_other, ["started", "after the first had finished"]),
    (not_joined, ["still working", "did not wait"]),
    (wrong_count, ["count=[3, 3]"]),
    (one_thread_and_a_call, ["1 of the 2", "own thread"]),
    (sleeps_instead, ["never called print_numbers"]),
    (three_threads, ["ran 3 time(s)"]),
])
def test_wrong_answers_are_refused_by_name(answer, fragments) -> None:
    refused(check_two_threads(answer), *fragments)
    time.sleep(0.25)  # let a not-joined answer's threads end before the next test


def unwritten():
    ...  # your code here


@pytest.mark.parametrize(("answer", "fragment"), [
    (..., "delete the line `run_two = ...`"), (unwritten, "not written yet"), (None, "not None"),
    (run_two(), "not None")])
def test_unwritten_and_non_callables(answer, fragment) -> None:
    refused(check_two_threads(answer), fragment)


@pytest.mark.parametrize("condition", HARD)
def test_right_on_a_hard_machine(condition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with hard(condition, monkeypatch):
        never_wrong(check_two_threads(run_two))


def sleeps_instead_of_join():  # right overlap, but a guess instead of join()
    for _ in range(2):
        threading.Thread(target=print_numbers, kwargs={"count": 2}, daemon=True).start()
    time.sleep(0.3)


def test_sleeping_instead_of_joining_is_named() -> None:
    refused(check_two_threads(sleeps_instead_of_join), "sleeps and never calls join()")


def second_runs_late():  # both started at once; the second gets going only after the first is done
    first = threading.Thread(target=print_numbers, kwargs={"count": 2})
    second = threading.Thread(target=lambda: (time.sleep(0.25), print_numbers(count=2)))
    first.start()
    second.start()
    first.join()
    second.join()


def test_a_thread_started_in_time_but_run_late_is_not_called_one_after_the_other() -> None:
    # As on a machine too busy to run the second thread in time: not ✘, since start() came in time.
    verdict = check_two_threads(second_runs_late)
    assert verdict.status == CANNOT_SHOW and "too busy" in verdict.message, verdict.message
