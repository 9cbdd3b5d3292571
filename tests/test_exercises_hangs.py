"""The stuck-threads checker: the names of the threads inside a function, found anywhere in their stacks."""

from __future__ import annotations

import sys
import threading
import traceback

import pytest

from helpers.exercises.hangs import check_stuck_threads

from exercise_conditions import HARD, accepted_within, hard, refused


def solution(function_name):
    frames = sys._current_frames()
    found = set()
    for thread in threading.enumerate():
        frame = frames.get(thread.ident)
        while frame is not None:
            if frame.f_code.co_name == function_name:
                found.add(thread.name)
                break
            frame = frame.f_back
    return found


def with_extract_stack(function_name):
    frames = sys._current_frames()
    return [t.name for t in threading.enumerate()
            if t.ident in frames
            and any(step.name == function_name for step in traceback.extract_stack(frames[t.ident]))]


def top_frame_only(function_name):
    frames = sys._current_frames()
    return {t.name for t in threading.enumerate()
            if t.ident in frames and frames[t.ident].f_code.co_name == function_name}


def every_thread(function_name):
    return {t.name for t in threading.enumerate()}


def every_other_thread(function_name):
    return {t.name for t in threading.enumerate() if t is not threading.main_thread()}


def names_as_a_string(function_name):
    return ", ".join(sorted(solution(function_name)))


def test_solution_passes(capsys):
    assert check_stuck_threads(solution)
    assert capsys.readouterr().out.startswith("✔")


def test_a_list_from_extract_stack_passes():
    assert check_stuck_threads(with_extract_stack)


@pytest.mark.parametrize("condition", HARD)
def test_solution_is_never_refused_on_a_hard_machine(condition, monkeypatch):
    with hard(condition, monkeypatch):
        accepted_within(lambda: check_stuck_threads(solution))


def test_only_the_top_frame_is_refused():
    refused(check_stuck_threads(top_frame_only), "missed", "not the top of their stack")


def test_every_thread_is_refused():
    refused(check_stuck_threads(every_thread), "not in wait_for_lock")


def test_every_thread_but_main_is_refused():
    refused(check_stuck_threads(every_other_thread), "not in wait_for_lock")


def test_a_string_is_refused():
    refused(check_stuck_threads(names_as_a_string), "not a set of thread names")


def test_the_checkers_threads_end():
    before = {t.ident for t in threading.enumerate()}
    check_stuck_threads(top_frame_only)
    left = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert not left, left


def test_unanswered():
    refused(check_stuck_threads(...), "still `...`")
