"""helpers.Process: the child's printed lines come back, in order, before join() returns."""

import io
import multiprocessing
import os
import time
from contextlib import redirect_stderr, redirect_stdout

import pytest

from helpers import workers
from helpers.engine.relay import Process, stop

METHODS = multiprocessing.get_all_start_methods()


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.1")


@pytest.mark.parametrize("method", METHODS)
def test_child_lines_arrive_in_order_before_join_returns(method):
    out = io.StringIO()
    with redirect_stdout(out):
        process = Process(target=workers.print_letters, args=("ABC",), start_method=method)
        process.start()
        process.join(30)
        print("after join")
    assert out.getvalue().splitlines() == [
        "Process prints: A", "Process prints: B", "Process prints: C", "after join"]
    assert process.exitcode == 0
    assert process.pid != os.getpid()


@pytest.mark.parametrize("method", METHODS)
def test_lines_arrive_while_the_child_is_still_running(method):
    out = io.StringIO()
    with redirect_stdout(out):
        process = Process(target=workers.print_letters, args=("AB", 5.0), start_method=method)
        process.start()
        deadline = time.monotonic() + 20
        # print_letters pauses before each line: A after 0.5 s, B after 1 s (scale 0.1)
        while "Process prints: A" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        seen_while_running = process.is_alive()
        process.join(30)
    assert seen_while_running, "the first line only arrived after the child had exited"


def test_child_traceback_is_relayed_to_stderr():
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        process = Process(target=workers.fail_task, args=("boom",), start_method="spawn")
        process.start()
        process.join(30)
    assert process.exitcode == 1
    assert "RuntimeError: boom" in err.getvalue()


def test_threads_inside_a_child_are_relayed_too():
    out = io.StringIO()
    with redirect_stdout(out):
        process = Process(target=workers.process_with_threads, args=("One", "AB"), start_method="spawn")
        process.start()
        process.join(30)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Process One") and lines[-1] == "Process One done with threads"
    assert sum("finished I/O" in line for line in lines) == 2


def test_killed_child_does_not_hang_join():
    out = io.StringIO()
    with redirect_stdout(out):
        process = Process(target=workers.sleep_for, args=(60,), start_method="spawn")
        process.start()
        time.sleep(0.3)
        start = time.monotonic()
        stop(process, grace=1.0)
    assert time.monotonic() - start < 5
    assert process.exitcode not in (None, 0)
    assert not process.is_alive()


def test_cell_defined_target_fails_under_spawn_instead_of_hanging():
    def local_worker():  # not importable: a spawn child cannot find it
        print("never")

    process = Process(target=local_worker, start_method="spawn")
    with pytest.raises(Exception):  # pickling a local function fails before anything starts
        process.start()
    assert process.pid is None


def test_supervised_children_are_started_watched_joined_and_never_outlive_their_loop():
    from helpers.engine.census import live_children
    from helpers.engine.config import start_context

    context = start_context(multiprocessing.get_all_start_methods()[0])
    done = relay_loop(workers.wait_task, (0.05,), 2, context)
    assert next(done) is None and not live_children()  # built, not started
    assert next(done) is None  # started
    done.send(time.perf_counter() + 10)  # joined: both waits end by themselves
    done.close()
    crashed = relay_loop(workers.exit_abruptly, (3,), 1, context)
    next(crashed), next(crashed)
    deadline = time.monotonic() + 10
    died = None
    while died is None and time.monotonic() < deadline:
        died = next(crashed)
        time.sleep(0.02)
    assert died is not None and died[1] == 3  # (pid, exit code) of the child that ended with an error
    crashed.close()
    stuck = relay_loop(workers.wait_task, (60,), 2, context)
    next(stuck), next(stuck)
    stuck.close()  # closed early (an error, ■): every child stopped at once
    assert not live_children()


def relay_loop(target, args, count, context):
    from helpers.engine.relay import supervised

    return supervised(target, args, count, name="test-child", context=context, grace=0.5)
