"""One press of the panel's Run button, followed through helpers/ (tools/run_walk.py): a ceiling on the walk.

Measured when the ceiling was set (Python 3.13, 2 cores): processes 10 modules entered, 47 back-steps; threads 9
and 42 (before the walk was measured and cut: processes 13 and 54, threads 12 and 51). A change that makes the
press bounce between more modules fails here: fold the indirection, or move the helper next to its caller.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import run_walk  # noqa: E402

# The walk depends a little on what ran before in the process (a full CI run's processes press entered 11 modules,
# the walk alone 10): one module and a few steps of room.
CEILINGS = {"processes": (11, 52), "threads": (10, 47)}


@pytest.mark.parametrize("mode", sorted(CEILINGS))
def test_one_press_stays_under_the_ceiling(mode):
    walk = run_walk.press(mode)
    modules, back = CEILINGS[mode]
    assert walk.steps[0] == walk.steps[-1] == "helpers.panels.panel"  # from the panel, back to it
    assert "helpers.engine.harness" in walk.modules
    assert len(walk.modules) <= modules, walk.modules
    assert len(walk.back_steps) <= back, " > ".join(walk.steps)


def test_the_count_can_fail():
    walk = run_walk.Walk()
    for module in ("a", "b", "a", "a", "c", "b", "a"):
        walk.step(module)
    assert walk.steps == ["a", "b", "a", "c", "b", "a"]
    assert walk.modules == ["a", "b", "c"]
    assert walk.back_steps == [("b", "a"), ("c", "b"), ("b", "a")]


def test_a_function_is_followed_once():
    calls = []

    def action():
        for _ in range(3):
            calls.append(run_walk.Walk().modules)  # a helpers-free call: nothing recorded

    assert run_walk.trace(action).steps == []
    assert len(calls) == 3
