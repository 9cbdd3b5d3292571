"""helpers.exercises.probes: workers that record their own calls, in threads and in processes."""

from __future__ import annotations

import os
import threading
import time

import pytest

from helpers import Process, workers
from helpers.exercises.probes import Call, child_startup, most_at_once, overlap, started_after, watching


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.05")


def on_threads():
    # 4 lines: overlap survives a late start
    threads = [threading.Thread(target=workers.print_numbers, kwargs={"count": 4}) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_calls_on_threads_are_recorded_and_the_worker_put_back() -> None:
    original, start = workers.print_numbers, threading.Thread.start
    with watching(on_threads, original) as recorder:
        on_threads()
        calls = recorder.calls()
    assert workers.print_numbers is original and threading.Thread.start is start
    assert all(c.sent is not None and c.sent <= c.start for c in calls)  # when start() was called
    assert len(calls) == 2 and {c.pid for c in calls} == {os.getpid()}
    assert len({c.thread for c in calls}) == 2 and all(c.kwargs == {"count": 4} for c in calls)
    assert overlap(calls) > 0 and most_at_once(calls) == 2


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_calls_in_child_processes_are_recorded_under_every_start_method(method: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_START_METHOD", method)

    def in_a_child():
        child = Process(target=workers.print_letters, args=("A",))
        child.start()
        child.join(30)

    with watching(in_a_child, workers.print_letters) as recorder:
        before = time.perf_counter()
        in_a_child()
        calls = recorder.calls()
    assert len(calls) == 1 and calls[0].pid != os.getpid() and calls[0].end is not None
    # When the parent started it, under every method (fork too): what tells a slow start from a late one.
    assert calls[0].sent is not None and before <= calls[0].sent <= calls[0].start


def test_a_late_running_child_was_still_started_before_the_first_ended() -> None:
    first = Call(1, 1, 0.0, 1.0, [], {})
    late = Call(2, 1, 1.5, 2.0, [], {}, sent=0.5)
    assert not started_after(late, first)
    assert started_after(Call(2, 1, 1.5, 2.0, [], {}, sent=1.2), first)
    assert started_after(Call(1, 2, 1.5, 2.0, [], {}), first)  # a thread: its own start


def test_counting_calls_at_once() -> None:
    calls = [Call(1, 1, 0.0, 2.0, [], {}), Call(1, 2, 1.0, 3.0, [], {}), Call(1, 3, 2.5, 4.0, [], {})]
    assert most_at_once(calls) == 2 and overlap(calls) == 0 and overlap(calls[:2]) == 1.0


def test_child_startup_is_measured() -> None:
    assert 0 < child_startup() < 30
