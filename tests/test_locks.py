"""helpers.locks: the race shows every time, the lock prevents it, every wait ends by itself."""

from __future__ import annotations

import queue
import threading

import pytest

from helpers import locks


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch):
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.05")


def run_threads(target, args, count=4):
    threads = [threading.Thread(target=target, args=args) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)


def test_unsafe_additions_lose_updates_and_the_lock_keeps_them():
    counter = locks.Counter()
    run_threads(locks.add_unsafely, (counter, 1000))
    assert counter.value < 4000
    counter = locks.Counter()
    run_threads(locks.add_with_lock, (counter, threading.Lock(), 1000))
    assert counter.value == 4000


@pytest.mark.parametrize("times", [-1, 200_001, 1.5, True])
def test_bad_counts_are_refused(times):
    with pytest.raises(ValueError, match="times"):
        locks.add_unsafely(locks.Counter(), times)


def test_lock_refuses_its_owner_and_rlock_does_not():
    assert locks.acquire_twice(threading.Lock(), timeout=0.05) is False
    assert locks.acquire_twice(threading.RLock(), timeout=0.05) is True
    with pytest.raises(ValueError, match="timeout"):
        locks.acquire_twice(threading.Lock(), timeout=-1)


def test_semaphore_lets_in_two_at_a_time_and_the_log_draws_as_a_run():
    log = locks.Log()
    # 0.1 s holds (2.0 at this test's time scale): long enough that two holders overlap on a busy machine.
    run_threads(locks.use_connection, (threading.Semaphore(2), log, 2.0), count=6)
    assert log.most_at_once() == 2
    run = log.as_run()
    assert len(run.tasks) == 6 and run.elapsed > 0


def test_barrier_holds_everyone_until_the_last():
    log = locks.Log()
    barrier = threading.Barrier(3, timeout=5)
    threads = [threading.Thread(target=locks.two_phases, args=(barrier, log, first)) for first in (0.1, 0.3, 0.5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert min(log.times("phase 2 begins")) >= max(log.times("phase 1 done"))


def test_queue_consumers_handle_everything_and_stop_at_the_sentinel():
    tasks, results = queue.Queue(), []
    threads = [threading.Thread(target=locks.square_from_queue, args=(tasks, results)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for n in range(10):
        tasks.put(n)
    tasks.join()
    for _ in threads:
        tasks.put(locks.SENTINEL)
    for thread in threads:
        thread.join(10)
    assert sorted(n for _, n, _ in results) == list(range(10))
    assert not any(thread.is_alive() for thread in threads)


def test_opposite_lock_orders_give_up_and_one_order_does_not():
    one, two = threading.Lock(), threading.Lock()
    log, barrier = locks.Log(), threading.Barrier(2, timeout=5)
    a = threading.Thread(target=locks.take_two_locks, args=(one, two, log, 0.0, 1.0, barrier))
    b = threading.Thread(target=locks.take_two_locks, args=(two, one, log, 0.0, 1.0, barrier))
    a.start()
    b.start()
    a.join(10)
    b.join(10)
    assert "gave up" in [what for _, what, _ in log.entries]
    log = locks.Log()
    run_threads(locks.take_two_locks, (one, two, log, 0.1, 1.0), count=2)
    assert [what for _, what, _ in log.entries] == ["got both", "got both"]


def test_thread_errors_are_collected_and_the_hook_restored():
    previous = threading.excepthook
    with locks.thread_errors() as caught:
        thread = threading.Thread(target=locks.fail, args=("boom",))
        thread.start()
        thread.join()
    assert threading.excepthook is previous
    assert len(caught) == 1 and str(caught[0].exc_value) == "boom"
