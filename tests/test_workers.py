"""The workers behave as the notebooks say (run in this process: their logic, not their parallelism)."""

import queue
import threading
import time

import pytest

import helpers
from helpers import workers
from helpers.workers import SENTINEL


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


def test_append_timed_appends_and_reports_its_time(capsys: pytest.CaptureFixture[str]) -> None:
    shared: list[int] = []
    results: queue.Queue = queue.Queue()
    elapsed = workers.append_timed(shared, 1000, results)
    assert shared == list(range(1000))
    assert results.get_nowait() == elapsed >= 0
    assert capsys.readouterr().out == ""


def test_process_with_threads_reporting_sends_one_span_per_thread_then_its_own() -> None:
    # Up to three tries: on a busy machine the second thread once started 1.5 ms after the first ended.
    for _ in range(3):
        spans: queue.Queue = queue.Queue()
        workers.process_with_threads_reporting("P", spans, "AB", pause=0.2)
        got = [spans.get_nowait() for _ in range(spans.qsize())]
        if len(got) == 3 and max(s.start for s in got[:2]) < min(s.end for s in got[:2]):
            break
    assert [s.thread for s in got[:2]] in (["P-A", "P-B"], ["P-B", "P-A"])
    main = got[-1]
    assert len(got) == 3 and main.thread == threading.current_thread().name
    assert all(s.process == "P" and s.end > s.start for s in got)
    # the main thread's span encloses its threads' spans; the two waits overlapped
    assert main.start <= min(s.start for s in got[:2]) and main.end >= max(s.end for s in got[:2])
    assert max(s.start for s in got[:2]) < min(s.end for s in got[:2])


def test_job_task_waits_or_computes_and_refuses_other_kinds() -> None:
    assert workers.job_task(("compute", 10)) == sum(i * i for i in range(10))
    began = time.perf_counter()
    assert workers.job_task(("wait", 0.05)) == 0.05
    assert time.perf_counter() - began >= 0.045
    with pytest.raises(ValueError, match="job task"):
        workers.job_task(("download", 1))
