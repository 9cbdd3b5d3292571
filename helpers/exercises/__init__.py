"""Checkers for each notebook's exercise: they measure what the learner's code does.

Every checker prints one line starting with ✔ (right) or ✘ (not yet, with a hint) and
returns a :class:`Verdict` (true when right; it shows nothing more in a notebook). A checker never raises for a wrong or missing answer, so a
notebook with the exercise still open runs from top to bottom. ``...`` (Ellipsis) means
"not answered yet".
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from ..config import seconds
from .base import (NOT_ANSWERED, Verdict, call_learner, child_pids, new_children, report,
                   unanswered)


# --- 00 welcome ------------------------------------------------------------------------

def check_00(cores: Any) -> Verdict:
    """The learner reads the number of CPU cores from the machine table."""
    if unanswered(cores):
        return report(False, NOT_ANSWERED)
    actual = os.cpu_count()
    return report(cores == actual, f"This machine has {actual} cores." if cores == actual
                  else f"{cores!r} is not this machine's core count.",
                  "Look at the row 'CPU cores (os.cpu_count)' in the table above.")


# --- 01 what is a thread ---------------------------------------------------------------

def check_01(run_two: Any) -> Verdict:
    """``run_two()`` must start two threads of ``print_numbers(count=2)`` and join both.

    Measured: it must take about one worker's time (2 pauses), not two (4 pauses), and
    leave no thread of its own running when it returns.
    """
    if unanswered(run_two):
        return report(False, NOT_ANSWERED)
    if not callable(run_two):
        return report(False, "Pass the function itself: check_01(run_two), without ().")
    before = threading.active_count()
    _, elapsed, failed = call_learner(run_two, "run_two")
    if failed is not None:
        return failed
    leftover = threading.active_count() - before
    one_worker = 2 * seconds(1.0)
    if leftover > 0:
        return report(False, f"{leftover} thread(s) were still running when run_two() returned.",
                      "Call join() on every thread you started.")
    if elapsed < one_worker * 0.9:
        return report(False, f"run_two() returned after {elapsed:.2f} s, before one worker could finish "
                      f"({one_worker:.2f} s).", "Did you start both threads, and join them?")
    if elapsed > one_worker * 1.5:
        return report(False, f"run_two() took {elapsed:.2f} s: the threads ran one after the other.",
                      "Start both threads first, then join both.")
    return report(True, f"Two workers of {one_worker:.2f} s each finished together in {elapsed:.2f} s.")


# --- 02 what is a process --------------------------------------------------------------

def check_02(start_two: Any) -> Verdict:
    """``start_two()`` must start two processes (not threads) at once and return them, joined."""
    if unanswered(start_two):
        return report(False, NOT_ANSWERED)
    if not callable(start_two):
        return report(False, "Pass the function itself: check_02(start_two), without ().")
    processes, elapsed, failed = call_learner(start_two, "start_two", leftover_hint="join() both before returning.")
    if failed is not None:
        return failed
    try:
        processes = list(processes)
    except TypeError:
        return report(False, "start_two() must return the two Process objects (a list or tuple).")
    if len(processes) != 2 or not all(hasattr(p, "pid") and hasattr(p, "exitcode") for p in processes):
        return report(False, f"Expected two Process objects, got {processes!r}.")
    pids = {p.pid for p in processes}
    if os.getpid() in pids or len(pids) != 2:
        return report(False, "The two workers did not run in two separate processes.")
    if any(p.exitcode != 0 for p in processes):
        return report(False, f"Exit codes {[p.exitcode for p in processes]}: a child failed (see its error above).",
                      "Use a worker from helpers.workers, e.g. print_letters.")
    sequential = 2 * 2 * seconds(1.0)
    if elapsed > sequential * 0.85:
        return report(False, f"start_two() took {elapsed:.2f} s: the processes ran one after the other.",
                      "Start both, then join both.")
    return report(True, f"Two processes (pids {sorted(pids)}) ran side by side: {elapsed:.2f} s "
                  f"instead of {sequential:.2f} s one after the other.")


# --- 03 threads for waiting work -------------------------------------------------------

#: Exercise 03: this many waiting tasks of this many seconds (before scaling) must end in
#: about the target time.
WAIT_TASKS_03 = 12
WAIT_PAUSE_03 = 0.5
WAIT_TARGET_03 = 1.5


def check_03(threads: Any) -> Verdict:
    """``threads``: the fewest threads that finish 12 waiting tasks of 0.5 s in about 1.5 s.

    Each thread takes one task after another, so the run lasts ``ceil(12 / threads)``
    rounds of 0.5 s, and 4 is the fewest threads that need only 3 rounds. The checker
    runs the 12 tasks on that many threads (pauses scaled by ``$COURSE_TIME_SCALE``) and
    prints what it measured beside the verdict; the verdict itself follows the rounds, so
    a busy machine cannot turn a right answer wrong.
    """
    from ..config import MAX_THREADS

    if unanswered(threads):
        return report(False, NOT_ANSWERED)
    if isinstance(threads, bool) or not isinstance(threads, int):
        return report(False, f"{threads!r} is not a number of threads.", "Give a whole number, e.g. answer = 3.")
    if not 1 <= threads <= MAX_THREADS:
        return report(False, f"{threads} threads: choose a number from 1 to {MAX_THREADS}.",
                      f"There are only {WAIT_TASKS_03} tasks; how many must each thread take?")
    from ..harness import run
    from ..workers import wait_task

    pause = seconds(WAIT_PAUSE_03)
    measured = run(wait_task, [pause] * WAIT_TASKS_03, mode="threads", workers=threads).elapsed
    rounds = -(-WAIT_TASKS_03 // threads)  # ceiling division
    allowed = round(WAIT_TARGET_03 / WAIT_PAUSE_03)
    fewest = -(-WAIT_TASKS_03 // allowed)
    said = (f"{WAIT_TASKS_03} waits of {pause:.2f} s on {threads} thread{'s' if threads > 1 else ''}: "
            f"measured {measured:.2f} s, {rounds} round{'s' if rounds > 1 else ''} of waiting")
    if rounds > allowed:
        return report(False, f"{said}, more than the {seconds(WAIT_TARGET_03):.2f} s wanted.",
                      f"A thread does its tasks one after another: {threads} "
                      f"thread{'s need' if threads > 1 else ' needs'} {rounds} rounds. "
                      f"How many threads make it {allowed} rounds?")
    if threads > fewest:
        return report(False, f"{said}: fast enough, but fewer threads would do.",
                      f"{allowed} rounds are allowed, so each thread may take {allowed} tasks. "
                      "How many threads is that?")
    return report(True, f"{said}: {threads} threads × {allowed} tasks each, the fewest that keep the time.")


# --- 04 processes for CPU work ---------------------------------------------------------

#: Exercise 04: four tasks of each size, one after another vs on two processes.
CPU_TASKS_04 = 4
CPU_SIZES_04 = {"tiny": 2_000, "big": 3_000_000}
#: Within this factor of each other, the two times are too close to call: either answer is right.
TOO_CLOSE_04 = 1.15


def check_04(answer: Any) -> Verdict:
    """``answer = {"tiny": bool, "big": bool}``: do two processes pay off, on this machine?

    "Pay off" means: 4 tasks of ``sum_of_squares(size)`` finish sooner on 2 processes
    (start-up included) than one after another in this kernel, for size 2 000 ("tiny")
    and 3 000 000 ("big"). The checker measures both, prints the figures, and compares
    them with the answer (best of two runs each). When the two times are within 15 % of
    each other, either answer counts as right (a busy machine can tip a close race).
    Takes a second or two.
    """
    if unanswered(answer):
        return report(False, NOT_ANSWERED)
    if not isinstance(answer, dict):
        return report(False, f"answer must be a dict like {{'tiny': True, 'big': False}}, not {answer!r}.",
                      "Keep the dict from the exercise cell and replace each ... with True or False.")
    missing = [key for key in CPU_SIZES_04 if key not in answer]
    unknown = [key for key in answer if key not in CPU_SIZES_04]
    if missing or unknown:
        return report(False, f"The dict needs exactly the keys 'tiny' and 'big' (missing: {missing or 'none'}, "
                      f"unexpected: {unknown or 'none'}).")
    open_keys = [key for key in CPU_SIZES_04 if answer[key] is ...]
    if open_keys:
        return report(False, f"Not answered yet for {', '.join(map(repr, open_keys))}: replace each ... with "
                      "True or False and run the cell again.")
    wrong_type = [key for key in CPU_SIZES_04 if not isinstance(answer[key], bool)]
    if wrong_type:
        return report(False, f"{', '.join(map(repr, wrong_type))}: answer True or False, not "
                      f"{', '.join(repr(answer[k]) for k in wrong_type)}.")
    from ..harness import run
    from ..machine import usable_cores
    from ..workers import compute_task

    lines, mistakes, hints = [], [], []
    for key, size in CPU_SIZES_04.items():
        inputs = [size] * CPU_TASKS_04
        # Best of two runs each: the run least disturbed by whatever else the machine is doing.
        one_by_one = min(run(compute_task, inputs, mode="sequential").elapsed for _ in range(2))
        on_processes = min(run(compute_task, inputs, mode="processes", workers=2).elapsed for _ in range(2))
        speedup = one_by_one / on_processes
        pays = speedup > 1.0
        close = 1 / TOO_CLOSE_04 < speedup < TOO_CLOSE_04
        lines.append(f"{key} ({CPU_TASKS_04} × sum_of_squares({size:_})): one after another {_fmt_04(one_by_one)}, "
                     f"2 processes {_fmt_04(on_processes)} → processes {'pay' if pays else 'do not pay'} "
                     f"(×{speedup:.2f}{', too close to call' if close else ''})")
        if answer[key] != pays and not close:
            mistakes.append(key)
            if not answer[key]:
                hints.append(f"the {key} tasks kept the cores busy long enough to repay the start-up")
            elif key == "tiny":
                hints.append("the tiny tasks take far less time than starting a process")
            elif usable_cores() >= 2:
                # Right in principle, refuted by this run: say why rather than leave a puzzle.
                hints.append(f"on {usable_cores()} idle cores the big tasks do repay the start-up, but in this run "
                             "the processes could not get the cores (another program busy?); run the check "
                             "again when the machine is quieter")
            else:
                hints.append("with a single core, two processes take turns and only add their start-up")
    measured = "\n  " + "\n  ".join(lines)
    if mistakes:
        hint = "; ".join(hints)
        if "could not get the cores" not in hint:
            hint += ". Compare the task time with the start-up time you measured in this notebook"
        return report(False, f"Not for {', '.join(map(repr, mistakes))}. Measured:{measured}",
                      f"{hint[0].upper()}{hint[1:]}.")
    return report(True, f"Right for both, as measured here:{measured}")


def _fmt_04(elapsed: float) -> str:
    return f"{elapsed * 1000:.1f} ms" if elapsed < 0.1 else f"{elapsed:.2f} s"


# --- 05 sharing data -------------------------------------------------------------------

#: Exercise 05: the checker's producer puts this many numbers, this far apart (scaled), then SENTINEL.
ITEMS_05 = 200
PAUSE_05 = 0.001


class _CheckerGaveUp(BaseException):
    """Raised inside the learner's consumer when the checker's deadline has passed.

    A ``BaseException`` so that a learner's ``except Exception`` (or ``except queue.Empty``)
    cannot swallow it and loop on.
    """


class _DeadlineQueue:
    """The queue handed to the learner's consumer: no call on it waits past ``deadline``.

    ``get()`` without a timeout would otherwise block forever once the producer is done;
    here it gives up at the deadline, and the checker says why.
    """

    def __init__(self, queue: Any, deadline: float) -> None:
        self._queue = queue
        self._deadline = deadline

    def _left(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise _CheckerGaveUp
        return left

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        import queue as queue_module

        left = self._left()
        if not block:
            return self._queue.get(False)
        wait = left if timeout is None else min(timeout, left)
        try:
            return self._queue.get(True, wait)
        except queue_module.Empty:
            if timeout is None or timeout >= left:
                raise _CheckerGaveUp from None
            raise

    def get_nowait(self) -> Any:
        return self.get(False)

    def empty(self) -> bool:
        self._left()
        return self._queue.empty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)


def check_05(take_all: Any, *, items: int = ITEMS_05, timeout: float = 10.0) -> Verdict:
    """``take_all(q)`` must return every item a *running* producer puts on ``q``, in order.

    The checker starts a child process running ``put_numbers(q, items, 1 ms apart)``
    (which ends with :data:`~helpers.workers.SENTINEL`) and calls ``take_all(q)`` at once
    in this process, while the producer is still starting or producing. The right answer
    is ``[0, 1, … items-1]``: no item missing (the ``while not q.empty()`` race) and no
    sentinel kept. ``take_all`` gets at most ``timeout`` s; then any wait on ``q`` gives
    up. The producer is always reaped before the checker returns.
    """
    if unanswered(take_all):
        return report(False, NOT_ANSWERED)
    if not callable(take_all):
        return report(False, "Pass the function itself: check_05(take_all), without ().")
    import multiprocessing

    from ..config import resolve_start_method
    from ..relay import Process, stop
    from ..workers import SENTINEL, put_numbers

    queue = multiprocessing.get_context(resolve_start_method()).Queue()
    producer = Process(target=put_numbers, args=(queue, items, PAUSE_05))
    producer.start()
    started = time.perf_counter()
    gave_up = False
    error: Exception | None = None
    got: Any = None
    try:
        got = take_all(_DeadlineQueue(queue, time.monotonic() + timeout))
    except _CheckerGaveUp:
        gave_up = True
    except Exception as exc:  # the learner's bug: report it, never raise it
        error = exc
    finally:
        elapsed = time.perf_counter() - started
        # The producer's few kilobytes fit in the pipe, so it can end even if nobody read them.
        producer.join(timeout=10)
        stop(producer)
        queue.close()

    stop_at_sentinel = "Loop on q.get() and stop (return) when it gives you SENTINEL."
    if gave_up:
        return report(False, f"take_all was still waiting on the queue after {elapsed:.1f} s, long after the "
                      f"producer had sent its {items} items and the SENTINEL.", stop_at_sentinel)
    if error is not None:
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return report(False, f"take_all raised {detail}.",
                      "Did it wait for the items? q.get() waits; q.get_nowait() and q.get(False) do not.")
    if got is None:
        return report(False, "take_all returned None.", "Collect the items in a list and return the list.")
    try:
        got = list(got)
    except TypeError:
        return report(False, f"take_all returned {got!r}, not a list of items.",
                      "Collect the items in a list and return the list.")
    expected = list(range(items))
    if got == expected:
        return report(True, f"take_all got all {items} of {items} items, in order, from a producer that was "
                      "still running.")
    if any(item is SENTINEL for item in got):
        return report(False, f"Your list holds the SENTINEL ({SENTINEL!r}) as if it were an item.",
                      "When q.get() gives SENTINEL, stop without appending it.")
    if got == expected[:len(got)]:
        return report(False, f"take_all got only {len(got)} of {items} items: it stopped while the producer "
                      "was still producing. q.empty() only says 'nothing right now', not 'nothing ever'.",
                      stop_at_sentinel)
    return report(False, f"take_all returned {len(got)} items, but not 0 … {items - 1} in the order sent "
                  f"(first ones: {got[:5]}).", "Append each item as you get it; do not sort or change them.")


# --- 06 joining and stopping -----------------------------------------------------------

#: Exercise 06: the grace period given to ``finish`` (unscaled: process start-up does not scale).
GRACE_06 = 1.5


def check_06(finish: Any, *, grace: float = GRACE_06) -> Verdict:
    """``finish(process, grace)`` must end a started process, politely first, by force if needed.

    Right: wait up to ``grace`` s for the process to end by itself (``join(timeout=…)``);
    if it is still alive, ``terminate()`` it and ``join()`` it; return its exit code.
    The checker hands it two started ``helpers.Process`` children: one that sleeps
    ``grace / 10`` s (must end by itself: exit code 0, no terminate) and one that would
    sleep 30 s (must be terminated after about ``grace`` s: not alive afterwards, a
    non-zero exit code). ``finish`` runs in a helper thread, so a ``join()`` without a
    timeout cannot hang the notebook: after ``grace + 3`` s the checker stops the child
    itself. Every child is reaped before the checker returns.
    """
    if unanswered(finish):
        return report(False, NOT_ANSWERED)
    if not callable(finish):
        return report(False, "Pass the function itself: check_06(finish), without ().")
    from ..relay import Process, stop
    from ..workers import sleep_for

    polite = "First process.join(timeout=grace); only if process.is_alive() is still true, terminate it."
    measured = []
    for label, duration in (("a worker that ends by itself", grace / 10), ("a worker that would sleep 30 s", 30.0)):
        child = Process(target=sleep_for, args=(duration,))
        child.start()
        outcome: dict[str, Any] = {}

        def call(child: Process = child, outcome: dict[str, Any] = outcome) -> None:
            try:
                outcome["code"] = finish(child, grace)
            except Exception as exc:  # reported below, never raised
                outcome["error"] = exc

        caller = threading.Thread(target=call, name="check_06-finish", daemon=True)
        started = time.perf_counter()
        caller.start()
        caller.join(grace + 3.0)
        elapsed = time.perf_counter() - started
        hung = caller.is_alive()
        alive_after = child.is_alive()
        try:
            if hung:
                stop(child)  # ends the child, which also ends a join() without a timeout
                caller.join(5.0)
                return report(False, f"finish() was still waiting for {label} after {elapsed:.1f} s, although "
                              f"the grace period was {grace:.1f} s.", "join() without a timeout waits forever. " + polite)
            if "error" in outcome:
                error = outcome["error"]
                detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                return report(False, f"finish() raised {detail}.", polite)
            code = outcome.get("code")
            if duration < grace:
                if code is not None and code != 0:
                    return report(False, f"finish() stopped {label} (exit code {code}) although it would have "
                                  f"ended on its own within the {grace:.1f} s grace period.", polite)
                if alive_after:
                    return report(False, f"finish() returned while {label} was still running.",
                                  "Wait for it with join(timeout=grace), then return process.exitcode.")
                if code is None:
                    return report(False, f"finish() returned None for {label}, not its exit code.",
                                  "Return process.exitcode, read after the join.")
            else:
                if alive_after:
                    return report(False, f"{label.capitalize()} was still alive when finish() returned.",
                                  "After join(timeout=grace), check is_alive(); if true, terminate() it and join() again.")
                if code is None:
                    return report(False, "finish() returned None for the terminated worker.",
                                  "Return process.exitcode, read after the final join().")
                if elapsed < grace * 0.8:
                    return report(False, f"finish() ended {label} after {elapsed:.2f} s, before its {grace:.1f} s "
                                  "grace period was over.", polite)
            measured.append(f"{label}: exit code {code} after {elapsed:.2f} s")
        finally:
            stop(child)
    return report(True, "finish() let one worker end by itself and stopped the other after the grace period ("
                  + "; ".join(measured) + ").")


# --- 07 processes with threads ---------------------------------------------------------

def check_07(three_offices: Any) -> Verdict:
    """``three_offices()`` starts processes ``X``, ``Y``, ``Z`` at once, each running
    ``process_with_threads_reporting(name, queue, thread_names="AB")``, drains the queue,
    joins them and returns the spans.

    Measured: 9 spans (2 waiting threads + the main thread, per process) from 3 processes
    other than this kernel, nothing left running, and the three processes running at the same
    time (their spans overlap, or the total is under the 3 pauses of one process after another).
    """
    if unanswered(three_offices):
        return report(False, NOT_ANSWERED)
    if not callable(three_offices):
        return report(False, "Pass the function itself: check_07(three_offices), without ().")
    spans, elapsed, failed = call_learner(
        three_offices, "three_offices",
        "queue.Empty means fewer spans came than you waited for; check the names and counts.",
        "Join every process after you have taken all the spans off the queue.")
    if failed is not None:
        return failed
    try:
        spans = list(spans)
    except TypeError:
        return report(False, f"three_offices() returned {spans!r}, not a list of spans.",
                      "Collect what you get() from the queue in a list and return it.")
    fields = ("process", "pid", "thread", "start", "end")
    if not all(all(hasattr(s, f) for f in fields) for s in spans):
        return report(False, "three_offices() must return the ThreadSpan objects taken off the queue.",
                      "spans = [queue.get(timeout=30) for _ in range(9)]")
    if len(spans) != 9:
        return report(False, f"Got {len(spans)} spans; 3 processes × (2 threads + their main thread) send 9.",
                      "Each process sends one span per thread and one for itself: take 9 off the queue.")
    pids = {s.pid for s in spans}
    if len(pids) != 3 or os.getpid() in pids:
        return report(False, f"The spans came from {len(pids)} process(es) {sorted(pids)}; expected 3 children.",
                      "Start one Process per name in 'XYZ'.")
    names = sorted({s.process for s in spans})
    threads = {pid: sorted(s.thread for s in spans if s.pid == pid and s.thread != "MainThread") for pid in pids}
    if names != ["X", "Y", "Z"] or any(len(t) != 2 for t in threads.values()):
        return report(False, f"Processes {names} with threads {sorted(threads.values())}: expected X, Y, Z "
                      "with two threads each.", "args=(name, queue, 'AB') for name in 'XYZ'.")
    pause = seconds(1.0)
    one_by_one = 6 * pause
    mains = [s for s in spans if s.thread == "MainThread"]
    side_by_side = max(s.start for s in mains) < min(s.end for s in mains)
    # One process after another takes at least 3 pauses (each overlaps only its own two
    # threads), and their main-thread spans do not overlap. Either sign alone could be
    # blurred by a slow process start on a busy machine; both together cannot.
    if not side_by_side and elapsed > 2.2 * pause:
        return report(False, f"three_offices() took {elapsed:.2f} s, and the three processes were never all "
                      f"running at the same moment: they ran one after another (3 × {pause:.2f} s).",
                      "Start all three processes before you take anything off the queue or join any.")
    waits = [s for s in spans if s.thread != "MainThread"]
    together = max(s.start for s in waits) < min(s.end for s in waits)
    return report(True, f"3 processes (pids {sorted(pids)}), 2 threads each: 6 waits of {seconds(1.0):.2f} s "
                  f"in {elapsed:.2f} s instead of {one_by_one:.2f} s"
                  + (", all six waiting at the same moment." if together else "."))


# --- 08 quick reference ----------------------------------------------------------------

#: The jobs of exercise 08: name → (what it is, the description :func:`helpers.advisor.recommend` gets).
SCENARIOS_08: dict[str, tuple[str, dict[str, Any]]] = {
    "pages": ("fetch 20 web pages; each reply takes about 1 s to arrive",
              {"waiting": True, "computing": False, "task_seconds": 1.0, "tasks": 20}),
    "photos": ("shrink 8 large photos; each takes about 2 s of pure computing",
               {"waiting": False, "computing": True, "task_seconds": 2.0, "tasks": 8}),
    "uploads": ("8 uploads: wait about 1 s for each file to arrive, then compress it for about 1 s",
                {"waiting": True, "computing": True, "task_seconds": 2.0, "tasks": 8}),
    "sums": ("the article's heavy_math for 10 000, 20 000 and 30 000: a few milliseconds each",
             {"waiting": False, "computing": True, "task_seconds": 0.003, "tasks": 3}),
}

_ALIASES_08 = {"thread": "threads", "process": "processes", "multiprocessing": "processes",
               "threading": "threads", "processes with threads": "both", "none": "sequential",
               "loop": "sequential", "neither": "sequential"}


def check_08(choices: Any) -> Verdict:
    """``choices`` maps each job of :data:`SCENARIOS_08` to "threads", "processes", "both" or "sequential".

    Each answer is compared with :func:`helpers.advisor.recommend` for that job (deterministic);
    the verdict lists, for every job answered wrongly, the recommended tool and why.
    """
    from ..advisor import recommend

    if unanswered(choices):
        return report(False, NOT_ANSWERED)
    if not isinstance(choices, dict):
        return report(False, f"Give a dict such as {{'pages': 'threads', ...}}, not {type(choices).__name__}.")
    missing = [name for name in SCENARIOS_08 if name not in choices]
    if missing:
        return report(False, f"No answer yet for {', '.join(missing)}.",
                      f"The dict needs the keys {', '.join(SCENARIOS_08)}.")
    wrong = []
    for name, (_, job) in SCENARIOS_08.items():
        given = str(choices[name]).strip().lower()
        given = _ALIASES_08.get(given, given)
        advice = recommend(**job)
        if given != advice.tool:
            wrong.append(f"  {name}: you said {choices[name]!r}; recommended {advice.tool}: {advice.reason}")
    if wrong:
        return report(False, f"{len(SCENARIOS_08) - len(wrong)} of {len(SCENARIOS_08)} right.\n"
                      + "\n".join(wrong), "Ask recommend(...) about the job, and compare with your table's figures.")
    return report(True, f"All {len(SCENARIOS_08)} right: waiting → threads, computing → processes, "
                  "both → processes with threads, tiny tasks → a plain loop.")


# --- 09 analogy and conclusion ---------------------------------------------------------

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


def _foreground_threads() -> int:
    return sum(not t.daemon for t in threading.enumerate())


def _expected_result(task: tuple[str, float]) -> float:
    kind, size = task
    if kind == "compute":
        n = int(size)
        return (n - 1) * n * (2 * n - 1) // 6  # the closed form of 0² + … + (n-1)²: no need to compute it
    return size


def check_09(run_job: Any, job: list[tuple[str, float]] | None = None) -> Verdict:
    """``run_job(tasks)`` must do every task of the job and return the results in task order.

    Measured: the checker first runs the job one task after another (the baseline, timing its
    waiting and its computing apart), then calls ``run_job``; it must give the right sums, leave
    no process running, and take at most 0.8 × the baseline. The verdict also says whether the
    computing itself ran in parallel. ``job``: defaults to :func:`capstone_job`.
    """
    from ..workers import job_task

    if unanswered(run_job):
        return report(False, NOT_ANSWERED)
    if not callable(run_job):
        return report(False, "Pass the function itself: check_09(run_job), without ().")
    tasks = capstone_job() if job is None else list(job)

    waited = computed = 0.0
    for task in tasks:  # the baseline: one task after another, in this thread
        start = time.perf_counter()
        job_task(task)
        if task[0] == "compute":
            computed += time.perf_counter() - start
        else:
            waited += time.perf_counter() - start
    baseline = waited + computed

    # Daemon threads are the helpers' own (e.g. the output relay, which ends a moment after
    # its last child); a learner's forgotten thread or pool thread is not a daemon.
    threads_before = _foreground_threads()
    results, elapsed, failed = call_learner(
        lambda: run_job(list(tasks)), "run_job",
        "Try it by hand first: run_job(capstone_job()) should return a list of 10 results.",
        "Join your processes, or use pools in a with-block, before returning.")
    if failed is not None:
        return failed
    if _foreground_threads() > threads_before:
        return report(False, f"{_foreground_threads() - threads_before} thread(s) were still running "
                      "when run_job() returned.", "Join every thread (or use a with-block) before returning.")
    try:
        results = list(results)
    except TypeError:
        return report(False, f"run_job() returned {results!r}, not a list of results.")
    expected = [_expected_result(t) for t in tasks]
    sums_ok = len(results) == len(tasks) and all(
        r == e for r, e, t in zip(results, expected, tasks) if t[0] == "compute")
    if not sums_ok:
        return report(False, f"run_job() returned {len(results)} results, not the {len(tasks)} results of the "
                      "tasks in their order (the computing tasks' sums did not match).",
                      "Return [job_task(t) for t in tasks], but faster: keep the order of the tasks.")
    ratio = elapsed / baseline
    figures = (f"run_job took {elapsed:.2f} s; one after another took {baseline:.2f} s "
               f"({waited:.2f} s waiting + {computed:.2f} s computing): ×{baseline / elapsed:.1f}")
    if ratio > 0.8:
        return report(False, figures + ", not clearly faster.",
                      "The waits can all overlap on threads; the computing needs processes to use several cores.")
    if elapsed < 0.8 * computed:
        note = "the waits overlapped and the computing ran on several cores at once."
    else:
        note = (f"the waits overlapped, but the job took about as long as its computing alone "
                f"({computed:.2f} s one task after another): either the computing ran one task at a time "
                "(threads: the GIL), or starting processes cost what computing in parallel saved. "
                "Processes for the computing tasks only, as many as cores, get the most out of this machine.")
    return report(True, f"{figures}: {note}")
