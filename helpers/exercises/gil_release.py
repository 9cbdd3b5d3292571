"""Checker for the notebook on C code that releases the GIL: does this library call scale over threads?"""

from __future__ import annotations

from typing import Any

from ..engine.config import seconds
from .base import NOT_ANSWERED, Verdict, not_true_or_false, report, unanswered

#: The calls the learner judges, and what their C code does with the GIL (CPython's _bz2module.c wraps
#: BZ2_bzCompress in Py_BEGIN_ALLOW_THREADS; the json encoder, Modules/_json.c, builds Python objects and
#: holds the GIL throughout). Whether 2 threads then finish sooner depends on the build: without a GIL
#: (free-threaded 3.14t, PEP 703) nothing takes turns on one, so both scale.
RELEASES = {"bz2": True, "json": False}


def scales_here(name: str, gil: bool) -> bool:
    """Whether 2 threads running ``name`` finish 2 tasks sooner than one on a build with (``gil``) or without a GIL."""
    return RELEASES[name] or not gil


def check_gil_release(answer: Any) -> Verdict:
    """``answer = {"bz2": bool, "json": bool}``: do 2 threads finish 2 tasks sooner than one thread?

    The checker measures each with :func:`helpers.gil_release.measure_scaling` (2 tasks of
    about 0.6 s each, scaled by ``$COURSE_TIME_SCALE``, best of 2) and prints the figures.
    The right answer is what this build does (:func:`scales_here`: bz2 scales; json only without a
    GIL, as on 3.14t). Each figure is judged by :func:`helpers.engine.verdict.judge`; when the
    machine cannot show it (one usable core, a run too close to call or contradicting the build,
    as on a busy machine), the checker says so and judges by what the build does.
    """
    if unanswered(answer):
        return report(False, NOT_ANSWERED)
    if not isinstance(answer, dict) or set(answer) != set(RELEASES):
        return report(False, f"answer must be a dict with exactly the keys 'bz2' and 'json', not {answer!r}.",
                      "Keep the dict from the exercise cell and replace each ... with True or False.")
    not_yet = not_true_or_false(answer, RELEASES)
    if not_yet is not None:
        return not_yet
    from ..engine.config import gil_enabled
    from ..engine.machine import usable_cores
    from ..engine.verdict import Figure, judge, watch_machine
    from ..gil_release import measure_scaling, size_for

    gil = gil_enabled()
    cores = usable_cores()
    lines, mistakes = [], []
    for name in RELEASES:
        right = scales_here(name, gil)
        if cores >= 2:
            # The thresholds are the course's one rule (helpers/engine/verdict.py): ×1.3 or more on 2 idle cores
            # (×1.6 on a busy machine) is parallel, ×0.75–1.15 with a free core seen is taking turns.
            with watch_machine() as watch:
                scaling = measure_scaling(name, threads=2, megabytes=size_for(name, seconds(0.6)), repeats=2)
            figure = Figure(f"{name}, 2 threads", scaling.speedup, 2, "parallel" if right else "turns",
                            f"{name} {'runs on 2 threads at once' if right else 'takes turns on the GIL'}")
            shown = judge(figure, watch.seen).shown
            note = "" if shown else " (this run cannot show it, e.g. a busy machine: judged by what this build does)"
            lines.append(f"{name}: one thread {scaling.one_thread:.2f} s, 2 threads {scaling.many_threads:.2f} s "
                         f"-> ×{scaling.speedup:.2f}{note}")
        else:
            lines.append(f"{name}: not measurable with {cores} usable core (2 threads can only take turns); "
                         "judged by what this build does")
        if answer[name] != right:
            mistakes.append(name)
    build = ("this Python has a GIL" if gil else
             "this Python runs without a GIL (free-threaded): no work takes turns on one")
    figures = f"\n  {build}\n  " + "\n  ".join(lines)
    if mistakes:
        hints = {"bz2": "bz2 compresses in C with the GIL released: two threads compress at once",
                 "json": ("json.dumps builds Python strings from Python objects: it holds the GIL all along" if gil
                          else "json.dumps holds the GIL on a GIL build, but this build has none: two threads "
                          "encode at once")}
        return report(False, f"Not for {', '.join(map(repr, mistakes))} on this build.{figures}",
                      "; ".join(hints[m] for m in mistakes) + ". Measure it yourself: helpers.run(task, [size] * 2, "
                      "mode='threads', workers=2) against mode='sequential'.")
    return report(True, f"Right for both on this build.{figures}")
