"""Joining and stopping: end a process politely first, by force only after a grace period."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from ..charts.style import format_duration
from .base import Verdict, cannot_show, check_function, report

#: The least grace period given to ``finish`` (unscaled: process start-up does not scale).
GRACE = 1.5
#: A child that ends by itself must be returned within this many seconds of its end (at least).
PROMPT = 0.3
#: Past the grace period, terminate() and join() take milliseconds: a right answer returns within this (at least).
AFTER_GRACE = 0.3


def _grace_factors() -> tuple[float, float, float]:
    """Multipliers of the least grace period for the three children: the one that ends by itself,
    then the two that must be stopped, one low and one high, both drawn anew each run: an answer
    that ignores ``grace`` (a hard-coded 1.5 s) cannot fit both, nor either by habit."""
    chance = random.SystemRandom()
    return chance.uniform(1.0, 1.3), chance.uniform(1.15, 1.35), chance.uniform(1.75, 2.0)


class _Watched:
    """What ``finish`` did to the child: its ``join``/``terminate``/``kill`` calls, noted on the child itself.

    ``calls``: ``(name, entered, left, ended)``, ``ended`` whether the child had ended when the
    call returned (read without reaping it: the exit code stays for ``finish`` to collect).
    """

    def __init__(self, child: Any) -> None:
        self.child = child
        self.calls: list[tuple[str, float, float, bool]] = []
        for name in ("join", "terminate", "kill"):
            setattr(child, name, self._noting(name, getattr(child, name)))

    def _ended(self) -> bool:
        from multiprocessing.connection import wait

        inner = getattr(self.child, "_process", self.child)
        popen = getattr(inner, "_popen", None)
        return popen is None or popen.returncode is not None or bool(wait([inner.sentinel], 0))

    def _noting(self, name: str, method: Any) -> Any:
        def noted(*args: Any, **kwargs: Any) -> Any:
            entered = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.calls.append((name, entered, time.perf_counter(), self._ended()))
        return noted

    def joined(self) -> bool:
        return any(name == "join" and ended for name, _, _, ended in self.calls)

    def stopped(self) -> float | None:
        """When the first terminate() or kill() was called (None: never)."""
        return next((entered for name, entered, _, _ in self.calls if name in ("terminate", "kill")), None)

    def joined_after(self, moment: float) -> bool:
        return any(name == "join" and ended and entered >= moment for name, entered, _, ended in self.calls)


def _call(finish: Any, child: Any, grace: float, outcome: dict[str, Any]) -> None:
    try:
        outcome["code"] = finish(child, grace)
    except Exception as exc:  # reported by the checker, never raised
        outcome["error"] = exc
    outcome["returned"] = time.perf_counter()


def check_finish(finish: Any, *, grace: float = GRACE) -> Verdict:
    """``finish(process, grace)`` must end a started process, politely first, by force if needed.

    Right: wait up to ``grace`` s for the process to end by itself (``join(timeout=…)``);
    if it is still alive, ``terminate()`` it and ``join()`` it; return its exit code.
    The grace period is at least ``grace`` and at least 5 × the child start-up measured
    here first, so a slow start (spawn, a busy machine) cannot make a right answer wrong;
    it is drawn anew for each child (:func:`_grace_factors`), so only an answer that uses
    the ``grace`` it is given fits them all. The checker hands ``finish`` three started
    children that record when they began and ended, and notes its ``join``/``terminate``/
    ``kill`` calls on each: one that sleeps a tenth of the grace period (it must be joined and returned, exit code 0,
    within :data:`PROMPT` s of its own end, not kept for the whole grace period; if it ended too
    late in the grace period to tell the two apart, the verdict is ◌) and two
    that would sleep 30 s (each must be terminated no sooner than its grace period, then
    joined, and returned within :data:`AFTER_GRACE` s of the grace period). ``finish`` runs in a helper thread, so a
    ``join()`` without a timeout cannot hang the notebook (the child is stopped 1 s after
    the latest a right answer returns). Every child is reaped.
    """
    not_yet = check_function(finish, "finish", "check_finish")
    if not_yet is not None:
        return not_yet
    import multiprocessing

    from ..engine.config import resolve_start_method
    from ..engine.relay import Process, stop
    from .probes import child_startup, sleep_and_mark

    startup = child_startup()
    least = max(grace, 5 * startup)
    prompt = max(PROMPT, 2 * startup)
    after = max(AFTER_GRACE, 2 * startup)
    context = multiprocessing.get_context(resolve_start_method())
    polite = "First process.join(timeout=grace); only if process.is_alive() is still true, terminate it."
    measured = []
    short, low, high = _grace_factors()
    cases = (("the worker that ends by itself", least * short, 0.1),
             ("the worker that would sleep 30 s", least * low, 0),
             ("the second worker that would sleep 30 s", least * high, 0))
    graces = []
    for label, grace, tenth in cases:
        duration = grace * tenth if tenth else 30.0
        graces.append(grace)
        started, ended = context.Value("d", 0.0, lock=False), context.Value("d", 0.0, lock=False)
        child = Process(target=sleep_and_mark, args=(duration, started, ended))
        child.start()
        watched = _Watched(child)
        outcome: dict[str, Any] = {}
        caller = threading.Thread(target=_call, args=(finish, child, grace, outcome), name="check-finish", daemon=True)
        called = time.perf_counter()
        caller.start()
        caller.join(grace + max(0.5 * grace, 4 * startup) + 1.0)  # then it is "well past", or hung
        hung = caller.is_alive()
        alive_after = child.is_alive()
        elapsed = outcome.get("returned", time.perf_counter()) - called
        try:
            if hung:
                stop(child)  # ends the child, which also ends a join() without a timeout
                caller.join(5.0)
                return report(False, f"finish() was still waiting for {label} after {elapsed:.1f} s, although "
                              f"the grace period was {grace:.1f} s.",
                              "join() without a timeout waits forever. " + polite)
            if "error" in outcome:
                error = outcome["error"]
                detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                return report(False, f"finish() raised {detail}.", polite)
            code = outcome.get("code")
            if duration < grace:
                if not ended.value:
                    waited = elapsed >= 0.8 * grace
                    # It began so late that its own end, plus a wake-up on a busy machine, fell past the grace.
                    if waited and (not started.value or started.value + duration > called + grace - prompt):
                        return cannot_show(f"finish() returned exit code {code}.",
                                           f"{label} had not even started {grace:.1f} s after start() (a child "
                                           f"start-up measured {format_duration(startup)} just before)")
                    return report(False, f"finish() stopped {label} (exit code {code}) after {elapsed:.2f} s, "
                                  f"although it would have ended on its own {duration:.2f} s after it began, within "
                                  f"the {grace:.1f} s grace period.", polite)
                if alive_after:
                    return report(False, f"finish() returned while {label} was still running.",
                                  "Wait for it with join(timeout=grace), then return process.exitcode.")
                late = outcome["returned"] - ended.value
                if ended.value > called + grace - prompt:
                    # Ended so late that returning when it ended and waiting out the grace look the same.
                    return cannot_show(f"finish() returned exit code {code}, {format_duration(max(late, 0.0))} after "
                                       f"{label} ended, {ended.value - called:.2f} s after finish() was called.",
                                       f"{label} began too late to tell returning at its end from waiting out the "
                                       f"{grace:.1f} s grace period (a child start-up measured "
                                       f"{format_duration(startup)} just before)")
                # A join() already waiting when the child marked its end returns once the process has exited: that
                # exit is the OS's time, which a busy machine stretches (a right answer returned 0.30 s after the
                # mark once, beside a load of 20 on 2 cores). Only what the answer did after that join() counts.
                waiting = [left for name, entered, left, gone in watched.calls
                           if name == "join" and gone and entered <= ended.value]
                if (outcome["returned"] - min(waiting) if waiting else late) > prompt:
                    return report(False, f"finish() returned {late:.2f} s after {label} had ended: it waited out "
                                  f"the grace period ({grace:.1f} s) instead of returning when the process did.",
                                  "join(timeout=grace) returns as soon as the process ends; do not sleep.")
                if code != 0:
                    return report(False, f"finish() returned {code!r} for {label}, not its exit code 0.",
                                  "Return process.exitcode, read after the join.")
                if not watched.joined():
                    return report(False, f"finish() returned when {label} ended, but never joined it: it waited "
                                  "some other way.", "process.join(timeout=grace) waits, and returns the moment "
                                  "the process ends.")
                measured.append(f"{label}: exit code {code}, returned {format_duration(max(late, 0.0))} after it ended")
            else:
                if alive_after:
                    return report(False, f"{label.capitalize()} was still alive when finish() returned, "
                                  f"{elapsed:.2f} s after it was called.",
                                  "After join(timeout=grace), check is_alive(); if true, terminate() it and "
                                  "join() again.")
                stopped_at = watched.stopped()
                if stopped_at is not None and stopped_at - called < grace - 0.01:
                    return report(False, f"finish() stopped {label} {stopped_at - called:.2f} s after it was "
                                  f"called, before its {grace:.2f} s grace period was over"
                                  + (" (a grace period of your own instead of the one given?)"
                                     if stopped_at - called > 0.5 * grace else "") + ".",
                                  polite + " Use the grace argument: it changes from call to call.")
                # Time inside terminate()/kill() and the join() after them is the OS ending the child, which a
                # busy machine stretches (0.31 s past the grace once, beside a load of 20 on 2 cores, for a right
                # answer): only the answer's own time past the grace period counts.
                ending = sum(left - entered for _, entered, left, _ in watched.calls
                             if stopped_at is not None and entered >= stopped_at)
                if elapsed - ending > grace + after:
                    return report(False, f"finish() took {elapsed:.2f} s to end {label}, {elapsed - grace:.2f} s past "
                                  f"its {grace:.2f} s grace period: terminate() and join() take milliseconds.",
                                  "Wait once, join(timeout=grace); then terminate() and join(). Use the grace "
                                  "argument as it is.")
                if stopped_at is None:
                    return report(False, f"{label.capitalize()} ended without a terminate() or kill() from finish().",
                                  polite)
                if not watched.joined_after(stopped_at):
                    return report(False, f"finish() terminated {label} but never joined it afterwards: it ended "
                                  "unreaped, its exit code read (if at all) without waiting for it.",
                                  "After terminate(), join() the process: that waits for it to end and collects "
                                  "its exit code.")
                if not isinstance(code, int) or code == 0:
                    return report(False, f"finish() returned {code!r} for the terminated worker, not its exit code.",
                                  "Return process.exitcode, read after the final join().")
                measured.append(f"{label}: exit code {code} after {elapsed:.2f} s")
        finally:
            stop(child)
    return report(True, f"finish() returned one worker as soon as it ended and stopped the others after their "
                  f"grace periods of {graces[1]:.2f} s and {graces[2]:.2f} s ({'; '.join(measured)}).")
