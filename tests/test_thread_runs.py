"""helpers.engine.thread_runs: the worker loop reports every task, failures included; ThreadRun runs them all."""

import queue
import threading
import time

from helpers.engine.results import RunResult, TaskRecord
from helpers.engine.thread_runs import ThreadRun, describe, work_loop


def halve(x):
    if x == 0:
        raise ValueError("zero")
    return x / 2


def drain(events: "queue.SimpleQueue") -> list:
    found = []
    while not events.empty():
        found.append(events.get())
    return found


def test_describe_is_one_line():
    assert describe(ValueError("bad\nvalue")).splitlines()[0] == "ValueError: bad"
    assert describe(KeyError("k")) == "KeyError: 'k'"


def test_the_loop_reports_ready_then_a_start_and_an_end_per_task_and_stops_at_none():
    tasks, events = queue.SimpleQueue(), queue.SimpleQueue()
    for item in [(0, 4), (1, 0), None, (2, 8)]:  # (2, 8) comes after the stop: never taken
        tasks.put(item)
    work_loop(halve, tasks, events, "thread-1")
    found = drain(events)
    assert [e[0] for e in found] == ["ready", "start", "end", "start", "end"]
    assert found[0][1] == "thread-1"
    assert found[2][1:2] + found[2][3:] == (0, 2.0, None)
    assert found[4][1] == 1 and found[4][3] is None and found[4][4] == "ValueError: zero"
    assert tasks.get() == (2, 8)


def test_a_set_stop_event_ends_the_loop_before_the_next_task():
    tasks, events, stop = queue.SimpleQueue(), queue.SimpleQueue(), threading.Event()
    tasks.put((0, 4))
    stop.set()
    work_loop(halve, tasks, events, "thread-1", stop)
    assert [e[0] for e in drain(events)] == ["ready"]


def test_a_thread_run_runs_every_task_on_its_named_threads():
    run = ThreadRun(halve, [2, 4, 6, 8], 2, "threads")
    run.start()
    run.finish(time.perf_counter() + 10)
    run.check_alive(RunResult("threads", 2, None, [TaskRecord(i, x) for i, x in enumerate([2, 4, 6, 8])]))
    run.close()
    found = drain(run.events)
    assert sorted(e[1] for e in found if e[0] == "ready") == ["thread-1", "thread-2"]
    assert sorted(e[3] for e in found if e[0] == "end") == [1.0, 2.0, 3.0, 4.0]
    assert {e[4] for e in found if e[0] == "start"} <= {"thread-1", "thread-2"}
    assert not any(t.name in ("thread-1", "thread-2") and t.is_alive() for t in threading.enumerate())


def test_sequential_is_one_thread_named_for_it():
    run = ThreadRun(halve, [2, 4], 1, "sequential")
    run.start()
    run.finish(time.perf_counter() + 10)
    assert {e[1] for e in drain(run.events) if e[0] == "ready"} == {"sequential-1"}


def test_life_starts_the_workers_yields_their_events_and_stops_them_when_closed():
    import functools

    from helpers.engine.thread_runs import life

    result = RunResult("threads", 2, None, [TaskRecord(i, x) for i, x in enumerate([2, 4])])
    loop = life(functools.partial(ThreadRun, halve, [2, 4], 2, "threads"), result)
    assert next(loop) is None and not [t for t in threading.enumerate() if t.name.startswith("thread-")]  # built
    events = next(loop)  # started: the queue the workers report on
    assert next(loop) is None  # a thread cannot die without its task reporting
    loop.send(time.perf_counter() + 10)
    loop.close()
    ends = [e for e in drain(events) if e[0] == "end"]
    assert sorted(e[3] for e in ends) == [1.0, 2.0]
    assert not [t for t in threading.enumerate() if t.name.startswith("thread-") and t.is_alive()]
