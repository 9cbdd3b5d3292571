"""helpers.exercises.processes: only two overlapping child processes of print_letters pass."""

from __future__ import annotations

import threading
import time

import pytest
from exercise_conditions import HARD, hard, never_wrong, refused

from helpers import Process
from helpers.exercises.processes import check_two_processes
from helpers.workers import print_letters


def stop_the_fork_server() -> None:
    """Ends multiprocessing's fork server, if one runs: the next child starts a new one with this environment.

    3.14 starts children from the fork server by default, and the server keeps the environment of the moment
    it was started (Lib/multiprocessing/forkserver.py: ForkServer.ensure_running), so a test run after others
    gave its children their COURSE_TIME_SCALE (seen: ◌ on 3.14/3.15, children too short beside start-up).
    ``_stop`` is private (CPython's own tests use it); without it nothing is done.
    """
    import multiprocessing.forkserver as forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.1")
    stop_the_fork_server()


def test_children_use_this_tests_time_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fails without stop_the_fork_server under forkserver: the server started at scale 0.5 keeps it.
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no forkserver on this platform")
    from helpers.engine.config import seconds

    context = multiprocessing.get_context("forkserver")
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.5")
    stop_the_fork_server()
    with context.Pool(1) as pool:
        assert pool.apply(seconds, (1.0,)) == 0.5
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.1")
    stop_the_fork_server()
    with context.Pool(1) as pool:
        assert pool.apply(seconds, (1.0,)) == pytest.approx(0.1)


def start_two():
    children = [Process(target=print_letters, args=(letters,)) for letters in ("AB", "CD")]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=60)
    return children


def on_threads():
    threads = [threading.Thread(target=print_letters, args=(letters,)) for letters in ("AB", "CD")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return threads


def one_after_the_other():
    children = [Process(target=print_letters, args=(letters,)) for letters in ("AB", "CD")]
    for child in children:
        child.start()
        child.join(timeout=60)
    return children


def not_joined():
    children = [Process(target=print_letters, args=(letters,)) for letters in ("AB", "CD")]
    for child in children:
        child.start()
    return children


def same_letters():
    children = [Process(target=print_letters, args=("AB",)) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=60)
    return children


def returns_nothing():
    start_two()


def test_the_solution_passes() -> None:
    verdict = check_two_processes(start_two)
    assert verdict and "Two child processes" in verdict.message


@pytest.mark.parametrize(("answer", "fragments"), [
    (on_threads, ["this kernel's own process"]),
    (one_after_the_other, ["started only after the first had ended"]),
    (not_joined, ["still", "join() both processes"]),  # still working, or still running: both say join
    (same_letters, ["['AB', 'AB']"]),
    (returns_nothing, ["returned None", "not the two Process objects"]),
])
def test_wrong_answers_are_refused_by_name(answer, fragments) -> None:
    refused(check_two_processes(answer), *fragments)


@pytest.mark.parametrize(("answer", "fragment"), [
    (..., "delete the line `start_two = ...`"), ([1, 2], "not list"), (None, "not None")])
def test_unwritten_and_non_callables(answer, fragment) -> None:
    refused(check_two_processes(answer), fragment)


@pytest.mark.parametrize("condition", HARD)
def test_right_on_a_hard_machine(condition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with hard(condition, monkeypatch):
        never_wrong(check_two_processes(start_two))


def sleeps_instead_of_join():
    children = [Process(target=print_letters, args=(letters,)) for letters in ("AB", "CD")]
    for child in children:
        child.start()
    time.sleep(1.0)
    return children


def test_sleeping_instead_of_joining_is_named() -> None:
    verdict = check_two_processes(sleeps_instead_of_join)
    refused(verdict)
    # Where children start slowly, they may still be running after the sleep: that is said instead.
    assert "never joined" in verdict.message or "still running" in verdict.message


# --- issue 22: judged by behaviour, per worker ----------------------------------------------

def waits_on_an_event_then_joins():  # gap 1: a guessed wait with no 'sleep' in it, then join()
    children = [Process(target=print_letters, args=(letters,)) for letters in ("AB", "CD")]
    for child in children:
        child.start()
    # Naps until both are gone, then a margin: a guess, however the work's length came out (a fork server
    # started earlier keeps the time scale it was started with).
    while any(child.is_alive() for child in children):
        threading.Event().wait(0.05)
    threading.Event().wait(0.5)
    for child in children:
        child.join(timeout=60)
    return children


def joins_only_the_second():  # gap 3: 'AB' is started first and ends first
    children = [Process(target=print_letters, args=(letters,)) for letters in ("AB", "CD")]
    for child in children:
        child.start()
    children[1].join(timeout=60)
    time.sleep(0.3)  # the first has ended by now: only its join is missing
    return children


def reads_exit_codes_instead_of_joining():  # gap 2: waits on an event, reads exitcode, never joins
    children = [Process(target=print_letters, args=(letters,)) for letters in ("AB", "CD")]
    for child in children:
        child.start()
    threading.Event().wait(0.1)
    print([child.exitcode for child in children])  # None: still running, so nothing is reaped
    threading.Event().wait(1.5)
    return children


def test_issue22_gap1_a_wait_on_an_event_is_a_guess_even_with_join_after_it() -> None:
    refused(check_two_processes(waits_on_an_event_then_joins), "not waiting in join()")


def test_issue22_gap3_each_process_must_be_joined() -> None:
    verdict = check_two_processes(joins_only_the_second)
    refused(verdict, "never joined")
    assert "1 process ended but never joined" in verdict.message or "process 1" in verdict.message, verdict.message


def test_issue22_gap2_children_that_ended_unjoined_are_zombies_not_cleaned_up() -> None:
    verdict = check_two_processes(reads_exit_codes_instead_of_joining)
    refused(verdict)
    assert "never joined" in verdict.message or "still running" in verdict.message, verdict.message


# --- issue 22 gap 4: the probe's records are out of the learner's reach --------------------------

class _Pretend:
    def __init__(self, pid):
        self.pid, self.exitcode = pid, 0


def writes_the_records_itself():  # no process at all: two overlapping calls written into the probe's file
    import glob
    import json
    import tempfile

    now = time.perf_counter()
    fake = []
    for pid, letters in ((999_991, "AB"), (999_992, "CD")):
        key = f"{pid}-1-{letters}"
        fake += [{"key": key, "pid": pid, "thread": 1, "start": now - 0.3, "sent": now - 0.35, "args": [letters],
                  "kwargs": {}}, {"key": key, "end": now - 0.01, "result": None}]
    folder = tempfile.gettempdir()
    for path in glob.glob(f"{folder}/course-check-*.jsonl") + glob.glob(f"{folder}/course-check-*/calls.jsonl"):
        with open(path, "a", encoding="utf-8") as file:
            file.write("".join(json.dumps(line) + "\n" for line in fake))
    return [_Pretend(999_991), _Pretend(999_992)]


def test_issue22_gap4_lines_written_into_the_probe_by_the_learner_are_not_believed() -> None:
    refused(check_two_processes(writes_the_records_itself), "print_letters never ran")


def test_a_start_two_that_never_returns_is_stopped_and_its_processes_ended(capsys, monkeypatch):
    from exercise_conditions import stopped_in_time

    def start_two():
        children = [Process(target=time.sleep, args=(3600,)) for _ in range(2)]
        for child in children:
            child.start()
        for child in children:
            child.join()

    stopped_in_time(lambda: check_two_processes(start_two), capsys, monkeypatch)
