"""The GIL-release checker: the right prediction passes whatever the machine; wrong ones fail with a reason."""

from __future__ import annotations

import os

import pytest

from helpers.engine.config import gil_enabled
from helpers.exercises.gil_release import check_gil_release

RIGHT = {"bz2": True, "json": not gil_enabled()}  # json scales on 2 threads only without a GIL (3.14t)
WITH_GIL = {"bz2": True, "json": False}
WITHOUT_GIL = {"bz2": True, "json": True}


@pytest.fixture(autouse=True)
def short_tasks(monkeypatch):
    monkeypatch.setenv("COURSE_TIME_SCALE", "0.05")


def test_right_answer_passes_with_figures(capsys):
    assert check_gil_release(dict(RIGHT))
    out = capsys.readouterr().out
    assert out.startswith("✔") and "bz2:" in out and "json:" in out


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs os.sched_setaffinity (Linux)")
def test_right_answer_passes_on_one_cpu_saying_it_cannot_measure(capsys):
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        verdict = check_gil_release(dict(RIGHT))
    finally:
        os.sched_setaffinity(0, before)
    out = capsys.readouterr().out
    assert verdict and "not measurable" in out, out


@pytest.mark.parametrize(("answer", "words"), [
    ({"bz2": False, "json": False}, "Not for 'bz2'"),
    ({"bz2": True, "json": True}, "Not for 'json'"),
    ({"bz2": False, "json": True}, "Not for 'bz2', 'json'"),
])
def test_wrong_answers_fail_and_say_why(answer, words, capsys, monkeypatch):
    monkeypatch.setattr("helpers.engine.config.gil_enabled", lambda: True)
    verdict = check_gil_release(answer)
    out = capsys.readouterr().out
    assert not verdict and words in out and "Hint" in out, out


@pytest.mark.parametrize(("answer", "words"), [
    (..., "Not answered yet"),
    ({"bz2": ..., "json": False}, "Not answered yet for 'bz2'"),
    ({"bz2": 1, "json": False}, "True or False"),
    ({"bz2": True}, "exactly the keys"),
    (check_gil_release, "exactly the keys"),
])
def test_unanswered_and_malformed(answer, words, capsys):
    assert not check_gil_release(answer)
    assert words in capsys.readouterr().out


def test_json_scales_without_a_gil(capsys, monkeypatch):
    # A simulated free-threaded build. Before the fix: ✘ "Not for 'json'", though on 3.14t no work takes turns.
    monkeypatch.setattr("helpers.engine.config.gil_enabled", lambda: False)
    assert check_gil_release(dict(WITHOUT_GIL))
    assert "without a GIL" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "words"), [
    (WITH_GIL, "Not for 'json'"),
    ({"bz2": False, "json": True}, "Not for 'bz2'"),
    ({"bz2": False, "json": False}, "Not for 'bz2', 'json'"),
])
def test_wrong_answers_without_a_gil(answer, words, capsys, monkeypatch):
    monkeypatch.setattr("helpers.engine.config.gil_enabled", lambda: False)
    verdict = check_gil_release(dict(answer))
    out = capsys.readouterr().out
    assert not verdict and words in out and "Hint" in out, out


def test_the_running_build_decides(capsys):
    # On the real 3.14t json's answer is True; on a GIL build False. The other is refused.
    assert check_gil_release(dict(RIGHT))
    assert not check_gil_release({**RIGHT, "json": not RIGHT["json"]})
