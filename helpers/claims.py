"""The claims the notebooks conclude from their measurements, put to :func:`helpers.engine.verdict.judge`.

Each function here turns a notebook's figures into :class:`~helpers.engine.verdict.Figure` objects with
the claim they could support on *this* build, and returns the verdict: the claim where the figures
show it, otherwise why this run cannot. What the claims say about CPython, and where it is stated:

* Pure-Python code on threads takes turns on the GIL; a free-threaded build with the GIL off runs
  it in parallel (PEP 703; ``sys._is_gil_enabled()``, Python/sysmodule.c, 3.13+).
* Each process has its own interpreter and GIL, so processes compute in parallel up to the cores.
* ``hashlib`` releases the GIL for data over 2 047 bytes (Modules/hashlib.h: ``HASHLIB_GIL_MINSIZE``);
  ``zlib`` and ``bz2`` while they compress (Modules/zlibmodule.c, Modules/_bz2module.c:
  ``Py_BEGIN_ALLOW_THREADS``); ``json.dumps`` builds Python objects and holds it.
* Threads that wait (``time.sleep``, a socket) release the GIL (Modules/timemodule.c: ``pysleep``):
  waits overlap on one core too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .engine.verdict import Figure, MachineSeen, Verdict, judge

#: Task kinds of :mod:`helpers.gil_release` whose C code releases the GIL while it works (see module doc).
RELEASES_GIL = {"sha256": True, "sha256-1KiB": False, "blake2b": True, "zlib": True, "bz2": True,
                "json": False, "python": False, "numpy-sort": True}


def threads_computing(speedup: float, workers: int, gil: bool, label: str | None = None) -> Figure:
    """Threads running pure-Python code: they take turns with a GIL, run in parallel without one."""
    label = label or f"{workers} threads"
    if gil:
        return Figure(label, speedup, workers, "turns", "threads running Python code take turns on the GIL")
    return Figure(label, speedup, workers, "parallel",
                  "without a GIL, threads run Python code in parallel (this free-threaded build)")


def processes_computing(speedup: float, workers: int, label: str | None = None) -> Figure:
    """Processes running pure-Python code: each has its own GIL, so they run in parallel."""
    return Figure(label or f"{workers} processes", speedup, workers, "parallel",
                  "processes compute in parallel, one core each (each has its own interpreter and GIL)")


def cpu_work(threads_speedup: float, processes_speedup: float, workers: int, machine: MachineSeen,
             threads_workers: int | None = None) -> Verdict:
    """Notebooks 04, 08, 15: threads and processes on the same pure-Python tasks (speed-ups over one after another)."""
    return judge([threads_computing(threads_speedup, threads_workers or workers, machine.gil),
                  processes_computing(processes_speedup, workers)], machine)


def threads_on_builds(measured: Sequence[tuple[str, bool, float, float]], machine: MachineSeen,
                      threads: int = 2) -> Verdict:
    """Notebook 15: the same pure-Python work on ``threads`` threads, on each build measured side by side.

    ``measured``: one ``(label, GIL on?, speed-up over one thread, CPU-seconds per second)`` per build.
    All are judged together, so a build whose threads scaled shows that a second core was free for
    the other build's threads to take turns on. The CPU-seconds per second are shown beside each.
    """
    return judge([threads_computing(speedup, threads, gil,
                                    label=f"{label}, {threads} threads ({use:.2f} CPU-seconds per second)")
                  for label, gil, speedup, use in measured], machine)


def lost_updates(lost: Sequence[int], expected: int, gil: bool) -> str:
    """Notebooks 05, 11, 15: unlocked ``+= 1`` on threads, ``lost`` counted in each trial of ``expected`` updates.

    A loss is a fact on any build. Nothing lost is no proof of safety on either: with the GIL it is where
    the interpreter happens to switch threads (``Python/bytecodes.c``: only calls, function entries and
    backward jumps check the eval breaker), without one it means the threads did not overlap this time.
    """
    trials = len(lost)
    if any(lost):
        return (f"the unlocked counter lost updates in {sum(1 for x in lost if x)} of {trials} "
                f"trial{'s' if trials != 1 else ''} (up to {max(lost):,} of {expected:,}): two threads read the same "
                "value and both wrote it back plus one")
    if gil:
        return (f"nothing lost in {trials} trial{'s' if trials != 1 else ''}, thanks to where the GIL switches "
                "threads, not to any promise: without a GIL expect losses; use a threading.Lock (notebooks 05, 11)")
    return (f"nothing lost in {trials} trial{'s' if trials != 1 else ''} although the GIL is off: the threads did "
            "not overlap this time (a busy machine or one core); the race is still there")


def waits_overlap(speedup: float, waits: int, label: str | None = None, machine: MachineSeen | None = None) -> Verdict:
    """Notebooks 03, 07, 08: ``waits`` waits on threads against one after another (no cores needed)."""
    from .engine.machine import usable_cores
    from .engine.config import gil_enabled

    machine = machine or MachineSeen(usable=usable_cores(), gil=gil_enabled())
    figure = Figure(label or f"{waits} waits on threads", speedup, waits, "parallel",
                    "waiting threads overlap: a thread that waits lets the others run", needs_cores=False)
    return judge(figure, machine)


def gil_release(speedups: Mapping[str, float], threads: int, machine: MachineSeen,
                control: str = "python") -> Verdict:
    """Notebook 14: each task kind on ``threads`` threads against one after another.

    The pure-Python loop (``control``) is the control: with a GIL it can only take turns, so a
    figure above ×1 for it means the one-after-another runs were slowed by other programs.
    """
    def figure(name: str, speedup: float) -> Figure:
        if name == "python":
            return threads_computing(speedup, threads, machine.gil, label=f"{name} on {threads} threads")
        releases = RELEASES_GIL.get(name, False) or not machine.gil
        claim = (f"{name} runs in parallel on threads (its C code releases the GIL)" if releases and machine.gil
                 else f"{name} runs in parallel on threads (no GIL in this build)" if releases
                 else f"{name} takes turns on threads (it holds the GIL while it works)")
        return Figure(f"{name} on {threads} threads", speedup, threads, "parallel" if releases else "turns", claim)

    control_figure = figure(control, speedups[control]) if control in speedups else None
    return judge([figure(name, s) for name, s in speedups.items() if name != control], machine,
                 control=control_figure)


def crossover(sizes: Sequence[int], one_by_one: Sequence[float], on_processes: Sequence[float],
              machine: MachineSeen, workers: int = 2) -> tuple[float | None, Verdict]:
    """Notebook 04: the task size from which ``workers`` processes win at every larger size measured.

    Returns the size (interpolated on a log scale, two significant figures; None when none was
    found or the run cannot show one) and the verdict on the largest size: processes must have
    run in parallel there for any crossover to mean something.
    """
    ratios = [s / p for s, p in zip(one_by_one, on_processes)]
    last = Figure(f"{workers} processes on tasks of {sizes[-1]:,} numbers", ratios[-1], workers, "parallel",
                  f"{workers} processes ran in parallel on big tasks")
    verdict = judge(last, machine)
    first_win = next((i for i in range(len(sizes)) if all(r > 1 for r in ratios[i:])), None)
    if not verdict.shown or first_win is None:
        verdict.lines.append("crossover: not found in this run (see above why)")
        return None, verdict
    if first_win == 0:
        verdict.lines.append(f"crossover: at or below {sizes[0]:,} numbers per task, the smallest size measured")
        return float(sizes[0]), verdict
    found, _ = crossover_size(sizes[first_win - 1:first_win + 1], ratios[first_win - 1:first_win + 1])
    size = float(f"{found:.2g}") if found else None  # two significant figures: the measurement is no finer
    if size is not None:
        busy = " (on a busy machine: expect it lower on an idle one)" if machine.busy else ""
        verdict.lines.append(f"crossover: processes start to pay at about {size:,.0f} numbers per task{busy}")
    return size, verdict


def one_gil_each(ratio: float, workers: int, machine: MachineSeen, label: str, kind: str) -> Verdict:
    """Notebooks 16 and 17: ``kind`` (subinterpreters, worker processes), each with its own GIL, against threads
    that share one, on the same pure-Python tasks; ``ratio`` = the threads' time / theirs.

    With a GIL, the lesson is that they compute in parallel where the threads take turns; without one
    (a free-threaded build) the threads compute in parallel too, so the lesson is only that the two
    come out about even, and nothing is claimed about a GIL.
    """
    if machine.gil:
        figure = Figure(label, ratio, workers, "parallel",
                        f"{kind}, each with its own GIL, compute in parallel where threads sharing one GIL take turns")
        return judge(figure, machine)
    verdict = Verdict(machine=machine)
    verdict.lines.append(f"{label}: ×{ratio:.2f} -> not judged: this Python runs without a GIL, so threads compute "
                         f"in parallel too (notebook 15) and {kind} have no GIL to win back")
    verdict.supported.append(False)
    return verdict


def crossover_size(sizes: Sequence[float], ratios: Sequence[float]) -> tuple[float | None, str]:
    """Where ``ratios`` (sequential / processes) first rises through 1, and how it was found.

    Returns ``(size, "between")`` when it crosses between two measured sizes (log-interpolated),
    ``(sizes[0], "below")`` when processes already win at the smallest size, and
    ``(None, "above")`` when they never win in the range measured.
    """
    if not sizes or len(sizes) != len(ratios):
        raise ValueError("crossover_size needs one ratio per size.")
    if ratios[0] >= 1:
        return float(sizes[0]), "below"
    for i in range(1, len(sizes)):
        low, high = ratios[i - 1], ratios[i]
        if low < 1 <= high:
            share = (0 - math.log(low)) / (math.log(high) - math.log(low))
            size = math.exp(math.log(sizes[i - 1]) + share * (math.log(sizes[i]) - math.log(sizes[i - 1])))
            return size, "between"
    return None, "above"
