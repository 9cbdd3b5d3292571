"""helpers.failures_gil: wake-up lateness, a race with a window, a free-threaded Python as a child."""

from __future__ import annotations

import sys
import threading

import pytest

from helpers.failures_gil import (SITUATIONS, convoy, find_free_threaded_python, lost_updates, measure_in, stress,
                                  wake_up_lateness)


def test_lateness_is_measured_and_the_switch_interval_restored():
    before = sys.getswitchinterval()
    threads = threading.active_count()
    late = wake_up_lateness(pause=0.001, wakeups=10, busy_threads=1, switch_interval=0.001)
    assert len(late) == 10 and all(value > -0.001 for value in late)
    assert sys.getswitchinterval() == before
    assert threading.active_count() == threads


def test_convoy_measures_each_situation():
    assert list(convoy(wakeups=5)) == list(SITUATIONS)


@pytest.mark.skipif(not getattr(sys, "_is_gil_enabled", lambda: True)(), reason="shows the GIL's switching")
def test_a_tiny_switch_interval_shows_the_race():
    # With the GIL, a switch inside the three lines needs the interpreter to switch often: 20 tries at most.
    assert any(lost_updates(4, 20_000, switch_interval=1e-6) > 0 for _ in range(20))
    assert sys.getswitchinterval() == pytest.approx(0.005)


@pytest.mark.parametrize("call", [
    lambda: wake_up_lateness(pause=0), lambda: wake_up_lateness(wakeups=True),
    lambda: wake_up_lateness(busy_threads=-1),
    lambda: wake_up_lateness(switch_interval=0), lambda: lost_updates(threads=1), lambda: stress(0),
    lambda: measure_in(sys.executable, "nothing"), lambda: measure_in("/no/such/python", "race"),
])
def test_bad_input_is_refused_before_anything_starts(call):
    with pytest.raises(ValueError):
        call()


def test_this_file_answers_as_a_child_of_another_python():
    found = measure_in(sys.executable, "race")
    assert found["version"] == sys.version.split()[0] and set(found["lost"]) == {"default", "1e-6"}


@pytest.mark.skipif(find_free_threaded_python() is None, reason="no free-threaded Python on this machine")
def test_the_free_threaded_child_runs_without_the_gil():
    found = measure_in(find_free_threaded_python(), "convoy")
    assert found["gil"] is False and list(found["lateness_ms"]) == list(SITUATIONS)
