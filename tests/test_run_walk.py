"""One press of the panel's Run button, followed through helpers/ (tools/run_walk.py): a ceiling on the walk.

"A maintainer following the Run button reads each module once" (issue 19) is counted as re-reads: calls back into
a module the walk had already entered and left. Measured with today's tool (Python 3.13, 2 cores; modules entered,
re-reads, back-steps):

* before the press was restructured: processes 10, 22, 53; threads 9, 20, 48 (the old tool, which counted no
  re-reads and left out every later call of a function read already: 10 and 47, 9 and 42);
* after (the run checked whole in one call, validate.plan_workload -> RunPlan; the workers' life one loop,
  relay.supervised / thread_runs.life; the charts drawing the result handed to them): processes 10, 3, 21;
  threads 9, 3, 22.

Then the two kinds of re-read left were folded (processes 10, 0, 21; threads 9, 0, 22): the chart draws one run
as one generator (``PanelCharts.watch``: empty axes, frames, the whole run, in the order they come), which the
harness resumes, and the panel words its "Done: ..." line from the result's fields instead of calling back into
``results``. A change that makes the press bounce between more modules, or read one twice, fails here: fold the
indirection, or move the helper next to its caller.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import run_walk  # noqa: E402

#: Modules entered, re-reads and back-steps at most, for one press in a fresh interpreter: "reads each module
#: once" is 0 re-reads; one module and a few steps of room for what a Python version loads on first use.
CEILINGS = {"processes": (11, 0, 25), "threads": (10, 0, 26)}


def _fresh_press(mode: str) -> dict:
    """The walk of one press in a new interpreter: what ran before in the test process (a tracker, a cache
    another test left warm) must not change what a maintainer reads."""
    script = ("import json, sys; sys.path.insert(0, 'tools'); import run_walk; w = run_walk.press(sys.argv[1]); "
              "print(json.dumps({'steps': w.steps, 'how': w.how, 'modules': w.modules, 're_reads': w.re_reads, "
              "'back_steps': w.back_steps}))")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", script, mode], cwd=root, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("mode", sorted(CEILINGS))
def test_one_press_stays_under_the_ceiling(mode):
    walk = _fresh_press(mode)
    modules, again, back = CEILINGS[mode]
    assert walk["steps"][0] == walk["steps"][-1] == "helpers.panels.panel"  # from the panel, back to it
    assert "helpers.engine.harness" in walk["modules"]
    assert len(walk["modules"]) <= modules, walk["modules"]
    assert len(walk["re_reads"]) <= again, walk["re_reads"]
    assert len(walk["back_steps"]) <= back, " > ".join(walk["steps"])


def test_the_count_can_fail():
    walk = run_walk.Walk()
    for module in ("a", "b", "a", "a", "c", "b", "a"):
        walk.step(module)
    assert walk.steps == ["a", "b", "a", "c", "b", "a"]
    assert walk.modules == ["a", "b", "c"]
    assert walk.back_steps == [("b", "a"), ("c", "b"), ("b", "a")]


def test_a_call_back_into_a_module_left_is_a_re_read_a_return_is_not():
    walk = run_walk.Walk()
    steps = [("panel", "call"), ("harness", "call"), ("validate", "call"), ("harness", "return"),
             ("validate", "call"), ("harness", "return"), ("panel", "return"), ("results", "call"),
             ("panel", "return"), ("harness", "call")]
    for module, how in steps:
        walk.step(module, how=how)
    assert walk.re_reads == [("harness", "validate"), ("panel", "harness")]
    assert len(walk.back_steps) == 6  # every return into a module already seen is a back-step, not a re-read


def test_the_tracer_tells_calls_from_returns_and_resumed_generators():
    def module_function(name, source, function):
        namespace = {"__name__": name}
        exec(compile(source, f"<{name}>", "exec"), namespace)
        return namespace[function]

    check = module_function("helpers.leaf", "def check(x):\n    return x\n", "check")
    other = module_function("helpers.other", "def other(x):\n    return x\n", "other")
    ticks = module_function("helpers.loop", "def ticks(check, other):\n    yield check(0)\n    yield other(1)\n",
                            "ticks")
    press = module_function("helpers.top", "def press(ticks, check, other):\n    it = ticks(check, other)\n"
                            "    next(it)\n    check(9)\n    return list(it)\n", "press")
    walk = run_walk.trace(lambda: press(ticks, check, other))
    # top calls leaf.check itself after loop did: a function read already, left out. The generator resumed by
    # list() is a return into a function in progress (not a re-read), and what it calls then is followed.
    assert walk.steps == ["helpers.top", "helpers.loop", "helpers.leaf", "helpers.loop", "helpers.top",
                          "helpers.loop", "helpers.other", "helpers.loop", "helpers.top"]
    assert walk.how == ["call", "call", "call", "return", "return", "return", "call", "return", "return"]
    assert walk.re_reads == []
    assert len(walk.back_steps) == 5
    # The same press with the generator's second function in leaf's module: that call enters leaf again.
    again = module_function("helpers.leaf", "def other(x):\n    return x\n", "other")
    assert run_walk.trace(lambda: press(ticks, check, again)).re_reads == [("helpers.loop", "helpers.leaf")]


def test_a_function_is_followed_once():
    calls = []

    def action():
        for _ in range(3):
            calls.append(run_walk.Walk().modules)  # a helpers-free call: nothing recorded

    assert run_walk.trace(action).steps == []
    assert len(calls) == 3
