"""helpers.engine.results: what a run measured, read back as the panels, charts and checkers read it."""

import pytest

from helpers.engine.results import RunError, RunResult, RunTimedOut, TaskFailed, TaskRecord, WorkerDied, run_label


def test_a_task_has_a_duration_only_once_it_has_started_and_ended():
    assert TaskRecord(0, 5).duration is None
    assert TaskRecord(0, 5, start=1.0).duration is None
    assert TaskRecord(0, 5, start=1.0, end=1.5).duration == pytest.approx(0.5)


def test_a_result_adds_up_its_tasks():
    tasks = [TaskRecord(0, "a", pid=11, start=0.0, end=1.0, result="A"),
             TaskRecord(1, "b", pid=12, start=0.5, end=2.0, error="ValueError: no"),
             TaskRecord(2, "c")]  # never ran
    result = RunResult("processes", 2, "spawn", tasks, elapsed=2.1, status="failed")
    assert result.finished == 2
    assert result.results == ["A", None, None]
    assert result.errors == ["task 1 ('b'): ValueError: no"]
    assert result.busy == pytest.approx(2.5)
    assert result.pids == {11, 12}
    assert result.summary() == "3 tasks, 2 processes (spawn): 2.10 s (failed)"
    assert repr(result) == "<RunResult 3 tasks, 2 processes (spawn): 2.10 s (failed)>"


@pytest.mark.parametrize("mode, workers, method, label", [
    ("sequential", 1, None, "sequential"),
    ("threads", 1, None, "1 thread"),
    ("threads", 4, None, "4 threads"),
    ("processes", 1, "fork", "1 process (fork)"),
    ("processes", 3, "spawn", "3 processes (spawn)"),
    ("interpreters", 1, None, "1 interpreter"),
    ("interpreters", 2, None, "2 interpreters"),
])
def test_run_labels_name_the_mode_in_the_singular_or_plural(mode, workers, method, label):
    assert run_label(mode, workers, method) == label


@pytest.mark.parametrize("error", [TaskFailed, WorkerDied, RunTimedOut])
def test_every_run_error_carries_what_was_measured(error):
    result = RunResult("threads", 1, None, [TaskRecord(0, 1)])
    with pytest.raises(RunError) as caught:
        raise error("stopped", result)
    assert caught.value.result is result and str(caught.value) == "stopped"


def test_a_timed_out_run_is_also_a_timeout_error():
    assert issubclass(RunTimedOut, TimeoutError) and not issubclass(TaskFailed, TimeoutError)
