"""Checker for the notebook on C code that releases the GIL: does this library call scale over threads?"""

from __future__ import annotations

from typing import Any

from ..engine.config import seconds
from .base import NOT_ANSWERED, Verdict, not_true_or_false, report, unanswered

#: The calls the learner judges, and what their C code does (CPython's _bz2module.c wraps
#: BZ2_bzCompress in Py_BEGIN_ALLOW_THREADS; the json encoder builds Python objects and
#: holds the GIL throughout).
RELEASES = {"bz2": True, "json": False}
#: Speed-up of 2 threads over one at or above which the measurement says "in parallel",
#: at or below which it says "takes turns"; in between it is too close to call.
PARALLEL, TAKES_TURNS = 1.4, 1.15


def check_gil_release(answer: Any) -> Verdict:
    """``answer = {"bz2": bool, "json": bool}``: do 2 threads finish 2 tasks sooner than one thread?

    The checker measures each with :func:`helpers.gil_release.measure_scaling` (2 tasks of
    about 0.6 s each, scaled by ``$COURSE_TIME_SCALE``, best of 2) and prints the figures.
    A clear measurement decides. When the machine cannot show it (one usable core, or a run
    too close to call or contradicting what the C code does, as on a busy machine), the
    checker says so and judges by what the C code does.
    """
    if unanswered(answer):
        return report(False, NOT_ANSWERED)
    if not isinstance(answer, dict) or set(answer) != set(RELEASES):
        return report(False, f"answer must be a dict with exactly the keys 'bz2' and 'json', not {answer!r}.",
                      "Keep the dict from the exercise cell and replace each ... with True or False.")
    not_yet = not_true_or_false(answer, RELEASES)
    if not_yet is not None:
        return not_yet
    from ..gil_release import measure_scaling, size_for
    from ..engine.machine import usable_cores

    cores = usable_cores()
    lines, mistakes = [], []
    for name, releases in RELEASES.items():
        if cores >= 2:
            scaling = measure_scaling(name, threads=2, megabytes=size_for(name, seconds(0.6)), repeats=2)
            speedup = scaling.speedup
            measured = True if speedup >= PARALLEL else False if speedup <= TAKES_TURNS else None
            note = ""
            if measured is None:
                note = " (too close to call here: judged by what the C code does)"
            elif measured != releases:
                note = " (this contradicts what the C code does: the machine is busy; judged by the C code)"
            lines.append(f"{name}: one thread {scaling.one_thread:.2f} s, 2 threads {scaling.many_threads:.2f} s "
                         f"-> ×{speedup:.2f}{note}")
        else:
            lines.append(f"{name}: not measurable with {cores} usable core (2 threads can only take turns); "
                         "judged by what the C code does")
        if answer[name] != releases:
            mistakes.append(name)
    figures = "\n  " + "\n  ".join(lines)
    if mistakes:
        hints = {"bz2": "bz2 compresses in C with the GIL released: two threads compress at once",
                 "json": "json.dumps builds Python strings from Python objects: it holds the GIL all along"}
        return report(False, f"Not for {', '.join(map(repr, mistakes))}.{figures}",
                      "; ".join(hints[m] for m in mistakes) + ". Measure it yourself: helpers.run(task, [size] * 2, "
                      "mode='threads', workers=2) against mode='sequential'.")
    return report(True, f"Right for both.{figures}")
