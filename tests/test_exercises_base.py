"""helpers.exercises.base: verdicts, unwritten answers, calling the learner's code, the census."""

from __future__ import annotations

import threading
import time

import pytest
from exercise_conditions import refused

from helpers import Process, workers
from helpers.exercises.base import (CANNOT_SHOW, RIGHT, WRONG, Census, call_learner, cannot_show, check_function,
                                    not_true_or_false, report)


def test_verdicts_print_their_mark_and_say_their_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert report(True, "fine").status == RIGHT
    wrong = report(False, "no", "try this")
    assert wrong.status == WRONG and not wrong and "Hint: try this" in wrong.message
    unshown = cannot_show("figures", "one core")
    assert unshown.status == CANNOT_SHOW and not unshown
    assert unshown.message.startswith("◌ This machine cannot show the effect, because one core.")
    assert capsys.readouterr().out.splitlines()[0] == "✔ fine"


def only_dots():
    ...  # your code here


def dots_inside():
    x = 1  # noqa: F841 (a learner's half-written body)
    return ...


def nothing():
    pass


def written():
    return 42


@pytest.mark.parametrize(("answer", "fragments"), [
    (..., ["run_two is still `...`", "delete the line `run_two = ...`"]),
    (None, ["needs the function run_two itself, not None"]),
    (3, ["not int 3"]),
    (only_dots, ["not written yet", "only `...`"]),
    (dots_inside, ["still has `...`", "line 3"]),
    (nothing, ["does nothing yet"]),
])
def test_unwritten_answers_get_precise_messages(answer, fragments) -> None:
    refused(check_function(answer, "run_two", "check_two_threads"), *fragments)


def test_a_written_function_goes_on_to_the_check() -> None:
    assert check_function(written, "run_two", "check_two_threads") is None


def test_call_learner_reports_an_exception_without_raising() -> None:
    def broken():
        raise KeyError("oops")
    _, _, failed = call_learner(broken, "broken")
    refused(failed, "broken() raised KeyError")


def test_call_learner_names_a_thread_and_a_process_left_running() -> None:
    stop = threading.Event()
    children = []

    def leaky():
        threading.Thread(target=stop.wait, args=(5,), name="forgotten").start()
        child = Process(target=workers.sleep_for, args=(30,))
        child.start()
        children.append(child)
    try:
        _, _, failed = call_learner(leaky, "leaky")
    finally:
        stop.set()
    refused(failed, "when leaky() returned", "1 thread still running (forgotten)", "1 process still running")
    children[0].join(5)
    assert not children[0].is_alive()  # the census stopped it


def test_the_census_sees_only_what_started_after_it() -> None:
    stop = threading.Event()
    old = threading.Thread(target=stop.wait, args=(5,))
    old.start()
    census = Census()
    new = threading.Thread(target=stop.wait, args=(5,))
    new.start()
    try:
        assert census.new_threads() == [new]
    finally:
        stop.set()
        old.join()
        new.join()
    started = time.monotonic()
    assert census.leftovers() == ([], []) and time.monotonic() - started < 0.2


@pytest.mark.parametrize(("answer", "words"), [
    ({"a": ..., "b": True}, "Not answered yet for 'a'"),
    ({"a": ..., "b": ...}, "Not answered yet for 'a', 'b'"),
    ({"a": 1, "b": True}, "'a': answer True or False, not 1."),
    ({"a": "yes", "b": None}, "'a', 'b': answer True or False, not 'yes', None."),
])
def test_a_true_or_false_answer_that_is_neither_is_refused(answer, words, capsys):
    verdict = not_true_or_false(answer, ["a", "b"])
    assert verdict is not None and verdict.status == WRONG and words in capsys.readouterr().out


def test_a_true_or_false_answer_passes_on_to_the_checker(capsys):
    assert not_true_or_false({"a": True, "b": False}, {"a": 1, "b": 2}) is None
    assert capsys.readouterr().out == ""
