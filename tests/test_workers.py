"""The workers behave as the notebooks say (run in this process: their logic, not their parallelism)."""

import queue
import threading

import pytest

import helpers
from helpers import workers


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.01")


def test_article_printers(capsys):
    workers.print_numbers(3)
    workers.print_letters("XY")
    assert capsys.readouterr().out.splitlines() == [
        "Thread prints: 0", "Thread prints: 1", "Thread prints: 2", "Process prints: X", "Process prints: Y"]


def test_heavy_math_is_a_sum_of_squares(capsys):
    assert workers.heavy_math(10_000) == sum(i * i for i in range(10_000)) == 333283335000
    assert "Sum of squares up to 10000 is 333283335000" in capsys.readouterr().out


def test_sentinel_consumer_gets_everything():
    q, results = queue.Queue(), queue.Queue()
    workers.put_numbers(q, 50)
    assert workers.count_until_sentinel(q, results) == 50 and results.get_nowait() == 50


def test_the_racy_consumer_misses_what_has_not_arrived_yet():
    q, results = queue.Queue(), queue.Queue()
    assert workers.count_while_not_empty(q, results) == 0  # nothing yet: it stops at once
    workers.put_numbers(q, 3, end_with_sentinel=False)
    assert workers.count_while_not_empty(q, results) == 3


def test_scaled_durations_are_slept_as_given(monkeypatch):
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.25")
    assert helpers.seconds(1.0) == 0.25
    assert workers.wait_task(helpers.seconds(0.2)) == 0.05  # not scaled a second time


def test_unsafe_increment_loses_updates_and_lock_fixes_it():
    box = [0]
    threads = [threading.Thread(target=workers.unsafe_increment, args=(box, 500)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box[0] < 2000  # lost updates: the whole point of the demo
    box, lock = [0], threading.Lock()
    threads = [threading.Thread(target=workers.safe_increment, args=(box, lock, 500)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box[0] == 2000


def test_wait_until_stopped_stops_cooperatively():
    stop = threading.Event()
    thread = threading.Thread(target=workers.wait_until_stopped, args=(stop, 0.01))
    thread.start()
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
