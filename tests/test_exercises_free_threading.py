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
    (hard_coded, "GIL off, describe_python() said free_threaded_build=False"),
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
