"""helpers.exercises.sharing: only a consumer that takes every unguessable item and stops at the SENTINEL passes."""

from __future__ import annotations

import queue
import time

import pytest
from exercise_conditions import HARD, hard, never_wrong, refused

from helpers.exercises.sharing import check_take_all
from helpers.workers import SENTINEL


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.1")


def take_all(q):
    items = []
    while True:
        item = q.get(timeout=10)
        if item is SENTINEL:
            return items
        items.append(item)


def while_not_empty(q):  # the article's loop
    items = []
    while not q.empty():
        items.append(q.get())
    return items


def keeps_sentinel(q):
    items = []
    while True:
        items.append(q.get())
        if items[-1] is SENTINEL:
            return items


def until_a_timeout(q):  # gets everything, but only returns a second after the end
    items = []
    while True:
        try:
            item = q.get(timeout=1)
        except queue.Empty:
            return items
        if item is not SENTINEL:
            items.append(item)


def sleeps_then_drains(q):  # guesses how long the producer needs
    time.sleep(1.0)
    items = []
    while not q.empty():
        item = q.get()
        if item is not SENTINEL:
            items.append(item)
    return items


def makes_them_up(q):
    return list(range(200))


def forever(q):  # ignores the sentinel and even catches Empty: must still be stopped
    items = []
    while True:
        try:
            items.append(q.get(timeout=0.2))
        except queue.Empty:
            pass


def sorted_items(q):
    return sorted(take_all(q), reverse=True)


def test_the_solution_passes() -> None:
    verdict = check_take_all(take_all)
    assert verdict and "in order" in verdict.message


@pytest.mark.parametrize(("answer", "fragments"), [
    (while_not_empty, ["got only", "q.empty()"]),
    (keeps_sentinel, ["holds the SENTINEL"]),
    (until_a_timeout, ["took the SENTINEL and then asked the queue", "kept waiting"]),
    (sleeps_then_drains, ["lay in the queue", "sleeping?"]),
    (makes_them_up, ["not the", "never took anything off the queue"]),
    (sorted_items, ["in their order"]),
])
def test_wrong_answers_are_refused_by_name(answer, fragments) -> None:
    refused(check_take_all(answer), *fragments)


def test_a_consumer_that_never_stops_is_stopped() -> None:
    started = time.monotonic()
    refused(check_take_all(forever, timeout=1.0), "still waiting on the queue")
    assert time.monotonic() - started < 5


def unwritten(q):
    ...


@pytest.mark.parametrize(("answer", "fragment"), [
    (..., "delete the line `take_all = ...`"), (unwritten, "not written yet"), ([], "not list")])
def test_unwritten_and_non_callables(answer, fragment) -> None:
    refused(check_take_all(answer), fragment)


@pytest.mark.parametrize("condition", HARD)
def test_right_on_a_hard_machine(condition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with hard(condition, monkeypatch):
        never_wrong(check_take_all(take_all))


# --- issue 22 gap 5: stop AT the sentinel, not after a silence ---------------------------------

def stops_after_silence(q):  # takes the SENTINEL, then waits 0.2 s for more before giving up
    items = []
    while True:
        try:
            item = q.get(timeout=0.2)
        except queue.Empty:
            return items
        if item is not SENTINEL:
            items.append(item)


def naps_after_the_sentinel(q):  # stops at the SENTINEL, but returns only after a nap
    items = []
    while True:
        item = q.get(timeout=10)
        if item is SENTINEL:
            time.sleep(0.15)
            return items
        items.append(item)


def test_issue22_gap5_a_consumer_that_waits_for_silence_is_refused() -> None:
    verdict = check_take_all(stops_after_silence)
    refused(verdict)
    # Where the producer starts slowly (spawn), the silence comes before the first item: also refused.
    assert "took the SENTINEL and then asked the queue" in verdict.message or "got only" in verdict.message


def test_issue22_gap5_a_consumer_that_naps_after_the_sentinel_is_refused() -> None:
    refused(check_take_all(naps_after_the_sentinel), "after it had taken the SENTINEL", "two runs")


def test_a_take_all_that_never_returns_is_stopped_and_the_producer_ended(capsys, monkeypatch):
    """Busy without ever asking the queue: the queue's own time limit cannot end it; the checker's does."""
    from exercise_conditions import stopped_in_time

    def take_all(q):
        while True:
            pass

    stopped_in_time(lambda: check_take_all(take_all), capsys, monkeypatch)
