"""helpers.run: validation before anything starts, measurement, and clean-up on every exit path."""

import multiprocessing
import os
import signal
import threading
import time

import pytest

import helpers
from helpers import workers
from helpers.engine.census import live_children
from helpers.engine.config import max_processes
from helpers.engine.harness import RunTimedOut, TaskFailed, WorkerDied, check_workers, run

METHODS = multiprocessing.get_all_start_methods()



# --- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [0, -3, 10_000, 2.5, "4", True, None])
@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_bad_worker_counts_are_refused_with_the_range(mode, bad):
    if bad is None:
        pytest.skip("None means 'one per task'")
    with pytest.raises(ValueError, match=r"from 1 to \d+"):
        check_workers(bad, mode)
    before = threading.active_count()
    with pytest.raises(ValueError):
        run(workers.wait_task, [0.01], mode=mode, workers=bad)
    assert threading.active_count() == before and not live_children()


def test_process_limit_scales_with_cores_but_is_capped():
    assert check_workers(max_processes(), "processes") == max_processes()
    with pytest.raises(ValueError, match=f"{os.cpu_count()}-core"):
        check_workers(max_processes() + 1, "processes")


@pytest.mark.parametrize("inputs", [[], list(range(10_000))])
def test_task_count_is_bounded(inputs):
    with pytest.raises(ValueError, match="1 to 256 tasks"):
        run(workers.wait_task, inputs)


def test_unknown_mode_and_start_method():
    with pytest.raises(ValueError, match="mode="):
        run(workers.wait_task, [0.01], mode="fibres")
    with pytest.raises(ValueError, match="fork, spawn, forkserver"):
        run(workers.wait_task, [0.01], mode="processes", start_method="teleport")


def test_sequential_means_one_worker():
    with pytest.raises(ValueError):
        run(workers.wait_task, [0.01], mode="sequential", workers=2)


# --- measurement ----------------------------------------------------------------------------

def test_threads_overlap_waiting_tasks():
    sequential = run(workers.wait_task, [0.2] * 4, mode="sequential")
    threaded = run(workers.wait_task, [0.2] * 4, mode="threads", workers=4)
    # Four 0.2 s waits: about 0.8 s one after another, about 0.2 s side by side.
    assert threaded.elapsed / sequential.elapsed < 0.6
    assert len({t.worker for t in threaded.tasks}) == 4
    assert len({t.worker for t in sequential.tasks}) == 1


@pytest.mark.parametrize("method", METHODS)
def test_processes_record_pids_results_and_start_up(method):
    result = run(workers.compute_task, [1000, 2000, 3000], mode="processes", workers=2, start_method=method)
    assert result.results == [workers.sum_of_squares(n) for n in (1000, 2000, 3000)]
    assert result.status == "done" and result.start_method == method
    assert os.getpid() not in result.pids and 1 <= len(result.pids) <= 2
    assert len(result.ready) == 2 and all(0 <= t <= result.elapsed for t in result.ready.values())
    for task in result.tasks:
        assert 0 <= task.start <= task.end <= result.elapsed
    assert not live_children()


def test_on_update_is_called_during_the_run_and_at_the_end():
    seen = []
    run(workers.wait_task, [0.3, 0.3], mode="threads", on_update=lambda r: seen.append((r.status, r.finished)),
        update_interval=0.05)
    assert sum(status == "running" for status, _ in seen) >= 3
    assert seen[-1] == ("done", 2)


# --- failures and clean-up ---------------------------------------------------------------

@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_a_failing_task_is_reported_and_the_others_still_run(mode):
    with pytest.raises(TaskFailed, match="RuntimeError: boom") as caught:
        run(workers.fail_task, ["boom", "bang"], mode=mode, workers=2, start_method="spawn")
    result = caught.value.result
    assert result.status == "failed" and result.finished == 2
    assert all(t.error for t in result.tasks)
    assert not live_children()


def test_the_same_error_from_many_tasks_is_told_once():
    with pytest.raises(TaskFailed) as caught:
        run(workers.fail_task, ["boom"] * 6 + ["bang"], mode="threads", workers=3)
    message = str(caught.value)
    assert message == "6 of 7 tasks raised RuntimeError: boom; 1 of 7 tasks (task 6) raised RuntimeError: bang"
    assert caught.value.result.message == message


@pytest.mark.parametrize("method", METHODS)
def test_a_worker_that_dies_stops_the_run_without_hanging(method):
    start = time.monotonic()
    with pytest.raises(WorkerDied, match="exit code 3") as caught:
        run(workers.exit_abruptly, [3, 3], mode="processes", workers=2, start_method=method, timeout=30)
    assert time.monotonic() - start < 10
    assert caught.value.result.status == "failed"
    assert not live_children()


def test_timeout_reaps_processes():
    with pytest.raises(RunTimedOut, match="longer than 1 s") as caught:
        run(workers.sleep_for, [30, 30], mode="processes", workers=2, start_method="spawn", timeout=1)
    assert caught.value.result.status == "timed out"
    assert not live_children()


@pytest.mark.parametrize("method", METHODS)
def test_keyboard_interrupt_reaps_every_child_and_re_raises(method):
    calls = []

    def interrupt_once_started(result):
        calls.append(result.status)
        if result.status == "running" and len(result.ready) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        run(workers.sleep_for, [30, 30], mode="processes", workers=2, start_method=method,
            on_update=interrupt_once_started, update_interval=0.05)
    assert caught.value.result.status == "interrupted"
    assert calls[-1] == "interrupted"  # the chart is told, so the panel can say so
    assert not live_children()


def test_real_sigint_during_a_process_run():
    """The stop button sends SIGINT; the harness must turn it into a clean stop."""
    if not hasattr(signal, "SIGINT") or os.name == "nt":
        pytest.skip("POSIX signal test")
    # A shell that starts a job in the background makes it ignore SIGINT; a kernel always
    # installs Python's handler, so the test does too.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(1.0, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            run(workers.sleep_for, [30, 30], mode="processes", workers=2, start_method="spawn")
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - start < 8
    assert not live_children()
    # and the next run works
    assert run(workers.compute_task, [100], mode="processes", workers=1, start_method="spawn").status == "done"


def test_public_names():
    assert helpers.run is run
    assert callable(helpers.check_workers)



def test_planned_label_checks_the_workers_and_names_the_run_as_run_will():
    from helpers.engine.config import resolve_start_method
    from helpers.engine.harness import planned_label

    assert planned_label("threads", 4) == "4 threads"
    assert planned_label("processes", 1, None) == f"1 process ({resolve_start_method(None)})"
    with pytest.raises(ValueError):
        planned_label("threads", 0)
    with pytest.raises(ValueError):
        planned_label("teleport", 2)
