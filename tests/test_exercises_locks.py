"""The transfer checker: only both locks, always in one order, passes; it never hangs."""

from __future__ import annotations

import os
import threading
import time

import pytest

from helpers.exercises.locks import Account, check_transfer


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch):
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.05")


def solution(source, target, amount):
    first, second = sorted([source, target], key=lambda account: account.number)
    with first.lock, second.lock:
        source.balance -= amount
        target.balance += amount


def no_lock(source, target, amount):
    source.balance -= amount
    target.balance += amount


def source_lock_only(source, target, amount):
    with source.lock:
        source.balance -= amount
        target.balance += amount


def argument_order(source, target, amount):
    with source.lock, target.lock:
        source.balance -= amount
        target.balance += amount


def one_lock_at_a_time(source, target, amount):
    with source.lock:
        source.balance -= amount
    with target.lock:
        target.balance += amount


def wrong_sum(source, target, amount):
    first, second = sorted([source, target], key=lambda account: account.number)
    with first.lock, second.lock:
        source.balance -= amount
        target.balance += 2 * amount


def test_solution_passes(capsys):
    assert check_transfer(solution), capsys.readouterr().out


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs os.sched_setaffinity (Linux)")
def test_solution_passes_on_one_cpu_and_argument_order_still_fails(capsys):
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        assert check_transfer(solution), capsys.readouterr().out
        verdict = check_transfer(argument_order)
    finally:
        os.sched_setaffinity(0, before)
    out = capsys.readouterr().out
    assert not verdict and ("Deadlock" in out or "opposite" in out or "before" in out), out


@pytest.mark.parametrize(("answer", "words"), [
    (no_lock, "without that account's lock"),
    (source_lock_only, "without that account's lock"),
    (one_lock_at_a_time, "only that account's lock"),
    (wrong_sum, "instead of"),
])
def test_wrong_answers_fail_and_say_why(answer, words, capsys):
    verdict = check_transfer(answer)
    out = capsys.readouterr().out
    assert not verdict and out.startswith("✘") and words in out, out


def test_opposite_orders_are_caught_and_the_check_ends_by_itself(capsys):
    start = time.perf_counter()
    verdict = check_transfer(argument_order)
    out = capsys.readouterr().out
    assert not verdict and "same order" in out, out
    assert time.perf_counter() - start < 30
    assert threading.active_count() < 5  # the checker's threads all ended


def test_not_answered_and_not_callable(capsys):
    assert not check_transfer(...)
    assert "Not answered yet" in capsys.readouterr().out
    assert not check_transfer("transfer")
    assert "without ()" in capsys.readouterr().out


def test_a_learners_exception_is_reported_not_raised(capsys):
    def broken(source, target, amount):
        raise KeyError("oops")

    assert not check_transfer(broken)
    assert "KeyError" in capsys.readouterr().out


def test_an_account_can_be_used_by_hand():
    a, b = Account(1, 100), Account(2, 100)
    solution(a, b, 30)
    assert (a.balance, b.balance) == (70, 130)


# --- issue 22 ------------------------------------------------------------------------------

def writes_the_private_field(source, target, amount):  # gap 5: around the property, no lock at all
    source._balance = source._balance - amount
    target._balance = target._balance + amount


def locks_twice_per_transfer(source, target, amount):  # gap 5: reads under the locks, writes under them again
    first, second = sorted([source, target], key=lambda account: account.number)
    with first.lock, second.lock:
        new_source, new_target = source.balance - amount, target.balance + amount
    with first.lock, second.lock:
        source.balance = new_source
        target.balance = new_target


def test_issue22_gap5_writes_to_the_private_field_are_watched_too():
    verdict = check_transfer(writes_the_private_field)
    assert not verdict and "without that account's lock held" in verdict.message, verdict.message


def test_issue22_gap5_each_lock_once_per_transfer():
    verdict = check_transfer(locks_twice_per_transfer)
    assert not verdict and "lock twice" in verdict.message, verdict.message


def test_issue22_gap7_the_total_is_named_only_where_it_differs():
    from helpers.exercises.locks import _outcome

    said = _outcome([900, 1100, 1000], [1000, 1000, 1000])
    assert "total 3000 is right" in said and "instead of 3000" not in said, said
    assert "the total 2990 instead of 3000" in _outcome([890, 1100, 1000], [1000, 1000, 1000])


# stop_threads raises SystemExit in the looping threads: threading's own excepthook ignores it silently (what a
# learner sees), pytest's reports every thread exception; here the exception is the point of the test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_transfer_that_never_returns_is_stopped_in_bounded_time(capsys, monkeypatch):
    from exercise_conditions import stopped_in_time

    def transfer(source, target, amount):
        while True:
            time.sleep(0.01)

    stopped_in_time(lambda: check_transfer(transfer), capsys, monkeypatch)
