"""check_interpreter_sums: the solution passes; threads, one interpreter, one-after-another and leaks fail."""

import os

import pytest

from helpers.exercises.interpreters import check_interpreter_sums
from helpers.exercises.base import NOT_ANSWERED
from helpers.interpreters import available, timed_sum

NEEDS_314 = pytest.mark.skipif(not available(), reason="needs Python 3.14+")


def solution(numbers):
    from concurrent.futures import InterpreterPoolExecutor

    with InterpreterPoolExecutor(max_workers=2) as pool:
        return list(pool.map(timed_sum, numbers))


def on_threads(numbers):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(timed_sum, numbers))


def one_interpreter(numbers):
    from concurrent import interpreters

    interp = interpreters.create()
    try:
        return [interp.call(timed_sum, n) for n in numbers]
    finally:
        interp.close()


def one_after_another(numbers):
    from concurrent import interpreters

    results = []
    for n in numbers:
        interp = interpreters.create()
        try:
            results.append(interp.call(timed_sum, n))
        finally:
            interp.close()
    return results


KEPT = []  # a learner's global list of interpreters, never closed


def leaks(numbers):
    from concurrent import interpreters

    KEPT[:] = [interpreters.create(), interpreters.create()]
    return [KEPT[i % 2].call(timed_sum, n) for i, n in enumerate(numbers)]


def wrong_order(numbers):
    return list(reversed(solution(list(reversed(numbers)))))[::-1]


def test_not_answered_and_not_callable(capsys):
    assert not check_interpreter_sums(...)
    assert NOT_ANSWERED in capsys.readouterr().out
    assert not check_interpreter_sums(42)
    assert "should be a function, not int" in capsys.readouterr().out


@pytest.mark.skipif(available(), reason="this Python has subinterpreters")
def test_before_314_it_says_what_it_needs_without_a_cross(capsys):
    verdict = check_interpreter_sums(solution)
    out = capsys.readouterr().out
    assert not verdict and "3.14" in out and "✘" not in out


@NEEDS_314
def test_the_solution_passes(capsys):
    assert check_interpreter_sums(solution), capsys.readouterr().out


@NEEDS_314
@pytest.mark.parametrize("wrong,message", [
    (on_threads, "main interpreter (id 0)"),
    (one_interpreter, "ran in one interpreter"),
    (one_after_another, "never two at the same time"),
    (leaks, "still open"),
    (wrong_order, "in that order"),
])
def test_wrong_answers_fail_naming_their_mistake(capsys, wrong, message):
    assert not check_interpreter_sums(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✘") and message in out


@NEEDS_314
def test_the_solution_passes_on_one_cpu(capsys):
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this platform")
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        assert check_interpreter_sums(solution), capsys.readouterr().out
    finally:
        os.sched_setaffinity(0, before)


# --- issue 22 ------------------------------------------------------------------------------

def pool_dropped(numbers):  # gap 2: never shut down; the garbage collector closes it soon after
    from concurrent.futures import InterpreterPoolExecutor

    pool = InterpreterPoolExecutor(max_workers=2)
    return list(pool.map(timed_sum, numbers))


def made_up_records(numbers):  # gap 4: records with the right sums and interpreters, no sum computed
    from helpers.interpreters import TimedSum

    records = []
    for i, n in enumerate(numbers):
        now = 1000.0 + i * 0.0001
        records.append(TimedSum(os.getpid(), 1 + i % 2, now, now + 0.05 * (i == 0), (n - 1) * n * (2 * n - 1) // 6))
    records[1] = records[1]._replace(start=1000.0, end=1000.05)
    return records


@NEEDS_314
def test_issue22_gap2_a_pool_left_to_the_garbage_collector_is_refused(capsys):
    verdict = check_interpreter_sums(pool_dropped)
    assert not verdict and "1 pool never shut down (InterpreterPoolExecutor)" in verdict.message, verdict.message


def test_issue22_gap4_records_of_sums_never_computed_are_refused(capsys, monkeypatch):
    import helpers.exercises.interpreters as checker

    monkeypatch.setattr(checker, "available", lambda: True)  # the records are made up: any Python will do
    monkeypatch.setattr(checker, "_open_interpreters", set)
    verdict = check_interpreter_sums(made_up_records)
    assert not verdict and "not computed by timed_sum" in verdict.message, verdict.message
