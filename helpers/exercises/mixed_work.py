"""A job that waits and computes: threads for the waiting, processes for the computing."""

from __future__ import annotations

import os
import time
from typing import Any

from ..engine.config import seconds
from .base import Verdict, call_learner, cannot_show, check_function, report
from .probes import Call, most_at_once, watching


def capstone_job(waits: int = 6, wait_seconds: float = 0.5, computes: int = 4,
                 number: int = 6_000_000) -> list[tuple[str, float]]:
    """The capstone job: ``waits`` tasks ``("wait", s)`` and ``computes`` tasks ``("compute", number)``.

    The waits are scaled by ``$COURSE_TIME_SCALE``; the two kinds alternate, as they would in
    a real queue of work. Each task is run by :func:`helpers.workers.job_task`. Sizes are
    capped (≤ 12 tasks of each kind, waits ≤ 2 s, numbers ≤ 10 000 000) so that a check
    never runs long; ``ValueError`` otherwise.
    """
    if not (0 <= waits <= 12 and 0 <= computes <= 12 and waits + computes >= 1):
        raise ValueError("a capstone job has 0 to 12 tasks of each kind, at least one in all.")
    if not (0 < wait_seconds <= 2 and 0 < number <= 10_000_000):
        raise ValueError("waits last at most 2 s and numbers are at most 10 000 000.")
    job: list[tuple[str, float]] = []
    for i in range(max(waits, computes)):
        if i < computes:
            job.append(("compute", number))
        if i < waits:
            job.append(("wait", seconds(wait_seconds)))
    return job


#: A sum computed in a worker takes at least this fraction of its time here alone. Busy cores only slow a sum,
#: but they may have slowed the baseline too (4 × measured on one shared core): a closed form takes ~1/10 000.
WORK_FLOOR = 0.05


def _squares(number: int) -> int:
    """The checker's own copy of ``sum_of_squares``: the baseline's work, out of the learner's reach."""
    return sum(i * i for i in range(number))


def _expected(task: tuple[str, float]) -> float:
    kind, size = task
    if kind == "compute":
        n = int(size)
        return (n - 1) * n * (2 * n - 1) // 6  # the closed form of 0² + … + (n-1)²
    return size


def _right_shape(wait_calls: list[Call], in_processes: list[Call]) -> bool:
    """The waits overlapped and the sums ran in child processes: what the exercise asks for.

    "Overlapped" is more than half of the waits at once, not all of them, or at least two at once on three
    threads or more: on a busy machine a thread may start only after another's short wait has ended (in CI,
    5 of 6 waits of 50 ms; on 3.14t at load 15, 2 or 3 of 6). A pool of two threads stays out.
    """
    if len(wait_calls) < 2:
        return bool(in_processes)
    # Or on more than two threads: under load (3.14t at load 15) a right answer's threads start so late that
    # only 2 or 3 of 6 waits of 50 ms overlapped, and helpers.run's pool hands a later wait to a thread whose
    # wait has ended (4 threads for 6 waits, measured). A thread is its ident and when its start() was called
    # (idents are reused once a thread has ended). A pool of two threads stays out.
    own_threads = len({(c.pid, c.thread, c.sent) for c in wait_calls})
    return bool(in_processes) and most_at_once(wait_calls) >= 2 and (
        2 * most_at_once(wait_calls) > len(wait_calls) or own_threads >= 3)


def _matches(call: Call, task: tuple[str, float]) -> bool:
    given = call.args[0] if call.args else call.kwargs.get("task")
    return isinstance(given, (list, tuple)) and len(given) == 2 and given[0] == task[0] and given[1] == task[1]


def check_mixed_job(run_job: Any, job: list[tuple[str, float]] | None = None) -> Verdict:
    """``run_job(tasks)`` must do every task of the job with ``job_task`` and return the results in task order.

    The checker first runs the job one task after another (the baseline, timing its waiting
    and its computing apart), then calls ``run_job`` with ``job_task`` replaced by a copy that
    records, for each task, the process, thread and times it ran in. Observed: every task
    really ran through ``job_task`` (results cannot be made up) and took as long as the work
    takes (a wait its time, a sum at least :data:`WORK_FLOOR` × the checker's own baseline of
    it), results in task order, every pool shut down and every process reaped,
    nothing left running, the waits overlapping each other, and the whole at most 0.8 × the
    baseline. A threads-only answer passes, and the verdict says, with figures, what running
    the computing on processes would have saved. ``job``: defaults to :func:`capstone_job`.
    """
    from .. import workers
    from ..engine.machine import usable_cores

    not_yet = check_function(run_job, "run_job", "check_mixed_job")
    if not_yet is not None:
        return not_yet
    tasks = capstone_job() if job is None else list(job)

    waited = computed = 0.0
    one_sum: dict[float, float] = {}  # seconds one sum of each size takes here, computed by the checker's own code
    for task in tasks:  # the baseline: one task after another, in this thread
        start = time.perf_counter()
        if task[0] == "compute":
            _squares(int(task[1]))  # not through workers: a module patched by the learner cannot speed it up
            took = time.perf_counter() - start
            one_sum[task[1]] = min(one_sum.get(task[1], took), took)
            computed += took
        else:
            time.sleep(float(task[1]))
            waited += time.perf_counter() - start
    baseline = waited + computed

    with watching(run_job, workers.job_task) as recorder:
        outcome, elapsed, failed = call_learner(
            lambda: (time.perf_counter(), run_job(list(tasks)), time.perf_counter()), "run_job",
            f"Try it by hand first: run_job(capstone_job()) should return a list of {len(tasks)} results.",
            "Join every thread and process (or use pools in a with-block) before returning.")
        calls = recorder.calls()
    if failed is not None:
        return failed
    called, results, returned = outcome
    try:
        results = list(results)
    except TypeError:
        return report(False, f"run_job() returned {results!r:.60}, not a list of results.")
    unused = list(calls)
    skipped = []
    for task in tasks:
        match = next((c for c in unused if _matches(c, task)), None)
        if match is None:
            skipped.append(task)
        else:
            unused.remove(match)
    if skipped:
        return report(False, f"{len(skipped)} of the {len(tasks)} tasks never ran through job_task "
                      f"(the checker watches it), e.g. {skipped[0]!r}.",
                      "Run every task with job_task(task), on threads or processes; do not skip or invent results.")
    late = [c for c in calls if c.end is None or c.end > returned]
    if late:
        return report(False, f"run_job() returned while {len(late)} task(s) were still running.",
                      "Wait for every task (join, or result()) before returning.")
    expected = [_expected(t) for t in tasks]
    if len(results) != len(tasks) or any(r != e for r, e in zip(results, expected)):
        in_order = sorted(map(repr, results)) == sorted(map(repr, expected))
        return report(False, f"run_job() returned {len(results)} results, not the {len(tasks)} results of the tasks "
                      f"in their order{' (right values, wrong order)' if in_order else ''}.",
                      "Put each result at its task's position: results[i] for tasks[i].")
    wait_calls = [c for c in calls if c.args and c.args[0][0] == "wait"]
    compute_calls = [c for c in calls if c.args and c.args[0][0] == "compute"]
    # The work itself, compared with the baseline: a call can be slowed by a busy machine, never sped up
    # (a sleep lasts at least its time; a sum of the same size takes at least a fraction of it here).
    def too_quick() -> list[Call]:
        quick = [c for c in wait_calls if c.end is not None and c.end - c.start < 0.9 * float(c.args[0][1])]
        return quick + [c for c in compute_calls if c.end is not None and c.args[0][1] in one_sum
                        and c.end - c.start < WORK_FLOOR * one_sum[c.args[0][1]]]

    skimped = too_quick()
    if any(c.args[0][0] == "compute" for c in skimped):
        # The baseline may itself have been slowed (a busy core): time the checker's own sums again first.
        for size in {c.args[0][1] for c in skimped if c.args[0][0] == "compute"}:
            for _ in range(2):
                start = time.perf_counter()
                _squares(int(size))
                one_sum[size] = min(one_sum[size], time.perf_counter() - start)
        skimped = too_quick()
    if skimped:
        c = skimped[0]
        kind, size = c.args[0]
        should = float(size) if kind == "wait" else one_sum[size]
        return report(False, f"job_task({tuple(c.args[0])!r}) returned the right result after "
                      f"{(c.end or c.start) - c.start:.3f} s, against {should:.3f} s for that task done here by the "
                      f"checker: it did not {'wait' if kind == 'wait' else 'compute'} ({len(skimped)} such call"
                      f"{'s' if len(skimped) > 1 else ''}).",
                      "Leave job_task and sum_of_squares as they are: the exercise measures the real work.")
    waits_at_once = most_at_once(wait_calls)
    figures = (f"run_job took {elapsed:.2f} s; one after another took {baseline:.2f} s "
               f"({waited:.2f} s waiting + {computed:.2f} s computing)")
    if len(wait_calls) > 1 and waits_at_once < 2:
        return report(False, f"{figures}. The {len(wait_calls)} waits ran one after another.",
                      "The waits can all overlap on threads: one thread per wait.")
    from ..engine.config import gil_enabled

    cores = usable_cores()
    # Without a GIL (free-threaded 3.13t/3.14t, sys._is_gil_enabled() False) threads of this kernel compute on
    # separate cores at once: there sums on threads are as right as sums on processes (PEP 703).
    gil = gil_enabled()
    kernel = os.getpid()
    in_kernel = [c for c in compute_calls if c.pid == kernel]
    sums_at_once = most_at_once(compute_calls)
    pids = {c.pid for c in compute_calls if c.pid != kernel}
    all_in_kernel = bool(in_kernel) and not pids
    if all_in_kernel:
        span = max(c.end or c.start for c in compute_calls) - min(c.start for c in compute_calls)
        if not gil:
            where = (f"the {len(compute_calls)} sums ran on threads of this kernel, up to {sums_at_once} at once: "
                     "this Python runs without a GIL, so threads compute on separate cores as processes would "
                     f"({cores} usable core{'s' if cores != 1 else ''}), with no process to start.")
        elif cores < 2:
            where = (f"the {len(compute_calls)} sums ran in this kernel, one at a time (the GIL); with one usable "
                     "core here, processes could not have computed faster.")
        else:
            where = (f"the {len(compute_calls)} sums ran in this kernel and took turns under the GIL: "
                     f"{span:.2f} s from the first to the last, against {computed:.2f} s one after another. "
                     f"On processes, {cores} cores could share them: about "
                     f"{computed / min(cores, max(1, len(compute_calls))):.2f} s of computing plus the start-up. "
                     "That is what it left on the table: processes for the computing, threads for the waiting.")
    else:
        where = (f"the waits overlapped ({waits_at_once} at once) and the sums ran in {len(pids)} process"
                 f"{'es' if len(pids) != 1 else ''}, up to {sums_at_once} at once.")
    if elapsed > 0.8 * baseline:
        best = max((c.end or 0) - c.start for c in wait_calls) if wait_calls else 0.0
        floor = max(best, computed / max(1, min(cores, len(compute_calls) or 1)))
        in_processes = [c for c in compute_calls if c.pid != kernel]
        if not gil and all_in_kernel and sums_at_once >= 2:
            in_processes = compute_calls  # side by side on threads: no GIL makes them take turns
        if _right_shape(wait_calls, in_processes):
            # The right shape, slowed by this machine: busy cores, or a slow process start.
            alone = computed / len(compute_calls)
            inside = sum((c.end or c.start) - c.start for c in in_processes) / len(in_processes)
            startup = min(c.start for c in in_processes) - called
            on = "on the threads" if all_in_kernel else "in the processes"
            why = (f"each sum took {inside:.2f} s {on} against {alone:.2f} s alone: the cores were "
                   "not free (other programs busy)" if inside > 1.3 * alone else
                   f"starting the processes took {startup:.2f} s here before the first sum began, about what "
                   "computing in parallel could save on a job this small")
            return cannot_show(f"{figures}: {where}", why)
        if all_in_kernel and gil and span > 1.3 * computed:  # the GIL takes turns, it does not slow sums: busy cores do
            return cannot_show(f"{figures}: {where}",
                               f"the sums took {span:.2f} s in this kernel against {computed:.2f} s one after "
                               "another just before: the cores were not free (other programs busy)")
        if floor > 0.7 * baseline:
            return cannot_show(f"{figures}: {where}",
                               f"the computing alone ({computed:.2f} s, {cores} usable core{'s' if cores > 1 else ''})"
                               " leaves little to gain on this machine")
        return report(False, f"{figures}: ×{baseline / elapsed:.1f}, not clearly faster; {where}",
                      "The waits can all overlap on threads; the computing needs processes to use several cores.")
    return report(True, f"{figures}: ×{baseline / elapsed:.1f}; {where}")
