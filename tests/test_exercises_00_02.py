"""Checkers of notebooks 00–02: right answers pass, wrong ones get a helpful message, ... is 'not answered'."""

import os
import threading

import pytest

from helpers import Process, workers
from helpers.exercises import NOT_ANSWERED, check_00, check_01, check_02


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.1")


@pytest.mark.parametrize("check", [check_00, check_01, check_02])
def test_placeholder_means_not_answered(check, capsys):
    assert not check(...)
    assert NOT_ANSWERED in capsys.readouterr().out


def test_check_00(capsys):
    assert check_00(os.cpu_count())
    assert not check_00(os.cpu_count() + 1)
    assert "Hint" in capsys.readouterr().out


def _threads(sequential: bool):
    def run_two():
        threads = [threading.Thread(target=workers.print_numbers, kwargs={"count": 2}) for _ in range(2)]
        for t in threads:
            t.start()
            if sequential:
                t.join()
        for t in threads:
            t.join()
    return run_two


def test_check_01_measures_overlap(capsys):
    assert check_01(_threads(sequential=False))
    assert not check_01(_threads(sequential=True))
    assert "one after the other" in capsys.readouterr().out


def test_check_01_reports_unjoined_threads_and_errors(capsys):
    def forgets_to_join():
        threading.Thread(target=workers.print_numbers, kwargs={"count": 3}).start()

    assert not check_01(forgets_to_join)
    assert "still running" in capsys.readouterr().out
    assert not check_01(lambda: 1 / 0)
    assert "ZeroDivisionError" in capsys.readouterr().out
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(5)


def test_check_02_wants_two_processes_side_by_side(capsys):
    def start_two():
        children = [Process(target=workers.print_letters, args=(x,)) for x in ("AB", "CD")]
        for c in children:
            c.start()
        for c in children:
            c.join(30)
        return children

    def one_after_the_other():
        children = [Process(target=workers.print_letters, args=(x,)) for x in ("AB", "CD")]
        for c in children:
            c.start()
            c.join(30)
        return children

    assert check_02(start_two)
    assert not check_02(one_after_the_other)
    assert "one after the other" in capsys.readouterr().out
    assert not check_02(lambda: None)
    assert "two Process objects" in capsys.readouterr().out
