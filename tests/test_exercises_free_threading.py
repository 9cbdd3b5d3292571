"""check_gil_report: reading the build and the GIL state passes; answers that skip either fail."""

import sys
import sysconfig

import pytest

from helpers.exercises.base import NOT_ANSWERED
from helpers.exercises.free_threading import check_gil_report


def solution():
    gil_check = getattr(sys, "_is_gil_enabled", lambda: True)
    return {"free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            "gil_enabled": gil_check()}


def hard_coded():
    return {"free_threaded_build": False, "gil_enabled": True}


def gil_from_the_build():
    build = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return {"free_threaded_build": build, "gil_enabled": not build}


def unguarded():
    return {"free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            "gil_enabled": sys._is_gil_enabled()}


def build_from_the_gil():
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    return {"free_threaded_build": not gil, "gil_enabled": gil}


def raw_config_value():
    return {"free_threaded_build": sysconfig.get_config_var("Py_GIL_DISABLED"),
            "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)()}


def test_not_answered_and_not_callable(capsys):
    assert not check_gil_report(...)
    assert NOT_ANSWERED in capsys.readouterr().out
    assert not check_gil_report({"free_threaded_build": False})
    assert "should be a function, not dict" in capsys.readouterr().out


def test_the_solution_passes_and_leaves_sys_as_it_was(capsys):
    had = hasattr(sys, "_is_gil_enabled")
    original = sysconfig.get_config_var
    assert check_gil_report(solution), capsys.readouterr().out
    assert hasattr(sys, "_is_gil_enabled") == had and sysconfig.get_config_var is original


@pytest.mark.parametrize("wrong,message", [
    # On the real 3.14t the kernel itself is the first Python that refutes it.
    (hard_coded, "GIL off" if not sysconfig.get_config_var("Py_GIL_DISABLED") else "this kernel's Python"),
    (gil_from_the_build, "turned the GIL back on, describe_python() said gil_enabled=False"),
    (unguarded, "raised AttributeError"),
    (build_from_the_gil, "said free_threaded_build=False"),
    (raw_config_value, "not True or False"),
    (lambda: (True, False), "not a dict"),
])
def test_wrong_answers_fail_naming_their_mistake(capsys, wrong, message):
    had = hasattr(sys, "_is_gil_enabled")
    assert not check_gil_report(wrong)
    out = capsys.readouterr().out
    assert out.startswith("✘") and message in out
    assert hasattr(sys, "_is_gil_enabled") == had


# --- gap 6 of issue 22: every correct way of reading the build passes, here and on the real 3.14t -----------

def build_from_config_vars():
    return {"free_threaded_build": bool(sysconfig.get_config_vars().get("Py_GIL_DISABLED")),
            "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)()}


def build_from_config_vars_list():
    (disabled,) = sysconfig.get_config_vars("Py_GIL_DISABLED")
    return {"free_threaded_build": disabled == 1, "gil_enabled": bool(getattr(sys, "_is_gil_enabled", lambda: True)())}


def build_from_sys_version():
    return {"free_threaded_build": "free-threading build" in sys.version,
            "gil_enabled": sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True}


@pytest.mark.skipif(not hasattr(sys, "abiflags"), reason="sys.abiflags is POSIX's (and Windows' from 3.14)")
def test_abiflags_is_a_right_way_too(capsys):
    def from_abiflags():
        return {"free_threaded_build": "t" in sys.abiflags,
                "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)()}
    assert check_gil_report(from_abiflags), capsys.readouterr().out


@pytest.mark.parametrize("right", [build_from_config_vars, build_from_config_vars_list, build_from_sys_version])
def test_every_correct_reading_of_the_build_passes_and_leaves_everything_as_it_was(capsys, right):
    version, config = sys.version, dict(sysconfig.get_config_vars())
    assert check_gil_report(right), capsys.readouterr().out
    assert sys.version == version and sysconfig.get_config_vars() == config


# --- the race only a free-threaded build shows ---------------------------------------------------------

import threading  # noqa: E402

from helpers.exercises.free_threading import check_race_fix  # noqa: E402

LOCK = threading.Lock()


def unlocked(tally, pages):
    for page in pages:
        tally[page] += 1


def locked(tally, pages):
    for page in pages:
        with LOCK:
            tally[page] += 1


def counted_then_merged(tally, pages):
    mine = {}
    for page in pages:
        mine[page] = mine.get(page, 0) + 1
    with LOCK:
        for page, count in mine.items():
            tally[page] += count


def lock_made_inside(tally, pages):
    lock = threading.Lock()
    for page in pages:
        with lock:
            tally[page] += 1


def replaces_instead_of_adding(tally, pages):
    mine = {}
    for page in pages:
        mine[page] = mine.get(page, 0) + 1
    with LOCK:
        tally.update(mine)


def get_then_set(tally, pages):
    for page in pages:
        tally[page] = tally.get(page, 0) + 1


GATE = threading.Event()


def never_returns(tally, pages):
    GATE.wait()  # a lock nobody releases, as far as the checker can tell; the test opens it afterwards


def raises(tally, pages):
    raise KeyError("nope")


@pytest.mark.parametrize("right", [locked, counted_then_merged])
def test_a_shared_lock_passes_on_either_build(capsys, right):
    assert check_race_fix(right), capsys.readouterr().out


@pytest.mark.parametrize("wrong,message", [
    (unlocked, "visits were lost"),
    (lock_made_inside, "visits were lost"),
    (get_then_set, "visits were lost"),
    (replaces_instead_of_adding, "visits were lost"),
    (raises, "raised KeyError"),
])
def test_wrong_fixes_fail_on_either_build_naming_what_was_lost(capsys, wrong, message):
    verdict = check_race_fix(wrong)
    out = capsys.readouterr().out
    assert not verdict and out.startswith("✘") and message in out


def test_on_a_gil_build_the_checker_says_what_the_free_threaded_build_would_show(capsys):
    from helpers.config import gil_enabled

    assert not check_race_fix(unlocked)
    out = capsys.readouterr().out
    if gil_enabled():
        assert "once a thread switch was forced" in out and "this GIL build hid it" in out
    else:
        assert "sharing a plain dict (free-threaded build, GIL off)" in out or "happened not to show it" in out


def test_a_deadlocked_answer_fails_within_the_timeout(capsys):
    GATE.clear()
    try:
        verdict = check_race_fix(never_returns, timeout=1.0)
    finally:
        GATE.set()
    out = capsys.readouterr().out
    assert not verdict and "still inside record_visits_safely" in out


def test_not_written_yet(capsys):
    assert not check_race_fix(...)
    assert "record_visits_safely is still `...`" in capsys.readouterr().out


def test_both_parts_together_pass_only_when_both_are_right(capsys):
    from helpers.exercises.free_threading import check_build_and_race

    assert check_build_and_race(solution, locked)
    verdict = check_build_and_race(hard_coded, locked)
    assert not verdict and "part 1" in verdict.message and "part 2" not in verdict.message.splitlines()[0]
    assert not check_build_and_race(solution, unlocked)
    capsys.readouterr()


def test_a_describe_python_that_never_returns_is_stopped(capsys, monkeypatch):
    import time

    from exercise_conditions import stopped_in_time

    def describe_python():
        time.sleep(3600)

    stopped_in_time(lambda: check_gil_report(describe_python), capsys, monkeypatch)
