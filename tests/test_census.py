"""helpers.engine.census counts real workers under every start method and ignores multiprocessing's housekeeping."""

import multiprocessing
import time

import pytest

from helpers import workers
from helpers.engine.census import describe, live_children, wait_for_no_children


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_a_running_worker_is_counted_and_its_end_is_seen(method):
    context = multiprocessing.get_context(method)
    child = context.Process(target=workers.sleep_for, args=(30,))
    child.start()
    try:
        found = live_children()
        assert child.pid in {p.pid for p in found}, [describe(p) for p in found]
        assert len(found) == 1, "only the worker counts: fork server and resource tracker are housekeeping"
    finally:
        child.terminate()
        child.join(5)
    assert wait_for_no_children(timeout=5) == []


def test_describe_names_the_process():
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=workers.sleep_for, args=(30,))
    child.start()
    try:
        # Between the fork and the exec that a spawn does, /proc shows no command line yet
        # (seen in CI as a bare 'pid N'); the description is read once the exec has happened.
        deadline = time.monotonic() + 10
        text = describe(live_children()[0])
        while "spawn" not in text and time.monotonic() < deadline:
            time.sleep(0.01)
            text = describe(live_children()[0])
        assert text.startswith(f"pid {child.pid}: ") and "spawn" in text, text
    finally:
        child.kill()
        child.join(5)


def test_an_ended_process_counts_as_ended_before_anyone_collects_it():
    import subprocess
    import sys
    import time

    import psutil

    from helpers.engine.census import still_running, wait_until_ended

    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 10
        while psutil.Process(ended.pid).status() != psutil.STATUS_ZOMBIE:  # ended, not yet collected
            assert time.monotonic() < deadline
            time.sleep(0.01)
        watched = [psutil.Process(running.pid), psutil.Process(ended.pid)]
        assert [p.pid for p in still_running(watched)] == [running.pid]
        started = time.monotonic()
        assert [p.pid for p in wait_until_ended(watched, timeout=0.3)] == [running.pid]
        assert time.monotonic() - started < 2
        running.kill()
        assert wait_until_ended(watched, timeout=5) == []
    finally:
        running.kill()
        running.wait()
        ended.wait()
