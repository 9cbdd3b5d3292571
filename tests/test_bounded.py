"""helpers.engine.bounded: a call that never returns is stopped after its limit, on the main thread
(the alarm) and on any other thread (an exception raised inside the calling thread)."""

from __future__ import annotations

import threading
import time

import pytest

from helpers.engine.bounded import DidNotReturn, call_within, stop_threads, time_limit


def spin() -> None:
    while True:
        pass


def catches_and_waits_again() -> None:
    try:
        time.sleep(3600)
    except BaseException:
        time.sleep(3600)  # a learner's except that waits again is interrupted again


@pytest.mark.parametrize("func", [spin, lambda: time.sleep(3600), lambda: threading.Event().wait(),
                                  catches_and_waits_again])
def test_the_main_thread_is_stopped_after_the_limit(func):
    start = time.monotonic()
    with pytest.raises(DidNotReturn, match="did not return within 0.3 s"):
        call_within(func, 0.3)
    assert 0.3 <= time.monotonic() - start < 3.0
    import signal
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0), "the alarm must be disarmed"
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


def test_off_the_main_thread_a_python_loop_is_stopped():
    outcome = {}

    def caller():
        try:
            call_within(spin, 0.3)
        except DidNotReturn as stopped:
            outcome["limit"] = stopped.limit

    thread = threading.Thread(target=caller)
    thread.start()
    thread.join(10)
    assert outcome == {"limit": 0.3}
    time.sleep(0.1)
    assert not [t for t in threading.enumerate() if t.name == "course-bounded-call"]


def test_values_and_exceptions_come_back_unchanged():
    assert call_within(lambda: 42, 5) == 42
    with pytest.raises(KeyError):
        call_within(lambda: {}["x"], 5)


# stop_threads raises SystemExit in the looping threads: threading's own excepthook ignores it silently (what a
# learner sees), pytest's reports every thread exception; here the exception is the point of the test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_stop_threads_ends_python_loops():
    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    assert stop_threads([thread]) == []


def test_the_limit_from_the_environment(monkeypatch):
    assert time_limit(60.0) == 60.0 or "COURSE_CHECK_TIMEOUT" in __import__("os").environ
    monkeypatch.setenv("COURSE_CHECK_TIMEOUT", "2.5")
    assert time_limit(60.0) == 2.5
    for bad in ("soon", "0", "-1", "nan", "1e9"):
        monkeypatch.setenv("COURSE_CHECK_TIMEOUT", bad)
        with pytest.raises(ValueError, match="COURSE_CHECK_TIMEOUT"):
            time_limit(60.0)
