"""The checkers of notebooks 07, 08 and 09, and the workers and charts those notebooks added.

Right answers pass, wrong ones get a useful hint, ``...`` means "not answered", and nothing
raises whatever the learner passes. Timing verdicts are tested with margins wide enough for
a busy 2-core machine: a right answer is several times faster than the limit it must beat.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from helpers import Process, workers
from helpers.config import resolve_start_method
from helpers.exercises import SCENARIOS_08, capstone_job, check_07, check_08, check_09
from helpers.relay import stop


def passes_once_in(attempts: int, check, *args, **kwargs):
    """The first passing verdict of up to ``attempts`` tries, else the last one.

    For the "right answer passes" timing tests only: on a 2-core machine shared with other
    test runs one try can lose its cores. A wrong answer still fails every try.
    """
    for _ in range(attempts):
        verdict = check(*args, **kwargs)
        if verdict:
            break
    return verdict


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    # A 1 s wait becomes 0.25 s: 6 waits one after another 1.5 s, side by side ~0.3 s.
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.25")


# --- the new workers ---------------------------------------------------------------------

def test_process_with_threads_reporting_sends_one_span_per_thread_then_its_own() -> None:
    spans: queue.Queue = queue.Queue()
    workers.process_with_threads_reporting("P", spans, "AB", pause=0.2)
    got = [spans.get_nowait() for _ in range(spans.qsize())]
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


def test_append_timed_appends_without_printing(capsys: pytest.CaptureFixture[str]) -> None:
    box: list[int] = [9]
    assert workers.append_timed(box, 3) >= 0
    assert box == [9, 0, 1, 2] and capsys.readouterr().out == ""


# --- 07 ----------------------------------------------------------------------------------

def _offices(names: str = "XYZ", take: int = 9, together: bool = True, join: bool = True):
    def three_offices():
        q = multiprocessing.get_context(resolve_start_method()).Queue()
        children = [Process(target=workers.process_with_threads_reporting, args=(n, q, "AB")) for n in names]
        spans = []
        if together:
            for child in children:
                child.start()
            spans = [q.get(timeout=30) for _ in range(take)]
            if join:
                for child in children:
                    child.join(30)
        else:
            for child in children:
                child.start()
                spans += [q.get(timeout=30) for _ in range(3)]
                child.join(30)
        three_offices.children = children
        return spans
    return three_offices


def test_07_placeholder_and_nonsense_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_07(...)
    assert capsys.readouterr().out.startswith("✘ Not answered yet")
    assert not check_07(42)
    assert "without ()" in capsys.readouterr().out
    assert not check_07(lambda: None)
    assert "not a list" in capsys.readouterr().out
    assert not check_07(lambda: [1, 2, 3])
    assert "ThreadSpan" in capsys.readouterr().out


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_07_right_answer_passes_under_each_start_method(method: str, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} not available")
    monkeypatch.setenv("COURSE_START_METHOD", method)
    verdict = passes_once_in(3, check_07, _offices())
    assert verdict, capsys.readouterr().out
    assert verdict.message.startswith("✔ 3 processes") and "instead of 1.50 s" in verdict.message


def test_07_one_after_another_is_caught(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_07(_offices(together=False))
    assert "ran one after another" in capsys.readouterr().out


def test_07_wrong_count_and_wrong_names_are_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_07(_offices(take=6))
    assert "Got 6 spans" in capsys.readouterr().out
    assert not check_07(_offices(names="XYW"))
    assert "expected X, Y, Z" in capsys.readouterr().out


def test_07_unjoined_processes_are_caught(capsys: pytest.CaptureFixture[str]) -> None:
    answer = _offices(join=False)
    try:
        assert not check_07(answer)
        assert "still running" in capsys.readouterr().out
    finally:
        for child in answer.children:
            child.join(30)
            stop(child)


# --- 08 ----------------------------------------------------------------------------------

RIGHT_08 = {"pages": "threads", "photos": "processes", "uploads": "both", "sums": "sequential"}


def test_08_right_answer_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_08(dict(RIGHT_08))
    assert capsys.readouterr().out.startswith("✔ All 4 right")


def test_08_aliases_and_case_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    answer = {"pages": "Thread", "photos": " multiprocessing ", "uploads": "processes with threads",
              "sums": "loop"}
    assert check_08(answer), capsys.readouterr().out


def test_08_each_wrong_choice_gets_the_recommendation_and_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    answer = dict(RIGHT_08, sums="processes", pages="processes")
    assert not check_08(answer)
    out = capsys.readouterr().out
    assert out.startswith("✘ 2 of 4 right")
    assert "sums: you said 'processes'; recommended sequential" in out
    assert "pages: you said 'processes'; recommended threads" in out
    assert "Hint:" in out


@pytest.mark.parametrize(("answer", "words"), [
    (..., "Not answered yet"),
    (["threads"], "Give a dict"),
    ({"pages": "threads"}, "No answer yet for photos, uploads, sums"),
])
def test_08_incomplete_answers_are_refused(answer: object, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_08(answer)
    assert words in capsys.readouterr().out


def test_08_scenarios_have_a_description_and_a_valid_job() -> None:
    assert set(SCENARIOS_08) == set(RIGHT_08)
    assert all(isinstance(what, str) and what for what, _ in SCENARIOS_08.values())


# --- 09 ----------------------------------------------------------------------------------

SMALL_JOB = capstone_job(waits=4, wait_seconds=0.5, computes=2, number=2_000_000)


def sequential(tasks):
    return [workers.job_task(t) for t in tasks]


def on_threads(tasks):
    with ThreadPoolExecutor(len(tasks)) as pool:
        return list(pool.map(workers.job_task, tasks))


def on_both(tasks):
    ctx = multiprocessing.get_context(resolve_start_method())
    with ThreadPoolExecutor(len(tasks)) as threads, ProcessPoolExecutor(2, mp_context=ctx) as processes:
        futures = [(processes if kind == "compute" else threads).submit(workers.job_task, (kind, size))
                   for kind, size in tasks]
        return [f.result(timeout=60) for f in futures]


def test_capstone_job_alternates_scales_waits_and_is_bounded() -> None:
    job = capstone_job(waits=3, wait_seconds=1.0, computes=2, number=10)
    assert job == [("compute", 10), ("wait", 0.25), ("compute", 10), ("wait", 0.25), ("wait", 0.25)]
    for bad in (dict(waits=13), dict(computes=-1), dict(waits=0, computes=0), dict(wait_seconds=3),
                dict(number=10_000_001)):
        with pytest.raises(ValueError):
            capstone_job(**bad)


def test_09_placeholder_and_nonsense_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_09(...)
    assert capsys.readouterr().out.startswith("✘ Not answered yet")
    assert not check_09("threads")
    assert "without ()" in capsys.readouterr().out


def test_09_sequential_is_not_faster(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_09(sequential, job=SMALL_JOB)
    out = capsys.readouterr().out
    assert "not clearly faster" in out and "Hint:" in out


def test_09_threads_beat_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    verdict = passes_once_in(3, check_09, on_threads, job=SMALL_JOB)
    assert verdict, capsys.readouterr().out
    assert verdict.message.startswith("✔ run_job took") and "waiting +" in verdict.message


def test_09_threads_and_processes_beat_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    job = capstone_job(waits=4, wait_seconds=0.5, computes=4, number=4_000_000)
    verdict = passes_once_in(3, check_09, on_both, job=job)
    assert verdict, capsys.readouterr().out


def test_09_wrong_results_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check_09(lambda tasks: on_threads(tasks)[::-1], job=SMALL_JOB)
    assert "in their order" in capsys.readouterr().out
    assert not check_09(lambda tasks: None, job=SMALL_JOB)
    assert "not a list" in capsys.readouterr().out


def test_learners_exceptions_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_):
        raise KeyError("oops")

    assert not check_07(broken)
    assert "three_offices() raised KeyError" in capsys.readouterr().out
    assert not check_09(broken, job=SMALL_JOB)
    assert "run_job() raised KeyError" in capsys.readouterr().out


def test_09_leftover_threads_and_processes_are_caught(capsys: pytest.CaptureFixture[str]) -> None:
    release = threading.Event()

    def leaves_a_thread(tasks):
        threading.Thread(target=release.wait, args=(30,)).start()
        return on_threads(tasks)

    try:
        assert not check_09(leaves_a_thread, job=SMALL_JOB)
        assert "thread(s) were still running" in capsys.readouterr().out
    finally:
        release.set()

    left: list = []

    def leaves_a_process(tasks):
        child = multiprocessing.get_context(resolve_start_method()).Process(target=workers.sleep_for, args=(30,))
        child.start()
        left.append(child)
        return on_threads(tasks)

    try:
        assert not check_09(leaves_a_process, job=SMALL_JOB)
        assert "process(es) were still running" in capsys.readouterr().out
    finally:
        for child in left:
            stop(child)
