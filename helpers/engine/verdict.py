"""One verdict for every conclusion a notebook draws from a measurement: true for this run, or says why not.

A notebook measures (speed-ups, ratios against a control) and wants to conclude ("threads took
turns", "processes ran in parallel"). Whether this run's figures can carry that conclusion depends
on the machine as it was during the run: how many cores this kernel may use, how many of them other
programs left idle, and the build (GIL on or off). :func:`judge` takes the figures, what was seen of
the machine (:class:`MachineSeen`, from :func:`watch_machine`) and, where there is one, a control
measurement whose right value is known; it returns the conclusion only when the figures support
it, and otherwise a plain "this run cannot show ... because ...", with the figure and what to do.
It never states the opposite of a claim as a fact.

Engine level: it knows no lesson. Each :class:`Figure` brings its own claim, in words, and what the
claim expects of the figure on an idle machine with enough cores (``"parallel"``: it scales with
the cores; ``"turns"``: it stays near ×1). It draws nothing; :class:`Verdict` prints as text.

The idle cores are sampled as :mod:`helpers.bench` samples them (:func:`helpers.engine.machine.idle_cores`)
before the run; during it, what other programs used is the machine's busy CPU time less this
process's and its children's (one ``psutil`` reading at each end).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import psutil

from .config import gil_enabled
from .machine import idle_cores, usable_cores  # idle_cores: the course's one way (helpers.bench's too)

#: A figure this far below its ideal still counts as running in parallel: 1 + SHARE × (ideal − 1).
PARALLEL_SHARE = 0.3
#: On a busy machine a one-after-another run slowed by other programs inflates ratios (×1.57 measured for
#: json.dumps on 2 threads beside two busy loops, which can only take turns): there a figure must clear
#: 1 + BUSY_PARALLEL_SHARE × (ideal − 1) to count as parallel.
BUSY_PARALLEL_SHARE = 0.6
#: A figure within these bounds counts as taking turns (×1 with a little noise); far below ×1, threads were
#: slowed by something else (other programs), which shows nothing about turns.
TURNS_AT_MOST = 1.15
TURNS_AT_LEAST = 0.75
#: A machine with fewer idle cores than usable ones less this was busy (as helpers.bench says it).
BUSY_MARGIN = 0.5
#: How long the before-the-run look at the cores lasts, in seconds.
BEFORE_SAMPLE = 0.25


@dataclass
class MachineSeen:
    """What was seen of the machine around one measurement.

    ``usable``: cores this kernel may use (:func:`helpers.machine.usable_cores`);
    ``idle_before``: idle cores in a short look before the run; ``idle_during``: cores that other
    programs left to this run, on average while it ran (None: not measured); ``gil``: whether the GIL
    was on (``sys._is_gil_enabled()``; always on before 3.13).
    """

    usable: int
    idle_before: float | None = None
    idle_during: float | None = None
    gil: bool = True

    @property
    def idle(self) -> float | None:
        """The fewest idle cores seen (before or during), or None if none was sampled."""
        seen = [x for x in (self.idle_before, self.idle_during) if x is not None]
        return min(seen) if seen else None

    @property
    def busy(self) -> bool:
        """True when other programs took noticeably more than half a core of the usable ones."""
        return self.idle is not None and self.idle < self.usable - BUSY_MARGIN

    def describe(self) -> str:
        """One line: cores, how idle they were, the build; says "busy" when it was."""
        cores = "one usable core" if self.usable == 1 else f"{self.usable} usable cores"
        parts = [cores]
        if self.idle is not None:
            parts.append(f"{'busy' if self.busy else 'idle'}: {self.idle:.1f} of {self.usable} cores idle"
                         + (" (before/during the run: " + " / ".join(
                             "—" if x is None else f"{x:.1f}" for x in (self.idle_before, self.idle_during)) + ")"))
        else:
            parts.append("idle cores not sampled")
        parts.append("GIL on" if self.gil else "GIL off (free-threaded)")
        return "machine: " + ", ".join(parts)


def _allowed_cpus() -> set[int] | None:
    try:
        return set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


def _machine_busy_seconds() -> float:
    """Busy CPU seconds so far, summed over the cores this process may run on."""
    allowed = _allowed_cpus()
    total = 0.0
    for cpu, times in enumerate(psutil.cpu_times(percpu=True)):
        if allowed is None or cpu in allowed:
            idle = times.idle + getattr(times, "iowait", 0.0)
            total += sum(times) - idle - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)
    return total


def _own_seconds() -> float:
    """CPU seconds of this process, its children (live, and ended ones it has collected) and theirs."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:4])  # user, system, children_user, children_system
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:4])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


class Watch:
    """A measurement under way: :meth:`stop` (or the end of the ``with`` block) fixes :attr:`seen`."""

    def __init__(self, before_sample: float = BEFORE_SAMPLE) -> None:
        self.seen = MachineSeen(usable=usable_cores(), gil=gil_enabled())
        self._start: tuple[float, float, float] | None = None
        try:
            self.seen.idle_before = idle_cores(before_sample)
            self._start = (time.perf_counter(), _machine_busy_seconds(), _own_seconds())
        except Exception:  # no per-core times on this platform: judged without them
            pass
        self._stopped = False

    def stop(self) -> MachineSeen:
        """End the watch (once) and return what was seen; later calls return the same."""
        if not self._stopped and self._start is not None:
            try:
                wall = time.perf_counter() - self._start[0]
                others = ((_machine_busy_seconds() - self._start[1]) - (_own_seconds() - self._start[2]))
                if wall > 0.05:
                    others_cores = max(0.0, others / wall)
                    self.seen.idle_during = round(max(0.0, min(float(self.seen.usable),
                                                               self.seen.usable - others_cores)), 2)
            except Exception:
                pass
        self._stopped = True
        return self.seen


def start_watch(before_sample: float = BEFORE_SAMPLE) -> Watch:
    """A :class:`Watch` begun now, for a measurement that spans several cells: ``watch.stop()`` ends it."""
    return Watch(before_sample)


@contextmanager
def watch_machine(before_sample: float = BEFORE_SAMPLE) -> Iterator[Watch]:
    """``with watch_machine() as watch:`` around a measurement; then ``watch.seen`` is a :class:`MachineSeen`.

    Takes a ``before_sample``-second look at the idle cores first (the run has not started),
    then reads the machine's and this process tree's CPU time at both ends of the block.
    """
    watch = Watch(before_sample)
    try:
        yield watch
    finally:
        watch.stop()


@dataclass(frozen=True)
class Figure:
    """One measured figure and the claim it could support.

    ``speedup``: how many times faster than one after another (or than the control condition);
    ``workers``: how many ran at once; ``expect``: what ``claim`` predicts for it on an idle machine
    with enough cores, ``"parallel"`` (it scales) or ``"turns"`` (it stays near ×1);
    ``claim``: the claim in words, as it would follow "this run shows that" / "cannot show that";
    ``needs_cores``: False for waits, which overlap on one core too.
    """

    label: str
    speedup: float
    workers: int
    expect: str
    claim: str
    needs_cores: bool = True

    def __post_init__(self) -> None:
        if self.expect not in ("parallel", "turns"):
            raise ValueError(f"expect must be 'parallel' or 'turns', not {self.expect!r}")

    def ideal(self, usable: int) -> int:
        return max(1, min(self.workers, usable) if self.needs_cores else self.workers)

    def scaled(self, usable: int, busy: bool = False) -> bool:
        """Whether it ran in parallel: at least :meth:`threshold` (a higher one on a busy machine)."""
        return self.ideal(usable) >= 2 and self.speedup >= self.threshold(usable, busy)

    def flat(self) -> bool:
        return TURNS_AT_LEAST <= self.speedup <= TURNS_AT_MOST

    def threshold(self, usable: int, busy: bool = False) -> float:
        share = BUSY_PARALLEL_SHARE if busy and self.needs_cores else PARALLEL_SHARE
        return 1 + share * (self.ideal(usable) - 1)


@dataclass
class Verdict:
    """What a run's figures say: one line per figure, then the machine line; prints as text."""

    lines: list[str] = field(default_factory=list)
    supported: list[bool] = field(default_factory=list)
    machine: MachineSeen | None = None

    @property
    def shown(self) -> bool:
        """True when every figure's claim was shown by this run."""
        return bool(self.supported) and all(self.supported)

    def __str__(self) -> str:
        return "\n".join(self.lines + ([self.machine.describe()] if self.machine else []))

    def _repr_pretty_(self, printer, cycle) -> None:  # a notebook shows it as text
        printer.text(str(self))


_AGAIN = "close other programs and run the cell again"


def _why_busy(machine: MachineSeen) -> str:
    return f"the machine was busy ({machine.idle:.1f} of {machine.usable} cores idle)"


def judge(figures: Figure | Sequence[Figure], machine: MachineSeen, control: Figure | None = None) -> Verdict:
    """Each figure's claim, stated only where this run's figures support it; otherwise why this run cannot show it.

    ``control``: a figure whose right value on this build is known (its ``expect``): a control that
    came out otherwise (a loop that cannot scale scaled, or one that must scale did not) means
    other programs disturbed the run, and no figure's claim is stated. A figure that is expected
    to take turns is only said to have done so when a second core was shown to be free: an idle
    machine, or another figure (or the control) of the same run that did scale.
    """
    figures = [figures] if isinstance(figures, Figure) else list(figures)
    usable = machine.usable
    verdict = Verdict(machine=machine)
    disturbed = ""
    if control is not None:
        line = f"control, {control.label}: ×{control.speedup:.2f}"
        if usable >= 2 or not control.needs_cores:
            if control.expect == "turns" and control.speedup > TURNS_AT_MOST:
                disturbed = (f"the control ({control.label}) gave ×{control.speedup:.2f} where it can only take turns "
                             "(×1): other programs slowed the one-after-another run")
            elif control.expect == "turns" and control.speedup < TURNS_AT_LEAST:
                disturbed = (f"the control ({control.label}) gave ×{control.speedup:.2f} where taking turns gives "
                             "about ×1: other programs slowed the threads' run")
            elif control.expect == "parallel" and not control.scaled(usable, machine.busy):
                disturbed = (f"the control ({control.label}) gave ×{control.speedup:.2f} where it should reach "
                             f"×{control.threshold(usable, machine.busy):.2f} or more: no second core was free")
        verdict.lines.append(line + (f" -> disturbed: {disturbed}" if disturbed else " -> as expected"))
    free_core_seen = usable >= 2 and not disturbed and (
        not machine.busy
        or any(f.expect == "parallel" and f.needs_cores and f.scaled(usable, busy=True) for f in figures)
        or (control is not None and control.expect == "parallel" and control.scaled(usable, busy=True)))
    for figure in figures:
        ok, why = _judge_one(figure, machine, disturbed, free_core_seen)
        head = f"{figure.label}: ×{figure.speedup:.2f}"
        if ok:
            verdict.lines.append(f"{head} -> this run shows that {figure.claim}")
        else:
            verdict.lines.append(f"{head} -> this run cannot show that {figure.claim}: {why}")
        verdict.supported.append(ok)
    return verdict


def _judge_one(figure: Figure, machine: MachineSeen, disturbed: str, free_core_seen: bool) -> tuple[bool, str]:
    usable = machine.usable
    if figure.needs_cores and usable < 2:
        return False, ("this kernel has one usable core, so nothing computes side by side here "
                       "(a second core is needed to tell)")
    if disturbed:
        return False, f"{disturbed}; {_AGAIN}"
    if figure.expect == "parallel":
        if figure.speedup > figure.workers * TURNS_AT_MOST:  # faster than one worker each can make it
            busy = f"{_why_busy(machine)}; " if machine.busy else ""
            return False, (f"×{figure.speedup:.2f} on {figure.workers} is more than they can reach: {busy}a "
                           f"one-after-another run slowed by other programs inflates it; {_AGAIN}")
        if figure.scaled(usable, machine.busy):
            return True, ""
        if figure.needs_cores and machine.busy:
            return False, (f"{_why_busy(machine)}, where ×{figure.threshold(usable, True):.2f} or more is needed to "
                           f"tell parallel work from a disturbed one-after-another run; {_AGAIN}")
        return False, (f"×{figure.threshold(usable):.2f} or more was needed although "
                       + (f"{machine.idle:.1f} of {usable} cores looked idle" if machine.idle is not None
                          else "the idle cores were not sampled")
                       + " (tasks too short for their start-up, or a burst of other work?); run the cell again")
    # expect == "turns"
    if figure.speedup > TURNS_AT_MOST:
        busy = f"{_why_busy(machine)}; " if machine.busy else ""
        return False, (f"×{figure.speedup:.2f} is more than taking turns allows (×{TURNS_AT_MOST:g} at most): "
                       f"{busy}a one-after-another run slowed by other programs inflates it; {_AGAIN}")
    if figure.speedup < TURNS_AT_LEAST:
        busy = f"{_why_busy(machine)}; " if machine.busy else ""
        return False, (f"×{figure.speedup:.2f} is far slower than taking turns costs: {busy}other programs slowed "
                       f"the threads' run; {_AGAIN}")
    if not free_core_seen:
        return False, (f"{_why_busy(machine)} and nothing in this run scaled, so ×{figure.speedup:.2f} may only mean "
                       f"that no second core was free; {_AGAIN}")
    return True, ""


def speedups(sequential: float, elapsed: Iterable[float]) -> list[float]:
    """``sequential / e`` for each elapsed time: how many times faster than one after another."""
    return [sequential / e if e > 0 else float("inf") for e in elapsed]
