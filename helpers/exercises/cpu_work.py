"""Processes for computing work: when do two processes beat one loop, on this machine?"""

from __future__ import annotations

from typing import Any

from ..charts.style import format_duration
from .base import Verdict, cannot_show, not_true_or_false, report

#: Four tasks of each size, one after another vs on two processes.
CPU_TASKS = 4
CPU_SIZES = {"tiny": 2_000, "big": 3_000_000}
#: Within this factor of each other, the two times are too close to call: either answer is right.
TOO_CLOSE = 1.15


def check_processes_pay_off(answer: Any) -> Verdict:
    """``answer = {"tiny": bool, "big": bool}``: do two processes pay off, on this machine?

    "Pay off" means: 4 tasks of ``sum_of_squares(size)`` finish sooner on 2 processes
    (start-up included) than one after another in this kernel, for size 2 000 ("tiny")
    and 3 000 000 ("big"). The checker measures both (best of two runs each), prints the
    figures, and compares them with the answer. Within 15 % either answer is right. Where
    the machine cannot show processes paying off for the big tasks (one usable core, or
    the cores taken by other programs during the run), it says so instead of judging.
    """
    if answer is ...:
        return report(False, "answer is still `...`: keep the dict and replace each ... with True or False.")
    if not isinstance(answer, dict):
        return report(False, f"answer must be a dict like {{'tiny': True, 'big': False}}, not {answer!r:.60}.",
                      "Keep the dict from the exercise cell and replace each ... with True or False.")
    missing = [key for key in CPU_SIZES if key not in answer]
    unknown = [key for key in answer if key not in CPU_SIZES]
    if missing or unknown:
        return report(False, f"The dict needs exactly the keys 'tiny' and 'big' (missing: {missing or 'none'}, "
                      f"unexpected: {unknown or 'none'}).")
    not_yet = not_true_or_false(answer, CPU_SIZES)
    if not_yet is not None:
        return not_yet
    from ..engine.harness import run
    from ..engine.machine import usable_cores
    from ..workers import compute_task

    cores = usable_cores()
    lines, mistakes, hints, unshown = [], [], [], []
    for key, size in CPU_SIZES.items():
        inputs = [size] * CPU_TASKS
        # Best of two runs each: the run least disturbed by whatever else the machine is doing.
        one_by_one = min(run(compute_task, inputs, mode="sequential").elapsed for _ in range(2))
        on_processes = min(run(compute_task, inputs, mode="processes", workers=2).elapsed for _ in range(2))
        speedup = one_by_one / on_processes
        pays = speedup > 1.0
        close = 1 / TOO_CLOSE < speedup < TOO_CLOSE
        lines.append(f"{key} ({CPU_TASKS} × sum_of_squares({size:_})): one after another "
                     f"{format_duration(one_by_one)}, 2 processes {format_duration(on_processes)} → processes "
                     f"{'pay' if pays else 'do not pay'} (×{speedup:.2f}{', too close to call' if close else ''})")
        if key == "big" and speedup < TOO_CLOSE:
            # The lesson: big tasks repay the start-up when two cores are free. Not seen here:
            # say why, and do not judge either answer against this run.
            unshown.append("this machine lets the course use one core only: two processes take turns on it"
                           if cores < 2 else
                           f"in this run two processes were not faster (×{speedup:.2f}) although {cores} cores "
                           "are usable: other programs were busy, or starting a process is slow here")
            continue
        if close or answer[key] == pays:
            continue
        mistakes.append(key)
        if not answer[key]:
            hints.append(f"the {key} tasks kept two cores busy long enough to repay the start-up")
        else:
            hints.append("the tiny tasks take far less time than starting a process")
    measured = "\n  " + "\n  ".join(lines)
    if mistakes:
        hint = "; ".join(hints) + ". Compare the task time with the start-up time you measured in this notebook"
        return report(False, f"Not for {', '.join(map(repr, mistakes))}. Measured:{measured}",
                      f"{hint[0].upper()}{hint[1:]}.")
    if unshown:
        return cannot_show(f"Your 'tiny' answer is right; 'big' could not be judged. Measured:{measured}", unshown[0])
    return report(True, f"Right for both, as measured here:{measured}")
