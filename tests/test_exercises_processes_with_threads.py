"""helpers.exercises.processes_with_threads: three child processes at once, two threads each, spans returned."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from exercise_conditions import HARD, accepted_within, hard, never_wrong, refused

from helpers import Process
from helpers.engine.config import resolve_start_method
from helpers.exercises.processes_with_threads import check_processes_with_threads
from helpers.workers import process_with_threads_reporting


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.2")


def _queue():
    return multiprocessing.get_context(resolve_start_method()).Queue()


def three_offices():
    queue = _queue()
    children = [Process(target=process_with_threads_reporting, args=(name, queue, "AB")) for name in "XYZ"]
    for child in children:
        child.start()
    collected = [queue.get(timeout=30) for _ in range(9)]
    for child in children:
        child.join(timeout=60)
    return collected


def one_after_another():
    queue, spans = _queue(), []
    for name in "XYZ":
        child = Process(target=process_with_threads_reporting, args=(name, queue, "AB"))
        child.start()
        spans += [queue.get(timeout=30) for _ in range(3)]
        child.join(timeout=60)
    return spans


def on_threads():
    queue = _queue()
    threads = [threading.Thread(target=process_with_threads_reporting, args=(name, queue, "AB")) for name in "XYZ"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [queue.get(timeout=30) for _ in range(9)]


def three_threads_each():
    queue = _queue()
    children = [Process(target=process_with_threads_reporting, args=(name, queue)) for name in "XYZ"]
    for child in children:
        child.start()
    collected = [queue.get(timeout=30) for _ in range(12)]
    for child in children:
        child.join(timeout=60)
    return collected


def too_few_spans():
    return three_offices()[:6]


def not_joined():
    queue = _queue()
    children = [Process(target=process_with_threads_reporting, args=(name, queue, "AB")) for name in "XYZ"]
    for child in children:
        child.start()
    return []


def test_the_solution_passes() -> None:
    verdict = accepted_within(lambda: check_processes_with_threads(three_offices))  # ◌ once on a busy machine
    assert verdict and "3 processes" in verdict.message


@pytest.mark.parametrize(("answer", "fragments"), [
    (one_after_another, ["at most 1 of the 3", "started only after another had ended", "Start all three"]),
    (on_threads, ["this kernel's own process"]),
    (three_threads_each, ["with threads ['ABC', 'ABC', 'ABC']"]),
    (too_few_spans, ["Got 6 spans"]),
    (not_joined, ["still"]),
])
def test_wrong_answers_are_refused_by_name(answer, fragments) -> None:
    refused(check_processes_with_threads(answer), *fragments)


@pytest.mark.parametrize(("answer", "fragment"), [
    (..., "delete the line `three_offices = ...`"), ("XYZ", "not str 'XYZ'")])
def test_unwritten_and_non_callables(answer, fragment) -> None:
    refused(check_processes_with_threads(answer), fragment)


@pytest.mark.parametrize("condition", HARD)
def test_right_on_a_hard_machine(condition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with hard(condition, monkeypatch):
        never_wrong(check_processes_with_threads(three_offices))


def drains_but_never_joins():  # issue 22 gap 2: the children end by themselves right after their last span
    queue = _queue()
    children = [Process(target=process_with_threads_reporting, args=(name, queue, "AB")) for name in "XYZ"]
    for child in children:
        child.start()
    collected = [queue.get(timeout=30) for _ in range(9)]
    threading.Event().wait(0.3)  # long enough for them to have ended: nothing left "running"
    return collected


def test_issue22_gap2_processes_that_ended_by_themselves_still_need_their_join() -> None:
    verdict = check_processes_with_threads(drains_but_never_joins)
    refused(verdict)
    assert "never joined" in verdict.message or "still running" in verdict.message, verdict.message
