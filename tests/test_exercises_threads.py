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
    (not_joined, ["still running", "join()"]),
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
    refused(check_two_threads(sleeps_instead_of_join), "never joined 2 of its 2 threads")


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


# --- issue 22: judged by behaviour, per worker ----------------------------------------------

def waits_on_an_event_then_joins():  # gap 1: a guessed wait with no 'sleep' in it, then join()
    threads = [threading.Thread(target=print_numbers, kwargs={"count": 2}) for _ in range(2)]
    for thread in threads:
        thread.start()
    threading.Event().wait(0.4)
    for thread in threads:
        thread.join()


def sleeps_and_joins_words():  # gap 1: `", ".join` used to switch the sleep check off
    for _ in range(2):
        threading.Thread(target=print_numbers, kwargs={"count": 2}).start()
    time.sleep(0.4)
    print(", ".join(["both", "done"]))


def joins_only_the_second():  # gap 3: the first ends first, so the end times looked joined
    first = threading.Thread(target=print_numbers, kwargs={"count": 2})
    second = threading.Thread(target=lambda: (time.sleep(0.05), print_numbers(count=2)))
    first.start()
    second.start()
    second.join()


def two_processes():  # gap 5/7: two processes are not two threads
    from helpers import Process

    children = [Process(target=print_numbers, kwargs={"count": 2}) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=60)


def test_issue22_gap1_a_wait_on_an_event_is_a_guess_even_with_join_after_it() -> None:
    refused(check_two_threads(waits_on_an_event_then_joins), "not waiting in join()")


def test_issue22_gap1_the_word_join_does_not_excuse_a_sleep() -> None:
    refused(check_two_threads(sleeps_and_joins_words), "never joined 2 of its 2 threads")


def test_issue22_gap3_each_thread_must_be_joined() -> None:
    refused(check_two_threads(joins_only_the_second), "never joined 1 of its 2 threads", "thread 1")


def test_issue22_gap5_two_processes_are_not_two_threads() -> None:
    refused(check_two_threads(two_processes), "other processes", "two processes, not threads")


def pauses_skipped():  # gap 4: the worker runs, on two joined threads, with its pauses patched away
    import helpers.workers as workers

    real = workers.seconds
    workers.seconds = lambda _: 0.0
    try:
        run_two()
    finally:
        workers.seconds = real


def test_issue22_gap4_calls_that_skip_their_pauses_did_not_do_the_work() -> None:
    refused(check_two_threads(pauses_skipped), "the work was not done")


def test_a_run_two_that_never_returns_is_stopped_and_its_threads_ended(capsys, monkeypatch):
    """The checkers built on call_learner: a join() on a thread that spins for ever, stopped in bounded time."""
    from exercise_conditions import stopped_in_time

    def spin():
        while True:
            time.sleep(0.01)

    def run_two():
        worker = threading.Thread(target=spin)
        worker.start()
        worker.join()

    stopped_in_time(lambda: check_two_threads(run_two), capsys, monkeypatch)
