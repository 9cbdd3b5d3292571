"""helpers.failures_operations: BLAS threads in a fresh Python, logging through a queue, signals, stuck threads."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import threading

import pytest

from helpers.executors import process_context
from helpers.failures_operations import (WORKER_LOGGER, ListHandler, dump_stuck_script, log_lines, run_and_signal,
                                         send_logs_to, time_blas_pool, try_signal_in_thread, wait_for_lock)

posix_only = pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX-only")

SLEEPER = """
import os, signal, time
from helpers.failures_operations import say_when_interrupted
say_when_interrupted("the script")
print("ready", flush=True)
time.sleep(30)
"""


def test_signal_handlers_are_refused_outside_the_main_thread():
    assert try_signal_in_thread().startswith("ValueError: signal only works in main thread")


@posix_only
def test_sigint_reaches_the_script_and_nothing_is_left():
    run = run_and_signal(SLEEPER, signal.SIGINT, whole_group=True)
    assert "the script" in run.stdout and "got SIGINT" in run.stdout
    assert run.returncode != 0 and run.seconds_to_exit < 10 and run.survivors == 0


@posix_only
def test_a_script_that_ignores_the_signal_is_killed_after_the_timeout():
    code = SLEEPER.replace('say_when_interrupted("the script")', "signal.signal(signal.SIGTERM, signal.SIG_IGN)")
    run = run_and_signal(code, signal.SIGTERM, whole_group=False, exit_timeout=0.5)
    assert run.returncode is None and run.survivors == 1  # counted while it ran, then killed


def test_records_from_workers_arrive_through_the_queue():
    context = process_context("spawn")
    log_queue = context.Queue()
    collected = ListHandler()
    listener = logging.handlers.QueueListener(log_queue, collected)
    listener.start()
    try:
        import concurrent.futures as cf

        with cf.ProcessPoolExecutor(1, mp_context=context, initializer=send_logs_to, initargs=(log_queue,)) as pool:
            pool.submit(log_lines, 3).result(60)
    finally:
        listener.stop()
        log_queue.close()
        log_queue.join_thread()
    assert len(collected.lines) == 3 and logging.getLogger(WORKER_LOGGER).handlers == []


def test_wait_for_lock_gives_up_after_its_timeout():
    lock = threading.Lock()
    lock.acquire()
    try:
        assert wait_for_lock(lock, 0.05) is False
    finally:
        lock.release()
    assert wait_for_lock(lock, 0.05) is True


@pytest.mark.parametrize("tool", ["faulthandler", "py-spy", "pdb"])
def test_each_tool_finds_the_stuck_thread_or_says_why_not(tool):
    try:
        output = dump_stuck_script(tool)
    except RuntimeError as reason:
        assert str(reason)
        pytest.skip(str(reason))
    assert "wait_for_lock" in output


def test_blas_threads_can_be_capped():
    pytest.importorskip("numpy")
    assert time_blas_pool(1, 1, size=50, repeats=2) > 0


@pytest.mark.parametrize("call", [
    lambda: time_blas_pool(0, 1), lambda: time_blas_pool(1, 0), lambda: time_blas_pool(1, 1, size=True),
    lambda: log_lines(0), lambda: wait_for_lock(threading.Lock(), 0), lambda: dump_stuck_script("gdb"),
    lambda: run_and_signal("print('no word')", signal.SIGINT, whole_group=False),
])
def test_bad_input_is_refused_before_anything_starts(call):
    with pytest.raises(ValueError):
        call()
