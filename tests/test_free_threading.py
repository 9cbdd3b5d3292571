"""helpers.free_threading: finding the other build, measuring both in child interpreters, honest verdicts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import free_threading as ft

FT_PYTHON = "/opt/ft-python/bin/python3.14t"
GIL_PYTHON = "/opt/debian-python/bin/python3.14"


def build(free_threaded: bool, one: float, two: float, cpu_two: list[float], lost=(0, 0, 0), gil=None) -> dict:
    return {"python": "3.14.7", "free_threaded": free_threaded,
            "gil_enabled": (not free_threaded) if gil is None else gil,
            "cpu": {"1": {"seconds": one, "thread_cpu": [one]}, "2": {"seconds": two, "thread_cpu": cpu_two}},
            "one_thread": one, "race": {"expected": 800_000, "lost": list(lost)}, "memory_kib_per_thread": 13.0}


def comparison(*builds, idle=2.0, cores=2) -> ft.BuildComparison:
    return ft.BuildComparison(list(builds), cores, idle, "measured now")


def test_free_threaded_threads_that_halve_the_time_are_called_parallel():
    text = "\n".join(comparison(build(False, 0.2, 0.2, [0.1, 0.1]), build(True, 0.22, 0.115, [0.11, 0.11],
                                                                          lost=(5, 0, 9))).verdicts())
    assert "free-threaded build, 2 threads (1.91 CPU-seconds per second): ×1.91 -> this run shows that" in text
    assert "GIL build, 2 threads (1.00 CPU-seconds per second): ×1.00 -> this run shows that" in text
    assert "take turns on the GIL" in text and "cannot show" not in text
    assert "×1.10 the GIL build's wall-clock time (10 % slower)" in text
    assert "lost updates in 2 of 3 trials" in text and "GIL build: nothing lost in 3 trials" in text


def test_an_impossible_speedup_from_a_starved_baseline_is_not_called_parallel():
    # Measured under load: the 1-thread run was descheduled, so 2 threads looked ×2.4 with 0.6 CPU-s per s.
    text = "\n".join(comparison(build(True, 0.54, 0.223, [0.07, 0.07]), idle=0.0).verdicts())
    assert "this run shows that" not in text and "more than they can reach" in text and "busy" in text


def test_a_busy_machine_is_said_so_and_one_core_blames_nobody():
    assert "cannot show" in "\n".join(comparison(build(True, 0.2, 0.2, [0.05, 0.05]), idle=0.1).verdicts())
    text = "\n".join(comparison(build(True, 0.2, 0.2, [0.1, 0.1]), cores=1).verdicts())
    assert "one usable core" in text and "this run shows that" not in text


def test_the_recorded_figures_are_labelled_as_not_this_machine():
    recorded = ft.recorded_comparison()
    assert recorded is not None, "helpers/measured/free_threading.json (python -m helpers.free_threading --record)"
    assert "NOT on yours" in recorded.machine_line() and {b["free_threaded"] for b in recorded.builds} == {False, True}
    assert ft.recorded_comparison(Path("/nonexistent.json")) is None


def test_none_in_the_environment_means_no_other_build(monkeypatch):
    monkeypatch.setenv(ft.OTHER_PYTHON_ENV, "none")
    assert ft.find_other_build() is None


@pytest.mark.parametrize("threads", [(), (0,), (True,), (1, 10_000)])
def test_bad_thread_counts_are_refused_before_anything_starts(threads):
    with pytest.raises(ValueError, match="threads"):
        ft.measure_build(threads=threads)


def test_this_build_measured_in_a_child_interpreter():
    figures = ft.measure_build(threads=(1, 2), work=50_000, repeats=1, race_times=1_000)
    assert figures["free_threaded"] == ft.gil_status().free_threaded_build
    assert set(figures["cpu"]) == {"1", "2"} and len(figures["cpu"]["2"]["thread_cpu"]) == 2
    assert figures["race"]["expected"] == 4_000 and len(figures["race"]["lost"]) == 3


def test_a_child_that_takes_too_long_is_killed():
    with pytest.raises(RuntimeError, match="within 1 s"):
        ft.measure_build(threads=(1,), work=500_000_000, repeats=1, timeout=1.0)


@pytest.mark.skipif(not (Path(FT_PYTHON).exists() and Path(GIL_PYTHON).exists()),
                    reason="needs the free-threaded 3.14t and a GIL 3.14 (shared/tools/ft-python, debian-python)")
def test_the_other_build_is_found_and_asked_what_it_is(monkeypatch):
    monkeypatch.setattr(ft, "EXTRA_DIRS", [str(Path(FT_PYTHON).parent), str(Path(GIL_PYTHON).parent)])
    found = ft.find_other_build(free_threaded=True, version="3.14")
    assert found is not None and found.free_threaded and found.version == "3.14"
    gil = ft.find_other_build(free_threaded=False, version="3.14")
    assert gil is not None and not gil.free_threaded  # never /opt/ft-python/bin/python3.14, the same binary


@pytest.mark.skipif(not Path(FT_PYTHON).exists() or not (shutil.which("cc") or shutil.which("gcc")),
                    reason="needs the free-threaded 3.14t and a C compiler")
def test_an_extension_that_declares_nothing_turns_the_gil_on_unless_python_gil_0():
    found = ft.gil_needing_extension(FT_PYTHON)
    assert found is not None
    before, after, warnings = found["default"]
    assert before is False and after is True and "has been enabled to load module 'needs_gil'" in warnings[0]
    assert found["PYTHON_GIL=0"][:2] == (False, False)
    assert found["PYTHON_GIL=1"][:2] == (True, True)


def test_gil_coming_back_says_why_when_it_cannot_show_it(monkeypatch):
    monkeypatch.setattr(ft, "find_other_build", lambda **_: None)
    if not ft.gil_status().free_threaded_build:
        assert "No free-threaded Python found here" in ft.gil_coming_back()


def test_rounds_keep_each_figures_best_and_every_race_trial():
    slow, fast = build(True, 0.4, 0.3, [0.2, 0.2], lost=(1, 2, 3)), build(True, 0.2, 0.11, [0.1, 0.1], lost=(4, 5, 6))
    slow["one_thread_cpu"], fast["one_thread_cpu"] = 0.19, 0.21
    merged = ft.merge_rounds([slow, fast])
    assert merged["cpu"]["1"]["seconds"] == 0.2 and merged["cpu"]["2"]["thread_cpu"] == [0.1, 0.1]
    assert merged["one_thread"] == 0.2 and merged["one_thread_cpu"] == 0.19
    assert merged["race"]["lost"] == [1, 2, 3, 4, 5, 6] and merged["rounds"] == 2


@pytest.mark.skipif(not (Path(FT_PYTHON).exists() and Path(GIL_PYTHON).exists()),
                    reason="needs the free-threaded 3.14t and a GIL 3.14 (shared/tools/ft-python, debian-python)")
def test_on_the_real_builds_the_race_loses_updates_without_the_gil_only():
    free = ft.measure_build(FT_PYTHON, threads=(1, 2), work=200_000, repeats=1, race_times=200_000)
    gil = ft.measure_build(GIL_PYTHON, threads=(1, 2), work=200_000, repeats=1, race_times=200_000)
    assert free["free_threaded"] and not free["gil_enabled"] and not free["gil_enabled_after"]
    assert not gil["free_threaded"] and gil["gil_enabled"]
    assert gil["race"]["lost"] == [0, 0, 0]  # measured on 3.10-3.15 with the GIL: nothing lost
    # Three trials whose threads start together at a barrier: on 3.14t every run here lost in all of them.
    assert any(gil_free_loss > 0 for gil_free_loss in free["race"]["lost"]), free["race"]
    text = "\n".join(ft.BuildComparison([gil, free], 2, None, "measured now").verdicts())
    assert "free-threaded build: the unlocked counter lost updates" in text and "GIL build: nothing lost" in text
