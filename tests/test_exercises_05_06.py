"""The checkers of notebooks 05 and 06, and the workers they were written with.

Right answers pass, wrong ones get a hint that names the mistake, ``...`` means "not
answered", nothing raises whatever the learner passes, and no child process outlives a
check.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading

import psutil
import pytest

from helpers import workers
from helpers.exercises import check_05, check_06
from helpers.workers import SENTINEL

METHODS = multiprocessing.get_all_start_methods()


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.25")


@pytest.fixture(autouse=True)
def no_leftover_children() -> None:
    """Every check must reap what it started (a course about processes must not leak any)."""
    yield
    me = psutil.Process()
    gone_by = 5.0
    _, alive = psutil.wait_procs([c for c in me.children(recursive=True) if not _housekeeping(c)], timeout=gone_by)
    assert not alive, f"children left running: {alive}"


def _housekeeping(process: psutil.Process) -> bool:
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        return True
    return "multiprocessing.forkserver" in command or "multiprocessing.resource_tracker" in command


# --- learners' answers to exercise 05 ----------------------------------------------------

def take_all_right(q):
    items = []
    while True:
        item = q.get(timeout=10)
        if item is SENTINEL:
            return items
        items.append(item)


def take_all_racy(q):  # the article's loop
    items = []
    while not q.empty():
        items.append(q.get())
    return items


def take_all_keeps_sentinel(q):
    items = []
    while True:
        items.append(q.get())
        if items[-1] is SENTINEL:
            return items


def take_all_forever(q):  # ignores the sentinel and even catches Empty: must still be stopped
    items = []
    while True:
        try:
            items.append(q.get(timeout=0.2))
        except queue.Empty:
            pass


def take_all_sorted_backwards(q):
    return sorted(take_all_right(q), reverse=True)


def take_all_nowait(q):  # does not wait for items that have not arrived yet
    return [q.get_nowait() for _ in range(200)]


# --- 05 --------------------------------------------------------------------------------

def test_05_placeholder_is_not_answered(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_05(...)
    assert capsys.readouterr().out.startswith("✘ Not answered yet")


def test_05_called_function_instead_of_function(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_05([1, 2, 3])
    assert "without ()" in capsys.readouterr().out


@pytest.mark.parametrize("method", METHODS)
def test_05_sentinel_consumer_passes(method: str, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COURSE_START_METHOD", method)
    verdict = check_05(take_all_right)
    out = capsys.readouterr().out
    assert verdict, out
    assert out.startswith("✔") and "200 of 200" in out


@pytest.mark.parametrize("method", METHODS)
def test_05_empty_loop_is_caught_by_the_race(method: str, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COURSE_START_METHOD", method)
    verdict = check_05(take_all_racy)
    out = capsys.readouterr().out
    assert not verdict
    assert "of 200 items" in out and "empty()" in out and "SENTINEL" in out


@pytest.mark.parametrize(("answer", "words"), [
    (take_all_keeps_sentinel, "holds the SENTINEL"),
    (take_all_sorted_backwards, "not 0 … 199 in the order sent"),
    (take_all_nowait, "raised Empty"),
    (lambda q: None, "returned None"),
    (lambda q: 42, "not a list"),
    (lambda q: 1 / 0, "ZeroDivisionError"),
])
def test_05_wrong_answers_name_the_mistake(answer, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check_05(answer)
    out = capsys.readouterr().out
    assert not verdict
    assert out.startswith("✘") and words in out and "Hint:" in out


def test_05_consumer_that_never_stops_is_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check_05(take_all_forever, timeout=1.5)
    out = capsys.readouterr().out
    assert not verdict
    assert "still waiting" in out and "SENTINEL" in out


# --- learners' answers to exercise 06 ----------------------------------------------------

def finish_right(process, grace):
    process.join(timeout=grace)
    if process.is_alive():
        process.terminate()
        process.join()
    return process.exitcode


def finish_rude(process, grace):  # no grace at all
    process.terminate()
    process.join()
    return process.exitcode


def finish_patient(process, grace):  # waits forever
    process.join()
    return process.exitcode


def finish_no_join(process, grace):  # terminates, does not wait for the end
    process.join(grace)
    if process.is_alive():
        process.terminate()
    return process.exitcode


def finish_no_return(process, grace):
    finish_right(process, grace)


def finish_impatient(process, grace):  # half the grace period
    process.join(grace / 2)
    if process.is_alive():
        process.terminate()
        process.join()
    return process.exitcode


GRACE = 1.0


def test_06_placeholder_is_not_answered(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_06(...)
    assert capsys.readouterr().out.startswith("✘ Not answered yet")


@pytest.mark.parametrize("method", METHODS)
def test_06_join_then_terminate_passes(method: str, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COURSE_START_METHOD", method)
    verdict = check_06(finish_right, grace=GRACE)
    out = capsys.readouterr().out
    assert verdict, out
    assert "exit code 0" in out


# Where two messages are listed, either is right: which one a mistake meets first depends on
# how fast the child started or died (a busy machine).
@pytest.mark.parametrize(("answer", "words"), [
    (finish_rude, ("would have ended on its own",)),
    (finish_no_join, ("still alive when finish() returned", "returned None for the terminated worker")),
    (finish_no_return, ("returned None",)),
    (finish_impatient, ("before its 1.0 s grace period was over", "would have ended on its own")),
    (lambda process, grace: process.no_such_method(), ("AttributeError",)),
])
def test_06_wrong_answers_name_the_mistake(answer, words: tuple[str, ...],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check_06(answer, grace=GRACE)
    out = capsys.readouterr().out
    assert not verdict
    assert out.startswith("✘") and "Hint:" in out
    assert any(w in out for w in words), out


def test_06_join_without_timeout_cannot_hang_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check_06(finish_patient, grace=GRACE)
    out = capsys.readouterr().out
    assert not verdict
    assert "still waiting" in out and "join() without a timeout" in out


def test_06_not_callable(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_06(0)
    assert "without ()" in capsys.readouterr().out


# --- workers written for notebook 05 ---------------------------------------------------

def test_plain_increment_counts_in_one_thread() -> None:
    box = [5]
    workers.plain_increment(box, 1000)
    assert box == [1005]


def test_put_numbers_ends_with_sentinel_unless_told() -> None:
    q: queue.Queue = queue.Queue()
    workers.put_numbers(q, 3)
    workers.put_numbers(q, 2, end_with_sentinel=False)
    assert [q.get_nowait() for _ in range(6)] == [0, 1, 2, SENTINEL, 0, 1]
    assert q.empty()


def test_counting_consumers_report_on_results() -> None:
    items: queue.Queue = queue.Queue()
    results: queue.Queue = queue.Queue()
    workers.put_numbers(items, 4)
    assert workers.count_until_sentinel(items, results) == 4
    workers.put_numbers(items, 3, end_with_sentinel=False)
    assert workers.count_while_not_empty(items, results) == 3
    assert [results.get_nowait(), results.get_nowait()] == [4, 3]


def test_count_until_sentinel_gives_up_after_its_timeout() -> None:
    with pytest.raises(queue.Empty):
        workers.count_until_sentinel(queue.Queue(), queue.Queue(), timeout=0.05)


def test_racy_consumer_misses_items_of_a_running_producer() -> None:
    """The race notebook 05 measures, with threads: the consumer starts before the first item."""
    items: queue.Queue = queue.Queue()
    results: queue.Queue = queue.Queue()
    producer = threading.Thread(target=workers.put_numbers, args=(items, 100, 0.004))
    producer.start()
    got = workers.count_while_not_empty(items, results)
    producer.join()
    assert got < 100


def test_append_timed_appends_and_reports_its_time() -> None:
    shared: list[int] = []
    results: queue.Queue = queue.Queue()
    elapsed = workers.append_timed(shared, 1000, results)
    assert shared == list(range(1000))
    assert results.get_nowait() == elapsed >= 0
